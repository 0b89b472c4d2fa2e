package source

import (
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// Fuzz targets for the readers of posting details every board's text goes
// through: pay, places and work mode, and the Hacker News header line (the
// comment target reaches it too, but seeds in header shape go deeper). Run
// as the targets in fuzz_test.go.

// FuzzParsePay: a pay, when one is read, is what a posting may hold
// (finite, not negative, min ≤ max, an ISO currency, a known period, one
// bounded line of text).
func FuzzParsePay(f *testing.F) {
	for _, s := range []string{
		"€90k–€120k", "$120,000 - $150,000 per year", "USD 50/hr", "£45k-£55k + equity", "CHF 120'000",
		"5-10 years of experience", "A$ 150k pa", "¥8,000,000", "1.5M USD", "$1e300", "€-5k", "$99999999999",
		"zł 12 000 - 15 000 / month", "$100k\n$200k", "$0.5k/h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		pay := parsePay(text)
		if pay == nil {
			return
		}
		p := jobpilot.Posting{Source: "fuzz", ExternalID: "1", Company: "Acme", Title: "Engineer", URL: "https://acme.example/1", Pay: pay}
		stripNUL(&p) // as every source does before it validates
		if err := p.Validate(); err != nil {
			t.Fatalf("parsePay(%q) = %+v: %v", text, *pay, err)
		}
		if pay.Min == 0 && pay.Max == 0 {
			t.Fatalf("parsePay(%q) = %+v: a pay without an amount", text, *pay)
		}
	})
}

// FuzzReadPlace reads a location or work-mode text as the boards give it:
// the mode is a known one, places and regions are non-empty single lines,
// and a posting filled from it is valid.
func FuzzReadPlace(f *testing.F) {
	for _, s := range []string{
		"Remote (USA)", "Berlin or Remote", "US Remote", "Remote - Europe", "Hybrid; London, UK", "Onsite in NYC",
		"No remote", "Remote in Canada / US", "San Francisco, CA; New York, NY", "Remote (EU, UK & Switzerland)",
		"Anywhere", "((Remote))", "Remote\n(US)",
	} {
		f.Add(s, "remote")
	}
	f.Add("Amsterdam", "hybrid")
	f.Add("", "On-site")
	f.Fuzz(func(t *testing.T, location, workplace string) {
		pi := readPlace(location)
		if pi.mode != "" && pi.mode != jobpilot.WorkOnsite && pi.mode != jobpilot.WorkHybrid && pi.mode != jobpilot.WorkRemote {
			t.Fatalf("readPlace(%q): mode %q", location, pi.mode)
		}
		for _, s := range append(pi.places, pi.regions...) {
			if strings.TrimSpace(s) == "" {
				t.Fatalf("readPlace(%q): an empty place or region in %+v", location, pi)
			}
		}
		if len(location) > 1000 {
			return // a board's location is bounded before it gets here
		}
		p := jobpilot.Posting{Source: "fuzz", ExternalID: "1", Company: "Acme", Title: "Engineer", URL: "https://acme.example/1",
			Location: boundedText(oneLine(location), 200), Locations: boundedPlaces([]string{location, workplace})}
		fillPlaces(&p, workplace)
		p.EmploymentType = employmentOf(workplace)
		p.RemoteRegions = boundedPlaces(p.RemoteRegions)
		stripNUL(&p) // as every source does before it validates
		if err := p.Validate(); err != nil {
			t.Fatalf("location %q, workplace %q: %v (%+v)", location, workplace, err, p)
		}
		if p.WorkMode == jobpilot.WorkRemote && !p.Remote {
			t.Fatalf("remote work mode without Remote: %+v", p)
		}
	})
}

// FuzzHNHeader reads a comment's first lines as a header: what it finds is
// bounded and one line each, and the company is a plausible name.
func FuzzHNHeader(f *testing.F) {
	for _, s := range []string{
		"Acme | Senior Backend Engineer | Berlin | REMOTE (EU) | €90k–€120k",
		"Acme — Backend Engineer — Remote (USA)",
		"Acme - Staff SRE - NYC - Full-time",
		"Founding Engineer @ Acme (San Francisco, ONSITE)",
		"Acme is hiring a Senior Engineer (Remote, US)",
		"Tyrell Labs, a 40-person robotics team in Berlin\nSenior Backend Engineer | Berlin | REMOTE (EU)",
		"Soylent | Multiple roles | Amsterdam | Hybrid | https://soylent.example/jobs | Visa",
		"株式会社テスト | バックエンドエンジニア | 東京 | リモート",
		"|||", "a | b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		h, _, ok := findHeader(strings.Split(text, "\n"))
		if !ok {
			return
		}
		if h.company == "" || len(h.company) > maxCompany || strings.ContainsAny(h.company, "\r\n") {
			t.Fatalf("company %q from %q", h.company, text)
		}
		if len(h.places) > jobpilot.MaxLocations {
			t.Fatalf("%d places from %q", len(h.places), text)
		}
		for _, s := range append(append(h.places, h.roles...), h.regions...) {
			if strings.ContainsAny(s, "\r\n") {
				t.Fatalf("a field with a line break: %q from %q", s, text)
			}
		}
		if h.mode != "" && h.mode != jobpilot.WorkOnsite && h.mode != jobpilot.WorkHybrid && h.mode != jobpilot.WorkRemote {
			t.Fatalf("mode %q from %q", h.mode, text)
		}
		if h.pay != nil {
			p := jobpilot.Posting{Source: "fuzz", ExternalID: "1", Company: "Acme", Title: "Engineer", URL: "https://acme.example/1", Pay: h.pay}
			stripNUL(&p)
			if err := p.Validate(); err != nil {
				t.Fatalf("pay %+v from %q: %v", *h.pay, text, err)
			}
		}
	})
}
