package source_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

// hnStyles fetches testdata/hn_thread_styles.json: a thread whose comments
// use the header styles real threads use (issue 14, findings 2 to 4).
func hnStyles(t *testing.T) map[string]jobpilot.Posting {
	t.Helper()
	b := newBoard(t, map[string]string{"/api/v1/items/45900000": "hn_thread_styles.json"})
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/search_by_date" {
			return false
		}
		fmt.Fprint(w, `{"hits":[{"objectID":"45900000","title":"Ask HN: Who is hiring? (December 2026)","created_at_i":1796140800,"author":"whoishiring"}]}`)
		return true
	}
	return byID(fetch(t, mustNew(t, source.Spec{Type: "hn", Name: "hn", BaseURL: b.srv.URL}, nil)))
}

func TestHNCommentStyles(t *testing.T) {
	ps := hnStyles(t)
	type want struct {
		company, title, location, mode, email, employment string
		regions, roles                                    string
	}
	for id, w := range map[string]want{
		// " — " separators, pay and regions.
		"45901001": {"Acme Corp", "Senior Backend Engineer", "Remote", "remote", "", "", "[USA]", "[]"},
		// " - " separators; a bare "at" before a real domain.
		"45901002": {"Globex", "Staff SRE", "New York, NY", "", "sre-jobs@globex.dev", "full_time", "[]", "[]"},
		// Two fields; "directly at first dot last at company dot com".
		"45901003": {"Initech", "Founding Engineer", "", "", "peter.gibbons@initech.com", "", "[]", "[]"},
		// Prose with "@"; "[at]" with a spelled-out "dot".
		"45901004": {"Hooli", "Founding Engineer", "San Francisco", "onsite", "hiring@hooli.ai", "", "[]", "[]"},
		// "Remote (USA)" and "Full-Time" are never the title.
		"45901005": {"Umbrella", "Senior Data Engineer", "Boston, MA", "remote", "", "full_time", "[USA]", "[]"},
		// A URL is never the title.
		"45901006": {"Stark Industries", "Backend Engineer", "Remote", "remote", "", "", "[]", "[]"},
		// A role is never the location; both roles kept.
		"45901007": {"Wayne Enterprises", "Frontend Engineer, Product Designer", "Seattle, WA", "onsite", "", "", "[]", "[Frontend Engineer Product Designer]"},
		"45901008": {"Cyberdyne", "ML Engineer", "Remote", "remote", "jobs@cyberdyne.example.org", "", "[EU]", "[]"},
		// Roles listed below a "Multiple roles" header.
		"45901009": {"Soylent", "Senior Backend Engineer, Data Scientist, Engineering Manager", "Amsterdam", "hybrid", "", "", "[]",
			"[Senior Backend Engineer Data Scientist Engineering Manager]"},
		// A first line of prose: the company is its name, not 190 characters.
		"45901010": {"Tyrell Labs", "Senior Backend Engineer", "Berlin", "remote", "", "", "[EU]", "[]"},
		"45901011": {"Vandelay Industries", "Import/Export Analyst", "Remote", "remote", "art@vandelay.io", "", "[]", "[]"},
		"45901012": {"Pied Piper", "Platform Engineer", "Palo Alto, CA", "onsite", "richard@piedpiper.dev", "", "[]", "[]"},
		"45901013": {"Dunder Mifflin", "Senior Frontend Developer", "Scranton, PA", "hybrid", "", "", "[]", "[]"},
		"45901014": {"Massive Dynamic", "Senior Engineer", "Remote", "remote", "", "contract", "[US Canada]", "[]"},
		"45901015": {"Oscorp", "Backend Developer (Go)", "Berlin", "", "jobs@oscorp.example.de", "full_time", "[]", "[]"},
		"45901016": {"Cyberdyne Systems", "Robotics Engineer", "Los Angeles, CA", "", "", "", "[]", "[]"},
		"45901017": {"Aperture Science", "Senior Test Engineer", "Remote", "remote", "glados@aperture.science", "", "[US]", "[]"},
		"45901019": {"Nakatomi Trading", "Backend Engineer, Site Reliability Engineer, Engineering Manager", "Remote", "remote", "hr@nakatomi.example.com", "full_time", "[]",
			"[Backend Engineer Site Reliability Engineer Engineering Manager]"},
	} {
		p, ok := ps[id]
		if !ok {
			t.Errorf("%s: not read as a posting", id)
			continue
		}
		got := want{p.Company, p.Title, p.Location, p.WorkMode, p.ContactEmail, p.EmploymentType, fmt.Sprint(p.RemoteRegions), fmt.Sprint(p.Roles)}
		if got.regions == "[]" && p.RemoteRegions == nil {
			got.regions = "[]"
		}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", id, got, w)
		}
	}
	if _, ok := ps["45901018"]; ok {
		t.Error("a question with pipes read as a posting")
	}
	if n := len(ps); n != 18 {
		t.Errorf("%d postings, want 18 (replies and the question left out)", n)
	}
	if p := ps["45901001"].Pay; p == nil || p.Min != 180000 || p.Max != 220000 || p.Currency != "USD" {
		t.Errorf("pay from the header: %+v", p)
	}
	if p := ps["45901014"].Pay; p == nil || p.Period != "hour" || p.Max != 110 {
		t.Errorf("hourly pay: %+v", p)
	}
	if got := ps["45901006"].ApplyURL; got != "https://stark.example.com/careers" {
		t.Errorf("apply URL %q", got)
	}
	if d := ps["45901008"].Description; !strings.Contains(d, "work on:\n- PyTorch training at scale\n- Kubernetes\n- Go services\n\nContact") {
		t.Errorf("bullets run together:\n%s", d)
	}
	for id, p := range ps {
		if len(p.Company) > 80 || strings.ContainsAny(p.Company+p.Title, "|\n") {
			t.Errorf("%s: company %q, title %q", id, p.Company, p.Title)
		}
	}
}
