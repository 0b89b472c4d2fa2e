package source_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

func byID(ps []jobpilot.Posting) map[string]jobpilot.Posting {
	m := map[string]jobpilot.Posting{}
	for _, p := range ps {
		m[p.ExternalID] = p
	}
	return m
}

// Issue 14, finding 6: pay, every location, hybrid work and link targets,
// which the boards send and were dropped.
func TestBoardDetails(t *testing.T) {
	b := newBoard(t, map[string]string{
		"/v1/boards/acme/jobs":           "greenhouse_acme.json",
		"/posting-api/job-board/initech": "ashby_initech.json",
		"/v0/postings/globex":            "lever_globex.json",
	})
	t.Run("greenhouse", func(t *testing.T) {
		ps := byID(fetch(t, mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil)))
		if got := ps["4012345"].Locations; !reflect.DeepEqual(got, []string{"Berlin, Germany", "Lisbon, Portugal"}) {
			t.Errorf("offices: %v", got)
		}
		munich := ps["4012349"]
		if munich.WorkMode != jobpilot.WorkHybrid || munich.Remote || len(munich.Locations) != 3 {
			t.Errorf("hybrid, several locations: %+v", munich)
		}
		if p := munich.Pay; p == nil || p.Min != 75000 || p.Max != 95000 || p.Currency != "EUR" {
			t.Errorf("pay range block: %+v", p)
		}
		for _, want := range []string{"requires accommodation (https://acme.example/accommodation)", "see also EEO Policy (https://acme.example/eeo) and",
			"Run Kubernetes clusters in", "and our https://acme.example/privacy."} {
			if !strings.Contains(munich.Description, want) {
				t.Errorf("description lacks %q:\n%s", want, munich.Description)
			}
		}
		if sre := ps["4012347"]; sre.WorkMode != jobpilot.WorkRemote || !reflect.DeepEqual(sre.RemoteRegions, []string{"Europe"}) {
			t.Errorf("Remote - Europe: %+v", sre)
		}
	})
	t.Run("lever", func(t *testing.T) {
		ps := byID(fetch(t, mustNew(t, source.Spec{Type: "lever", Name: "globex", BaseURL: b.srv.URL, Keys: map[string]string{"site": "globex"}}, nil)))
		staff := ps["5ac21346-8e0c-4494-8e7a-3eb92ff77902"]
		want := jobpilot.Pay{Min: 210000, Max: 260000, Currency: "USD", Period: "year",
			Text: "The base salary range for this role is $210,000 – $260,000 per year, plus equity."}
		if staff.Pay == nil || *staff.Pay != want || staff.WorkMode != jobpilot.WorkOnsite || staff.EmploymentType != jobpilot.EmploymentFullTime ||
			!reflect.DeepEqual(staff.Locations, []string{"San Francisco, CA", "New York, NY"}) {
			t.Errorf("salaryRange, allLocations, workplaceType, commitment: %+v %+v", staff, staff.Pay)
		}
		if d := ps["b2"].Pay; d == nil || d.Min != 140000 || d.Max != 170000 || d.Text != "US pay range: $140k to $170k a year" {
			t.Errorf("salaryDescription without a range: %+v", d)
		}
		if c3 := ps["c3"]; c3.WorkMode != jobpilot.WorkHybrid || c3.Remote || c3.EmploymentType != jobpilot.EmploymentContract || c3.Pay.Period != "month" {
			t.Errorf("hybrid is not remote: %+v", c3)
		}
		if f6 := ps["f6"]; f6.Pay.Period != "hour" || f6.EmploymentType != jobpilot.EmploymentInternship || !reflect.DeepEqual(f6.RemoteRegions, []string{"Canada"}) {
			t.Errorf("intern: %+v %+v", f6, f6.Pay)
		}
	})
	t.Run("ashby", func(t *testing.T) {
		ps := byID(fetch(t, mustNew(t, source.Spec{Type: "ashby", Name: "initech", BaseURL: b.srv.URL, Keys: map[string]string{"org": "initech"}}, nil)))
		if q := b.requests[len(b.requests)-1].URL.Query().Get("includeCompensation"); q != "true" {
			t.Errorf("includeCompensation=%q", q)
		}
		pay := ps["0b2c7c2e-1111-4d5e-9c4b-7a7a7a7a7a01"]
		if pay.Pay == nil || *pay.Pay != (jobpilot.Pay{Min: 150000, Max: 190000, Currency: "USD", Period: "year", Text: "$150K – $190K • Offers Equity"}) ||
			pay.WorkMode != jobpilot.WorkHybrid || pay.Remote || !reflect.DeepEqual(pay.Locations, []string{"New York, NY", "Austin, TX"}) {
			t.Errorf("compensation, secondaryLocations, hybrid: %+v %+v", pay, pay.Pay)
		}
		cjk := ps["0b2c7c2e-4444-4d5e-9c4b-7a7a7a7a7a04"]
		if cjk.Title != "シニアバックエンドエンジニア（決済）" || !reflect.DeepEqual(cjk.Locations, []string{"東京", "大阪", "Remote (Japan)"}) ||
			cjk.Pay == nil || cjk.Pay.Currency != "JPY" || cjk.Pay.Max != 13000000 || !strings.Contains(cjk.Description, "決済基盤を Go で開発します。") {
			t.Errorf("CJK posting: %+v %+v", cjk, cjk.Pay)
		}
		if hourly := ps["0b2c7c2e-5555-4d5e-9c4b-7a7a7a7a7a05"]; hourly.Pay == nil || hourly.Pay.Period != "hour" || hourly.Pay.Max != 120 ||
			hourly.EmploymentType != jobpilot.EmploymentContract || !reflect.DeepEqual(hourly.RemoteRegions, []string{"US"}) {
			t.Errorf("summary-only compensation: %+v %+v", hourly, hourly.Pay)
		}
	})
}
