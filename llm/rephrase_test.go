package llm

import (
	"strings"
	"testing"
)

// A rephrasing may not give a highlight a name or number it does not have,
// even when the profile has it elsewhere: Kafka was used at Northwind, not at
// Brightline; "12 services" were migrated, not "12 acquirer APIs". The
// original sentence is kept and the attempt is reported. A faithful
// rephrasing is used.
func TestRephrasingCannotMoveFactsBetweenHighlights(t *testing.T) {
	p := loadProfile(t)
	pl := &plan{Summary: "Backend engineer.", Work: []planEntry{{Index: 0, Highlights: []planHighlight{
		{Index: 1, Text: "Cut p99 latency of the ledger API from 850 ms to 120 ms with Kafka."},
		{Index: 2, Text: "Introduced circuit breakers around 12 acquirer APIs, reducing incident pages by 60%."},
		{Index: 3, Text: "Led the migration of 12 services to Kubernetes and mentored four engineers."},
	}}}}
	rep := &report{}
	r := buildResume(rep, p, pl)
	got := r.Work[0].Highlights
	src := p.Resume.Work[0].Highlights
	if got[0] != src[1] || got[1] != src[2] {
		t.Errorf("rephrasings that moved facts were kept:\n%q", got[:2])
	}
	if !strings.HasPrefix(got[2], "Led the migration of 12 services") {
		t.Errorf("a faithful rephrasing was dropped: %q", got[2])
	}
	values := map[string]bool{}
	for _, rm := range rep.removals() {
		values[rm.Value] = true
	}
	if !values["Kafka"] || !values["12"] || len(values) != 2 {
		t.Errorf("removals %v, want Kafka and 12", values)
	}
}
