package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeATS is a loopback server answering one ATS's public endpoint for the
// boards it holds, in that API's shape, and 404 for any other name. It
// counts the requests it was sent.
type fakeATS struct {
	srv   *httptest.Server
	mu    sync.Mutex
	paths []string
}

func newFakeATS(t *testing.T, serve func(w http.ResponseWriter, r *http.Request) bool) *fakeATS {
	f := &fakeATS{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		if !serve(w, r) {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeATS) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

func writeBody(w http.ResponseWriter, contentType, body string) bool {
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write([]byte(body))
	return true
}

// `sources discover` finds each company's board on the ATS that has it,
// trying a few names each, leaves a host alone after its 429, and prints
// YAML that the configuration accepts and `fetch` imports from.
func TestSourcesDiscoverEndToEnd(t *testing.T) {
	t.Parallel()
	greenhouse := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v1/boards/acmerobotics/jobs" {
			return false
		}
		return writeBody(w, "application/json", `{"jobs":[
			{"id":101,"title":"Robotics Engineer","updated_at":"2026-11-01T10:00:00Z","location":{"name":"Munich, Germany"},
			 "absolute_url":"https://boards.greenhouse.io/acmerobotics/jobs/101","content":"&lt;p&gt;Build robots.&lt;/p&gt;","company_name":"Acme Robotics"},
			{"id":102,"title":"Firmware Engineer","updated_at":"2026-11-02T10:00:00Z","location":{"name":"Remote - Europe"},
			 "absolute_url":"https://boards.greenhouse.io/acmerobotics/jobs/102","content":"&lt;p&gt;C and Rust.&lt;/p&gt;","company_name":"Acme Robotics"}],
			"meta":{"total":2}}`)
	})
	lever := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v0/postings/acme-robotics" {
			return false
		}
		if r.URL.Query().Get("skip") != "0" {
			return writeBody(w, "application/json", `[]`)
		}
		return writeBody(w, "application/json", `[{"id":"5f1c-aa","text":"Sales Engineer","categories":{"location":"Munich","commitment":"Full-time"},
			"descriptionPlain":"Sell robots.","hostedUrl":"https://jobs.lever.co/acme-robotics/5f1c-aa","applyUrl":"https://jobs.lever.co/acme-robotics/5f1c-aa/apply",
			"createdAt":1762000000000}]`)
	})
	ashby := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	})
	workable := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/widget/accounts/globex" {
			return false
		}
		return writeBody(w, "application/json", `{"name":"Globex Corporation","description":null,"jobs":[
			{"title":"Account Executive","shortcode":"9A8B7C6D5E","employment_type":"Full-time","telecommuting":false,
			 "url":"https://apply.workable.com/j/9A8B7C6D5E","application_url":"https://apply.workable.com/j/9A8B7C6D5E/apply",
			 "published_on":"2026-11-02","country":"United States","city":"Cypress Creek","state":"Oregon","locations":[],"description":"<p>Sell.</p>"}]}`)
	})
	smartrecruiters := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		// The Posting API answers every company identifier, unknown ones with
		// an empty list.
		company, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v1/companies/"), "/")
		switch {
		case rest == "postings" && company == "initrode":
			return writeBody(w, "application/json", `{"offset":0,"limit":100,"totalFound":1,"content":[{"id":"744000011111111","name":"Payments Engineer",
				"company":{"identifier":"Initrode","name":"Initrode"},"releasedDate":"2026-11-02T10:00:00.000Z","location":{"city":"Austin","country":"us","remote":false}}]}`)
		case rest == "postings/744000011111111" && company == "initrode":
			return writeBody(w, "application/json", `{"id":"744000011111111","name":"Payments Engineer","company":{"identifier":"Initrode","name":"Initrode"},
				"location":{"city":"Austin","country":"us"},"jobAd":{"sections":{"jobDescription":{"title":"Job Description","text":"<p>Move money.</p>"}}}}`)
		case rest == "postings":
			return writeBody(w, "application/json", `{"offset":0,"limit":1,"totalFound":0,"content":[]}`)
		}
		return false
	})
	recruitee := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/hooli/api/offers/" {
			return false
		}
		return writeBody(w, "application/json", `{"offers":[{"id":42,"title":"Frontend Engineer","status":"published","company_name":"Hooli",
			"description":"<p>Pixels.</p>","location":"Amsterdam, Netherlands","hybrid":true,"careers_url":"https://hooli.recruitee.com/o/frontend-engineer"},
			{"id":43,"title":"Designer","status":"published","company_name":"Hooli","description":"<p>Shapes.</p>","location":"Amsterdam, Netherlands",
			"careers_url":"https://hooli.recruitee.com/o/designer"}]}`)
	})
	personio := newFakeATS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/umbrella/xml" {
			return false
		}
		return writeBody(w, "text/xml", `<?xml version="1.0" encoding="UTF-8"?><workzag-jobs><position><id>900</id><office>Munich</office>`+
			`<name>Lab Technician (m/f/d)</name><jobDescriptions><jobDescription><name>Role</name><value><![CDATA[<p>Pipettes.</p>]]></value>`+
			`</jobDescription></jobDescriptions><schedule>full-time</schedule></position></workzag-jobs>`)
	})

	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off", "MAX_RETRIES": "0", "SOURCE_HOST_DELAY": "0",
		"SOURCE_HOST_CONCURRENCY": "1"} // one request at a time per host: the 429 is answered before the next is sent
	args := []string{"sources", "discover", "Acme Robotics GmbH", "Globex, Inc.", "Initrode", "Hooli", "Umbrella Labs",
		"--base-url", "greenhouse=" + greenhouse.srv.URL, "--base-url", "lever=" + lever.srv.URL, "--base-url", "ashby=" + ashby.srv.URL,
		"--base-url", "workable=" + workable.srv.URL, "--base-url", "smartrecruiters=" + smartrecruiters.srv.URL,
		"--base-url", "recruitee=" + recruitee.srv.URL + "/{company}", "--base-url", "personio=" + personio.srv.URL + "/{company}"}
	code, out, errOut := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"  # Acme Robotics GmbH: 2 open job(s)\n  - type: greenhouse\n    name: acmerobotics\n    token: acmerobotics\n",
		"  # Acme Robotics GmbH: 1 open job(s)\n  - type: lever\n    name: acme-robotics\n    site: acme-robotics\n",
		"  # Globex, Inc.: 1 open job(s)\n  - type: workable\n    name: globex\n    account: globex\n",
		"  # Initrode: 1 open job(s)\n  - type: smartrecruiters\n    name: initrode\n    company: initrode\n",
		"  # Hooli: 2 open job(s)\n  - type: recruitee\n    name: hooli\n    company: hooli\n    base_url: \"" + recruitee.srv.URL + "/hooli\"\n",
		"  # Umbrella Labs: 1 open job(s)\n  - type: personio\n    name: umbrella\n    company: umbrella\n",
		"# not checked: Globex, Inc. on ashby: " + strings.TrimPrefix(ashby.srv.URL, "http://") + " answered 429",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  - type:"); n != 6 {
		t.Errorf("%d boards, want 6:\n%s", n, out)
	}
	// Polite: Ashby was asked once, then left alone; no ATS was asked more
	// than three names per company.
	if got := ashby.requests(); len(got) != 1 {
		t.Errorf("ashby asked %d times after its 429: %v", len(got), got)
	}
	if !strings.Contains(errOut, "not checked: Hooli on ashby") {
		t.Errorf("stderr lacks the companies not checked on ashby:\n%s", errOut)
	}
	for name, f := range map[string]*fakeATS{"greenhouse": greenhouse, "workable": workable, "recruitee": recruitee, "personio": personio} {
		if n := len(f.requests()); n > 3*5 {
			t.Errorf("%s asked %d times for 5 companies", name, n)
		}
	}
	if got := strings.Join(personio.requests(), " "); !strings.Contains(got, "/umbrella-labs/xml /umbrellalabs/xml /umbrella/xml") &&
		!regexp.MustCompile(`umbrella-labs.*umbrellalabs.*/umbrella/xml`).MatchString(got) {
		t.Errorf("personio names tried, in order: %s", got)
	}

	// The YAML is a configuration: it passes config check and fetch imports
	// every board from it.
	cfgFile := filepath.Join(dir, "jobpilot.yaml")
	if err := os.WriteFile(cfgFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, cOut, cErr := runCLI(t, env, "--config", cfgFile, "config", "check"); code != 0 {
		t.Fatalf("config check: exit %d\n%s\n%s", code, cOut, cErr)
	}
	code, fOut, fErr := runCLI(t, env, "--config", cfgFile, "fetch")
	if code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, fOut, fErr)
	}
	for _, want := range []string{`greenhouse:acmerobotics\s+2\s+2`, `lever:acme-robotics\s+1\s+1`, `workable:globex\s+1\s+1`,
		`smartrecruiters:initrode\s+1\s+1`, `recruitee:hooli\s+2\s+2`, `personio:umbrella\s+1\s+1`, `TOTAL\s+8\s+8`} {
		if !regexp.MustCompile(want).MatchString(fOut) {
			t.Errorf("fetch table lacks %s:\n%s", want, fOut)
		}
	}
}

// Bad flags are usage errors (exit 2) naming the flag.
func TestSourcesDiscoverUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "hn"}, `--type "hn": must be one of greenhouse, lever, ashby, workable, smartrecruiters, recruitee, personio`},
		{[]string{"--base-url", "indeed=http://x"}, `"indeed" must be one of`},
		{[]string{"--base-url", "lever=ftp://x"}, `must be an http(s) URL`},
		{[]string{"--max-slugs", "0"}, `--max-slugs must be 1 or more`},
	} {
		code, _, errOut := runCLI(t, map[string]string{"JOBPILOT_EXAMPLES": "off"}, append([]string{"sources", "discover", "Acme"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
