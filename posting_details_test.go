package jobpilot_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/jobpilot/jobpilot"
)

func TestPostingDetailsNormalize(t *testing.T) {
	p := jobpilot.Posting{Source: "s", ExternalID: "1", Company: "Acme", Title: "SRE", Location: "Berlin",
		Locations: []string{" berlin ", "", "Lisbon", "LISBON"}, WorkMode: " Remote ", Pay: &jobpilot.Pay{Currency: " eur "}}
	p.Normalize()
	if !reflect.DeepEqual(p.Locations, []string{"Berlin", "Lisbon"}) || p.WorkMode != jobpilot.WorkRemote || !p.Remote ||
		p.Pay == nil || p.Pay.Currency != "EUR" {
		t.Fatalf("%+v %+v", p, p.Pay)
	}
	// Only Remote said: remote work mode. Nothing said about pay: no Pay.
	q := jobpilot.Posting{Locations: []string{"Remote"}, Remote: true, Pay: &jobpilot.Pay{}}
	q.Normalize()
	if q.Location != "Remote" || q.WorkMode != jobpilot.WorkRemote || q.Pay != nil {
		t.Fatalf("%+v", q)
	}
	// Hybrid is not remote.
	h := jobpilot.Posting{WorkMode: jobpilot.WorkHybrid}
	h.Normalize()
	if h.Remote {
		t.Fatal("a hybrid job is not remote")
	}
}

// Details that say no more than the older fields leave the content hash as
// it was; details that say more change it.
func TestPostingDetailsHash(t *testing.T) {
	base := jobpilot.Posting{Source: "s", ExternalID: "1", Company: "Acme", Title: "SRE", Location: "Remote", Remote: true, Description: "Go."}
	base.Normalize()
	same := base
	same.Locations, same.WorkMode = []string{"Remote"}, jobpilot.WorkRemote
	same.Normalize()
	if same.ContentHash != base.ContentHash {
		t.Fatal("implied details changed the hash")
	}
	for name, mutate := range map[string]func(p *jobpilot.Posting){
		"second location": func(p *jobpilot.Posting) { p.Locations = []string{"Remote", "Berlin"} },
		"regions":         func(p *jobpilot.Posting) { p.RemoteRegions = []string{"EU"} },
		"employment":      func(p *jobpilot.Posting) { p.EmploymentType = jobpilot.EmploymentContract },
		"pay":             func(p *jobpilot.Posting) { p.Pay = &jobpilot.Pay{Min: 1, Currency: "USD"} },
		"hybrid":          func(p *jobpilot.Posting) { p.WorkMode, p.Remote = jobpilot.WorkHybrid, false },
	} {
		p := base
		mutate(&p)
		p.Normalize()
		if p.ContentHash == base.ContentHash {
			t.Errorf("%s: hash unchanged", name)
		}
		if p.Fingerprint != base.Fingerprint {
			t.Errorf("%s: the fingerprint must not depend on details", name)
		}
	}
}

func TestPostingDetailsValidate(t *testing.T) {
	valid := jobpilot.Posting{Source: "s", ExternalID: "1", Company: "Acme", Title: "Engineer",
		Pay: &jobpilot.Pay{Min: 1, Max: 2, Currency: "USD", Period: "year"}, WorkMode: "hybrid", EmploymentType: "contract"}
	if err := valid.Validate(); err != nil {
		t.Fatal(err)
	}
	many := make([]string, jobpilot.MaxLocations+1)
	for i := range many {
		many[i] = "x"
	}
	for field, mutate := range map[string]func(p *jobpilot.Posting){
		"work_mode":       func(p *jobpilot.Posting) { p.WorkMode = "sometimes" },
		"employment_type": func(p *jobpilot.Posting) { p.EmploymentType = "forever" },
		"locations":       func(p *jobpilot.Posting) { p.Locations = many },
		"remote_regions":  func(p *jobpilot.Posting) { p.RemoteRegions = []string{"EU\nBcc: x"} },
		"pay":             func(p *jobpilot.Posting) { p.Pay = &jobpilot.Pay{Min: math.Inf(1)} },
		"pay.max":         func(p *jobpilot.Posting) { p.Pay = &jobpilot.Pay{Min: 5, Max: 2} },
		"pay.currency":    func(p *jobpilot.Posting) { p.Pay = &jobpilot.Pay{Currency: "dollars"} },
		"pay.period":      func(p *jobpilot.Posting) { p.Pay = &jobpilot.Pay{Period: "fortnight"} },
		"description":     func(p *jobpilot.Posting) { p.Description = "a\x00b" },
	} {
		p := valid
		mutate(&p)
		err := p.Validate()
		var e *jobpilot.Error
		if !errors.As(err, &e) || e.Code != jobpilot.EINVALID || e.Field != field {
			t.Errorf("%s: got %v, want EINVALID on %s", field, err, field)
		}
	}
}
