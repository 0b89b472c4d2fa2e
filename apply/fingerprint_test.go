package apply_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// The same job listed in two cities keeps one application when both
// listings change their description (their fingerprint changes with it),
// whichever listing the run meets first: here the one without the
// application, which had been closed and comes back with a lower id.
func TestChangedListingsOfOneJobKeepOneApplication(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, dbtest.SQLite(), map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"}, system.Options{})
	all, err := examples.Postings()
	if err != nil {
		t.Fatal(err)
	}
	// ex-001 (Prague) leaves the board: the application goes to ex-012 (Brno).
	var without []jobpilot.Posting
	for _, p := range all {
		if p.ExternalID != "ex-001" {
			without = append(without, p)
		}
	}
	if _, err := e.st.UpsertPostings(ctx, examples.SourceName, without, true); err != nil {
		t.Fatal(err)
	}
	e.automate(t)
	brno := e.posting(t, examples.SourceName, "ex-012")
	owner := e.appFor(t, 1, examples.SourceName, "ex-012")
	if owner.PostingID != brno.ID {
		t.Fatalf("fixture: the application belongs to posting %d, want Brno's %d", owner.PostingID, brno.ID)
	}

	// Both listings come back with a new description: a new fingerprint.
	for i := range all {
		if all[i].ExternalID == "ex-001" || all[i].ExternalID == "ex-012" {
			all[i].Description += "\n\nWe now also offer a four-day week."
		}
	}
	if _, err := e.st.UpsertPostings(ctx, examples.SourceName, all, true); err != nil {
		t.Fatal(err)
	}
	e.automate(t)

	prague := e.posting(t, examples.SourceName, "ex-001")
	if prague.ID > brno.ID || prague.Fingerprint == owner.Fingerprint {
		t.Fatalf("fixture: want Prague first (id %d < %d) with a new fingerprint", prague.ID, brno.ID)
	}
	n := 0
	for _, a := range e.apps(t, 1) {
		if a.PostingID == prague.ID || a.PostingID == brno.ID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d applications for the one Fernwood Pay job, want 1", n)
	}
}
