package source_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

// The boards added after the first three, read from fixtures in their APIs'
// real shapes: what each posting keeps (pay, every place, work mode,
// employment type, links as "text (url)") is checked here and in full
// against the golden files.

func TestWorkableFixture(t *testing.T) {
	b := newBoard(t, map[string]string{"/api/v1/widget/accounts/tyrell": "workable_tyrell.json"})
	ps := fetch(t, mustNew(t, source.Spec{Type: "workable", Name: "tyrell", BaseURL: b.srv.URL, Keys: map[string]string{"account": "tyrell"}}, nil))
	golden(t, "workable_tyrell", ps)
	m := byID(ps)
	if len(m) != 3 {
		t.Fatalf("%d postings, want 3", len(m))
	}
	be := m["8F2A1C9B0E"]
	if be.Company != "Tyrell Corporation" || be.Location != "Berlin, Germany" || !reflect.DeepEqual(be.Locations, []string{"Berlin, Germany", "Amsterdam, North Holland, Netherlands"}) {
		t.Errorf("company and places (the hidden location left out): %q %q %v", be.Company, be.Location, be.Locations)
	}
	if be.EmploymentType != jobpilot.EmploymentFullTime || be.ApplyURL != "https://apply.workable.com/j/8F2A1C9B0E/apply" {
		t.Errorf("employment and apply URL: %+v", be)
	}
	contains(t, be.Description, "needs a steady hand (https://tyrell.example/platform) and good judgement", "- Go & PostgreSQL")
	if p := be.Pay; p == nil || p.Min != 75000 || p.Max != 95000 || p.Currency != "EUR" || p.Period != jobpilot.PayYear {
		t.Errorf("the salary line of the description: %+v", p)
	}
	if sre := m["3D7E5F1A2B"]; !sre.Remote || sre.WorkMode != jobpilot.WorkRemote || sre.EmploymentType != jobpilot.EmploymentContract {
		t.Errorf("telecommuting contract: %+v", sre)
	}
	if d := m["C0FFEE1234"]; d.WorkMode != jobpilot.WorkHybrid || d.Remote || d.EmploymentType != jobpilot.EmploymentPartTime {
		t.Errorf("hybrid part-time: %+v", d)
	}
}

// initrodeFiles is a SmartRecruiters company of three postings, with the
// details of the first two.
var initrodeFiles = map[string]string{
	"/v1/companies/Initrode/postings":                 "smartrecruiters_list.json",
	"/v1/companies/Initrode/postings/744000056789012": "smartrecruiters_744000056789012.json",
	"/v1/companies/Initrode/postings/744000056789013": "smartrecruiters_744000056789013.json",
}

func TestSmartRecruitersFixture(t *testing.T) {
	b := newBoard(t, initrodeFiles) // 744000056789014's details are gone (404): the list's fields hold
	ps := fetch(t, mustNew(t, source.Spec{Type: "smartrecruiters", Name: "initrode", BaseURL: b.srv.URL, Keys: map[string]string{"company": "Initrode"}}, nil))
	golden(t, "smartrecruiters_initrode", ps)
	m := byID(ps)
	if len(m) != 3 {
		t.Fatalf("%d postings, want 3", len(m))
	}
	de := m["744000056789012"]
	if de.Company != "Initrode Global" || de.WorkMode != jobpilot.WorkHybrid || de.Location != "Lisbon, Lisbon, Portugal" ||
		de.URL != "https://jobs.smartrecruiters.com/Initrode/744000056789012-data-engineer" {
		t.Errorf("data engineer: %+v", de)
	}
	contains(t, de.Description, "Company Description", "money for 4,000 banks (https://initrode.example/customers).", "- Build pipelines in Python & SQL",
		"Additional Information")
	if p := de.Pay; p == nil || p.Min != 55000 || p.Max != 70000 || p.Currency != "EUR" {
		t.Errorf("pay from the additional information: %+v", p)
	}
	if staff := m["744000056789013"]; !staff.Remote || staff.Location != "United States" || staff.Pay == nil || staff.Pay.Max != 230000 {
		t.Errorf("remote posting: %+v", staff)
	}
	ws := m["744000056789014"]
	if ws.Description != "" || ws.EmploymentType != jobpilot.EmploymentInternship || ws.Location != "Munich, Bavaria, DE" ||
		ws.URL != "https://jobs.smartrecruiters.com/Initrode/744000056789014" {
		t.Errorf("posting without details: %+v", ws)
	}
	if n := b.count("/v1/companies/Initrode/postings"); n != 1 {
		t.Errorf("%d list requests for a board of 3, want 1", n)
	}
}

// max_details bounds the requests for descriptions; the postings beyond it
// are still listed.
func TestSmartRecruitersMaxDetails(t *testing.T) {
	b := newBoard(t, initrodeFiles)
	ps := fetch(t, mustNew(t, source.Spec{Type: "smartrecruiters", Name: "initrode", BaseURL: b.srv.URL,
		Keys: map[string]string{"company": "Initrode", "max_details": "1"}}, nil))
	if len(ps) != 3 {
		t.Fatalf("%d postings, want 3", len(ps))
	}
	if n := b.count("/v1/companies/Initrode/postings/744000056789013"); n != 0 {
		t.Errorf("details asked beyond max_details")
	}
	if m := byID(ps); m["744000056789012"].Description == "" || m["744000056789013"].Description != "" {
		t.Errorf("the first posting has its text, the second none: %+v", ps)
	}
	if _, err := source.New(source.Spec{Type: "smartrecruiters", Name: "x", Keys: map[string]string{"company": "x", "max_details": "many"}}, nil); err == nil ||
		!strings.Contains(err.Error(), "sources.max_details: must be a whole number") {
		t.Errorf("bad max_details: %v", err)
	}
}

func TestRecruiteeFixture(t *testing.T) {
	b := newBoard(t, map[string]string{"/hooli/api/offers/": "recruitee_hooli.json"})
	ps := fetch(t, mustNew(t, source.Spec{Type: "recruitee", Name: "hooli", BaseURL: b.srv.URL + "/{company}", Keys: map[string]string{"company": "hooli"}}, nil))
	golden(t, "recruitee_hooli", ps)
	m := byID(ps)
	if len(m) != 2 {
		t.Fatalf("%d postings, want the 2 published", len(m))
	}
	fe := m["1873402"]
	if fe.WorkMode != jobpilot.WorkHybrid || !reflect.DeepEqual(fe.Locations, []string{"Amsterdam, Netherlands", "Rotterdam, Netherlands"}) || fe.EmploymentType != jobpilot.EmploymentFullTime {
		t.Errorf("hybrid, two places, full time: %+v", fe)
	}
	if p := fe.Pay; p == nil || p.Min != 65000 || p.Max != 85000 || p.Currency != "EUR" || p.Period != jobpilot.PayYear {
		t.Errorf("salary given as strings: %+v", p)
	}
	contains(t, fe.Description, "is hiring. Read about the team (https://hooli.example/xyz) first.", "Requirements", "- TypeScript & React")
	if s := m["1873410"]; !s.Remote || s.Pay != nil || s.EmploymentType != jobpilot.EmploymentPartTime {
		t.Errorf("remote, null salary: %+v", s)
	}
	if _, err := source.New(source.Spec{Type: "recruitee", Name: "x", Keys: map[string]string{"company": "Hooli Inc"}}, nil); err == nil ||
		!strings.Contains(err.Error(), "sources.company: must be the lowercase name in the board's address") {
		t.Errorf("a company that cannot be a host name: %v", err)
	}
}

func TestPersonioFixture(t *testing.T) {
	b := newBoard(t, map[string]string{"/xml": "personio_umbrella.xml"})
	ps := fetch(t, mustNew(t, source.Spec{Type: "personio", Name: "umbrella", BaseURL: b.srv.URL, Keys: map[string]string{"company": "umbrella"}}, nil))
	m := byID(ps)
	for i := range ps { // the loopback board's address, and so the hash, changes with every run
		ps[i].ContentHash = ""
		ps[i].URL = strings.Replace(ps[i].URL, b.srv.URL, "https://umbrella.jobs.personio.de", 1)
		ps[i].ApplyURL = strings.Replace(ps[i].ApplyURL, b.srv.URL, "https://umbrella.jobs.personio.de", 1)
	}
	golden(t, "personio_umbrella", ps)
	ml := m["1523987"]
	if ml.Company != "Umbrella Labs GmbH" || !reflect.DeepEqual(ml.Locations, []string{"Munich", "Hamburg", "Remote"}) || !ml.Remote ||
		ml.EmploymentType != jobpilot.EmploymentFullTime || ml.URL != b.srv.URL+"/job/1523987" {
		t.Errorf("ML engineer: %+v", ml)
	}
	contains(t, ml.Description, "Your mission", "models that our research (https://umbrella.example/research) depends on.", "- Python & Rust", "What we offer")
	if ws := m["1524001"]; ws.Company != "umbrella" || ws.EmploymentType != jobpilot.EmploymentInternship || !strings.Contains(ws.Description, "Unterstütze") {
		t.Errorf("working student: %+v", ws)
	}
	if r := b.requests[0]; r.URL.Query().Get("language") != "en" || !strings.Contains(r.Header.Get("Accept"), "xml") {
		t.Errorf("request %s, Accept %q", r.URL, r.Header.Get("Accept"))
	}
}

func TestFeedFixtures(t *testing.T) {
	b := newBoard(t, map[string]string{"/jobs.rss": "feed_rss.xml", "/jobs.atom": "feed_atom.xml"})
	rss := fetch(t, mustNew(t, source.Spec{Type: "feed", Name: "soylent", Keys: map[string]string{"url": b.srv.URL + "/jobs.rss"}}, nil))
	atom := fetch(t, mustNew(t, source.Spec{Type: "feed", Name: "massive", Keys: map[string]string{"url": b.srv.URL + "/jobs.atom"}}, nil))
	golden(t, "feed_rss", rss)
	golden(t, "feed_atom", atom)
	r := byID(rss)
	be := r["https://soylent.example/careers/backend-engineer"]
	if be.Company != "Soylent Careers" || !be.Remote || !reflect.DeepEqual(be.RemoteRegions, []string{"Europe"}) ||
		be.URL != "https://soylent.example/careers/backend-engineer" || be.Pay == nil || be.Pay.Min != 70000 {
		t.Errorf("RSS item: %+v", be)
	}
	contains(t, be.Description, "anywhere in Europe. Our handbook (https://soylent.example/handbook) explains how.")
	if cafe := r["soylent-cafe-7"]; cafe.Title != "Café Manager" || cafe.Location != "Zürich, Switzerland" || !strings.Contains(cafe.Description, "Run our café in Zürich.") {
		t.Errorf("ISO-8859-1 item: %+v", cafe)
	}
	a := byID(atom)
	sec := a["urn:uuid:0b7e2c4d-1111-4a2b-8c3d-9e0f1a2b3c4d"]
	if sec.Company != "Massive Dynamic — open roles" || sec.URL != "https://massive.example/jobs/security-engineer" {
		t.Errorf("Atom entry: %+v", sec)
	}
	contains(t, sec.Description, "See our security page (https://massive.example/security).", "- Threat modelling")
	if tw := a["urn:uuid:0b7e2c4d-2222-4a2b-8c3d-9e0f1a2b3c4d"]; tw.Description != "Contract, six months." || tw.PublishedAt.IsZero() {
		t.Errorf("Atom entry with escaped HTML: %+v", tw)
	}
	// Not a feed: an HTML page is a permanent error naming the problem.
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/page" {
			_, _ = w.Write([]byte("<!DOCTYPE html><html><body>Sign in</body></html>"))
			return true
		}
		return false
	}
	_, err := mustNew(t, source.Spec{Type: "feed", Name: "page", Keys: map[string]string{"url": b.srv.URL + "/page"}}, nil).Fetch(t.Context())
	if !errors.Is(err, jobpilot.ErrPermanent) || !strings.Contains(err.Error(), "not <rss> or <feed> or <rdf>") {
		t.Errorf("an HTML page: %v", err)
	}
}

func contains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
}

// Details refused (403) leave the list's fields; details that keep failing
// (503) fail the fetch, so that nothing is closed on a partial read.
func TestSmartRecruitersDetailsFailures(t *testing.T) {
	b := newBoard(t, initrodeFiles)
	var status atomic.Int32
	status.Store(http.StatusForbidden)
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v1/companies/Initrode/postings/744000056789013" {
			http.Error(w, "no", int(status.Load()))
			return true
		}
		return false
	}
	spec := source.Spec{Type: "smartrecruiters", Name: "initrode", BaseURL: b.srv.URL, Keys: map[string]string{"company": "Initrode"}}
	ps := fetch(t, mustNew(t, spec, nil))
	if m := byID(ps); len(m) != 3 || m["744000056789013"].Title != "Staff Software Engineer, Payments" || m["744000056789013"].Description != "" {
		t.Fatalf("a refused details request: %+v", ps)
	}
	status.Store(http.StatusServiceUnavailable)
	if _, err := mustNew(t, spec, nil).Fetch(t.Context()); !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("failing details: %v, want a transient error", err)
	}
}
