package source_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/source"
)

func fastPolicy() *testPolicy {
	return &testPolicy{retries: 3, delay: time.Millisecond, maxDelay: 150 * time.Millisecond, timeout: 2 * time.Second}
}

func clientWith(p jobpilot.Executor) *source.Client {
	return source.NewClient(source.ClientOptions{Policies: func(string) jobpilot.Executor { return p }})
}

func mustNew(t *testing.T, cfg source.Spec, c *source.Client) jobpilot.Source {
	t.Helper()
	s, err := source.New(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fetch(t *testing.T, s jobpilot.Source) []jobpilot.Posting {
	t.Helper()
	ps, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := p.Validate(); err != nil || p.Fingerprint == "" || p.ContentHash == "" || p.Source != s.Name() {
			t.Errorf("posting %s not normalised: %v %+v", p.ExternalID, err, p)
		}
	}
	return ps
}

func TestGreenhouseFixture(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil)
	ps := fetch(t, s)
	golden(t, "greenhouse_acme", ps)
	if len(ps) != 4 {
		t.Fatalf("got %d postings, want 4 (the untitled draft left out)", len(ps))
	}
	if q := b.requests[0].URL.RawQuery; q != "content=true" {
		t.Errorf("query %q", q)
	}
	if ua := b.requests[0].Header.Get("User-Agent"); !strings.HasPrefix(ua, "jobpilot/") || !strings.Contains(ua, "github.com/jobpilot/jobpilot") {
		t.Errorf("User-Agent %q", ua)
	}
	d := ps[0].Description
	for _, want := range []string{"robots & the software", "- Design services in Go", "  - PostgreSQL", "1. 5+ years — backend", "2. Kubernetes & AWS", "Requirements\n\n1."} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
	for _, bad := range []string{"track(", "color:red", "&amp;", "&lt;", "<"} {
		if strings.Contains(d, bad) {
			t.Errorf("description keeps %q:\n%s", bad, d)
		}
	}
	if !strings.Contains(ps[1].Description, "東京オフィス") || ps[1].Title != "Développeur·se Go – Équipe Données" {
		t.Errorf("non-Latin text damaged: %q / %q", ps[1].Title, ps[1].Description)
	}
	if ps[2].Company != "acme" || !ps[2].Remote || ps[2].Description != "" {
		t.Errorf("missing company_name/content: %+v", ps[2])
	}
}

func TestLeverPaging(t *testing.T) {
	b := newBoard(t, nil)
	all := readLever(t)
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		var skip, limit int
		fmt.Sscan(r.URL.Query().Get("skip"), &skip)
		fmt.Sscan(r.URL.Query().Get("limit"), &limit)
		if r.URL.Path != "/v0/postings/globex" || r.URL.Query().Get("mode") != "json" || limit == 0 {
			http.Error(w, "bad request", 400)
			return true
		}
		end := min(skip+limit, len(all))
		fmt.Fprint(w, "["+strings.Join(all[min(skip, end):end], ",")+"]")
		return true
	}
	s := mustNew(t, source.Spec{Type: "lever", Name: "globex", BaseURL: b.srv.URL, Keys: map[string]string{"site": "globex"}}, nil)
	source.SetLeverPageSize(s, 2)
	ps := fetch(t, s)
	golden(t, "lever_globex", ps)
	if len(ps) != 6 || len(b.requests) != 4 {
		t.Fatalf("%d postings in %d requests, want 6 in 4", len(ps), len(b.requests))
	}
	for i, r := range b.requests {
		if got := r.URL.Query().Get("skip"); got != fmt.Sprint(i*2) {
			t.Errorf("request %d skip=%s", i, got)
		}
	}
	if !strings.Contains(ps[0].Description, "Requirements\n\n- Go or Rust\n- PostgreSQL at scale") {
		t.Errorf("lists lost: %q", ps[0].Description)
	}
}

// readLever splits the Lever fixture into its JSON objects.
func readLever(t *testing.T) []string {
	t.Helper()
	var raw []jsonRaw
	readJSON(t, "lever_globex.json", &raw)
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = string(r)
	}
	return out
}

func TestAshbyFixture(t *testing.T) {
	b := newBoard(t, map[string]string{"/posting-api/job-board/initech": "ashby_initech.json"})
	ps := fetch(t, mustNew(t, source.Spec{Type: "ashby", Name: "initech", BaseURL: b.srv.URL, Keys: map[string]string{"org": "initech"}}, nil))
	golden(t, "ashby_initech", ps)
	if len(ps) != 4 {
		t.Fatalf("got %d postings, want 4 (the unlisted one left out)", len(ps))
	}
	if !ps[1].Remote || !strings.Contains(ps[1].Description, "Équipe répartie") {
		t.Errorf("%+v", ps[1])
	}
}

func TestHNFixture(t *testing.T) {
	b := newBoard(t, map[string]string{
		"/api/v1/search_by_date": "hn_search.json",
		"/api/v1/items/45800000": "hn_thread.json",
	})
	ps := fetch(t, mustNew(t, source.Spec{Type: "hn", Name: "hn", BaseURL: b.srv.URL}, nil))
	golden(t, "hn", ps)
	if got := b.requests[0].URL.Query().Get("tags"); got != "story,author_whoishiring" {
		t.Errorf("tags=%q", got)
	}
	type want struct {
		id, company, title, location, email string
		remote                              bool
	}
	wants := []want{
		{"45800101", "Acme Robotics", "Senior Backend Engineer", "Berlin, Germany", "jane@acme-robotics.com", true},
		{"45800102", "Globex", "Data Engineer", "San Francisco", "hiring@globex.io", false},
		{"45800103", "Café Société AG", "Développeur Full-Stack", "Zürich", "emploi@cafe-societe.ch", false},
		{"45800107", "株式会社サンプル", "バックエンドエンジニア", "東京", "jobs@sample.co.jp", true},
	}
	if len(ps) != len(wants) {
		t.Fatalf("got %d postings, want %d (replies, not-hiring, questions and deleted comments left out)", len(ps), len(wants))
	}
	for i, w := range wants {
		p := ps[i]
		got := want{p.ExternalID, p.Company, p.Title, p.Location, p.ContactEmail, p.Remote}
		if got != w {
			t.Errorf("posting %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if ps[0].ApplyURL != "https://acme-robotics.com/careers/42" {
		t.Errorf("apply URL %q", ps[0].ApplyURL)
	}
}

func TestJSONFeed(t *testing.T) {
	check := func(t *testing.T, ps []jobpilot.Posting) {
		t.Helper()
		if len(ps) != 2 {
			t.Fatalf("got %d postings, want 2 (invalid ones left out): %+v", len(ps), ps)
		}
		if ps[0].ID != 0 || ps[0].ContactEmail != "jobs@hooli.example" || !ps[0].Remote || ps[0].PublishedAt.IsZero() {
			t.Errorf("first: %+v", ps[0])
		}
		if ps[1].ExternalID != "https://hooli.example/jobs/43" || ps[1].Description != "HTML description\n\n- Figma" {
			t.Errorf("second: %+v", ps[1])
		}
		// Issue 14, finding 7: a feed entry cannot pass itself off as
		// jobpilot's fictional example data.
		if ps[1].Example {
			t.Error(`"example": true taken from the feed`)
		}
		if p := ps[1].Pay; p == nil || *p != (jobpilot.Pay{Min: 30, Max: 40, Currency: "EUR", Period: "hour", Text: "€30–40 an hour"}) ||
			ps[1].WorkMode != jobpilot.WorkHybrid || ps[1].EmploymentType != jobpilot.EmploymentPartTime || len(ps[1].Locations) != 2 {
			t.Errorf("details: %+v %+v", ps[1], p)
		}
	}
	t.Run("file", func(t *testing.T) {
		abs, _ := filepath.Abs("testdata/feed.json")
		ps := fetch(t, mustNew(t, source.Spec{Type: "json", Name: "hooli", Keys: map[string]string{"url": abs}}, nil))
		golden(t, "feed", ps)
		check(t, ps)
	})
	t.Run("url", func(t *testing.T) {
		b := newBoard(t, map[string]string{"/feed.json": "feed.json"})
		check(t, fetch(t, mustNew(t, source.Spec{Type: "json", Name: "hooli", Keys: map[string]string{"url": b.srv.URL + "/feed.json"}}, nil)))
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := mustNew(t, source.Spec{Type: "json", Name: "x", Keys: map[string]string{"url": "testdata/nope.json"}}, nil).Fetch(context.Background())
		if !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Errorf("err %v", err)
		}
	})
	t.Run("not a feed", func(t *testing.T) {
		_, err := mustNew(t, source.Spec{Type: "json", Name: "x", Keys: map[string]string{"url": "testdata/hn_search.json"}}, nil).Fetch(context.Background())
		if !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("err %v", err)
		}
	})
}

func TestNewInvalid(t *testing.T) {
	for _, cfg := range []source.Spec{
		{Type: "greenhouse", Name: "a"},
		{Type: "lever", Name: "a"},
		{Type: "ashby", Name: "a"},
		{Type: "json", Name: "a"},
		{Type: "monster", Name: "a"},
		{Type: "hn"},
		{Type: "hn", Name: "a b"},
		{Type: "hn", Name: "a", BaseURL: "ftp://x"},
		{Type: "greenhouse", Name: "a", Keys: map[string]string{"token": "t", "site": "s"}},
	} {
		if _, err := source.New(cfg, nil); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("%+v: err %v, want EINVALID", cfg, err)
		}
	}
}

func TestFilter(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	for _, tc := range []struct {
		f    source.Filter
		want []string
	}{
		{source.Filter{TitleKeywords: []string{"backend engineer", "go"}}, []string{"4012345", "4012346"}},
		{source.Filter{Locations: []string{"zürich"}}, []string{"4012346"}},
		// Issue 14, finding 6: every location counts, not only the first.
		{source.Filter{Locations: []string{"Lisbon", "Vienna"}}, []string{"4012345", "4012349"}},
		{source.Filter{Locations: []string{"Berlin", "remote"}}, []string{"4012345", "4012347"}},
		{source.Filter{RemoteOnly: true}, []string{"4012347"}},
		{source.Filter{TitleKeywords: []string{"engine"}}, nil},
	} {
		ps := fetch(t, mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Filter: tc.f, Keys: map[string]string{"token": "acme"}}, nil))
		var ids []string
		for _, p := range ps {
			ids = append(ids, p.ExternalID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.f, ids, tc.want)
		}
	}
}

func TestRetryThen200(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	fails := 2
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	pol := fastPolicy()
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, clientWith(pol))
	st := newMemStore()
	reps := source.FetchAll(context.Background(), []jobpilot.Source{s}, st, nil)
	if reps[0].Err != nil || reps[0].Fetched != 4 || reps[0].Result.New != 4 {
		t.Fatalf("report %+v", reps[0])
	}
	if n, delays := pol.recorded(); n != 3 || len(delays) != 2 {
		t.Errorf("%d attempts, delays %v; want 3 attempts", n, delays)
	}
}

func Test404FailsAtOnceOthersImport(t *testing.T) {
	b := newBoard(t, map[string]string{
		"/posting-api/job-board/initech": "ashby_initech.json",
		"/v1/boards/acme/jobs":           "greenhouse_acme.json",
	})
	pol := fastPolicy()
	c := clientWith(pol)
	gone := mustNew(t, source.Spec{Type: "greenhouse", Name: "gone", BaseURL: b.srv.URL, Keys: map[string]string{"token": "gone"}}, c)
	srcs := []jobpilot.Source{
		gone,
		mustNew(t, source.Spec{Type: "ashby", Name: "initech", BaseURL: b.srv.URL, Keys: map[string]string{"org": "initech"}}, c),
		mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c),
	}
	st := newMemStore()
	var progress []string
	reps := source.FetchAll(context.Background(), srcs, st, func(r source.Report) { progress = append(progress, r.Source) })
	err := reps[0].Err
	var se *source.StatusError
	if !errors.Is(err, jobpilot.ErrPermanent) || !errors.As(err, &se) || se.Status != 404 {
		t.Fatalf("err %v, want a permanent 404", err)
	}
	for _, want := range []string{"/v1/boards/gone/jobs", "404", "no such board"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := b.count("/v1/boards/gone/jobs"); n != 1 {
		t.Errorf("404 requested %d times, want once", n)
	}
	if reps[1].Err != nil || reps[1].Result.New != 4 || reps[2].Err != nil || reps[2].Result.New != 4 {
		t.Errorf("others: %+v %+v", reps[1], reps[2])
	}
	if len(progress) != 3 {
		t.Errorf("progress %v", progress)
	}
	if b.maxIn > source.DefaultHostConcurrency {
		t.Errorf("%d requests at once on one host, want at most %d", b.maxIn, source.DefaultHostConcurrency)
	}
}

func TestHangingSourceCutOff(t *testing.T) {
	release := make(chan struct{})
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "hang") {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return true
		}
		return false
	}
	defer close(release)
	// A hanging board on its own host, so the per-host slot does not hold
	// up the healthy one.
	hang := newBoard(t, nil)
	hang.handle = b.handle
	// The hanging board's attempts time out after 50 ms; the healthy one
	// has a generous timeout, so a loaded machine never cuts it off.
	pol := &testPolicy{retries: 1, delay: time.Millisecond, maxDelay: time.Millisecond, timeout: 50 * time.Millisecond}
	roomy := &testPolicy{retries: 1, delay: time.Millisecond, maxDelay: time.Millisecond, timeout: 10 * time.Second}
	c := source.NewClient(source.ClientOptions{Policies: func(name string) jobpilot.Executor {
		if strings.Contains(name, "hang") {
			return pol
		}
		return roomy
	}})
	srcs := []jobpilot.Source{
		mustNew(t, source.Spec{Type: "greenhouse", Name: "hang", BaseURL: hang.srv.URL, Keys: map[string]string{"token": "hang"}}, c),
		mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c),
	}
	start := time.Now()
	reps := source.FetchAll(context.Background(), srcs, newMemStore(), nil)
	if err := reps[0].Err; !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("err %v, want a transient deadline", err)
	}
	if n, _ := pol.recorded(); n < 2 {
		t.Errorf("%d attempts", n)
	}
	if el := time.Since(start); el > 30*time.Second { // only a hang: the timeout is 50 ms
		t.Errorf("took %v", el)
	}
	if reps[1].Err != nil || reps[1].Result.New != 4 {
		t.Errorf("healthy source: %+v", reps[1])
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Mon, 02 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Mon, 02 Nov 2026 09:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		got, ok := resilience.ParseRetryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}

	// The client hands the delay to the policy, which honours it (capped).
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	first := true
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if first {
			first = false
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		return false
	}
	pol := &testPolicy{retries: 2, delay: time.Millisecond, maxDelay: 40 * time.Millisecond, timeout: time.Second}
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, clientWith(pol))
	if ps := fetch(t, s); len(ps) != 4 {
		t.Fatalf("%d postings", len(ps))
	}
	if _, delays := pol.recorded(); len(delays) != 1 || delays[0] != 40*time.Millisecond {
		t.Errorf("delays %v, want the Retry-After of 7s capped at 40ms", delays)
	}

	// Without retries the error itself carries the delay.
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	}
	_, err := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil).Fetch(context.Background())
	if d, ok := jobpilot.RetryAfter(err); !ok || d != 7*time.Second || !errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("err %v: retry after %v %v", err, d, ok)
	}
}

func TestCloseMissingOnlyAfterFullFetch(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil)
	st := newMemStore()
	ctx := context.Background()
	if r := source.FetchAll(ctx, []jobpilot.Source{s}, st, nil)[0]; r.Err != nil || r.Result.New != 4 {
		t.Fatalf("%+v", r)
	}
	// A failed fetch closes nothing.
	b.handle = func(w http.ResponseWriter, r *http.Request) bool { http.Error(w, "down", 502); return true }
	if r := source.FetchAll(ctx, []jobpilot.Source{s}, st, nil)[0]; r.Err == nil || r.Result != (jobpilot.UpsertResult{}) {
		t.Fatalf("%+v", r)
	}
	if got := st.open("greenhouse:acme"); len(got) != 4 {
		t.Fatalf("open after a failure: %v", got)
	}
	// A full fetch without one posting closes it.
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Fprint(w, `{"jobs":[{"id":4012345,"title":"Senior Backend Engineer (Go)","company_name":"Acme Robotics","location":{"name":"Berlin, Germany"},"absolute_url":"https://boards.greenhouse.io/acme/jobs/4012345","content":"changed"}]}`)
		return true
	}
	r := source.FetchAll(ctx, []jobpilot.Source{s}, st, nil)[0]
	if r.Err != nil || r.Result != (jobpilot.UpsertResult{Updated: 1, Closed: 3}) {
		t.Fatalf("%+v", r)
	}
	if got := st.open("greenhouse:acme"); fmt.Sprint(got) != "[4012345]" {
		t.Errorf("open %v", got)
	}
}

func TestCanceledFetchAll(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, clientWith(fastPolicy()))
	r := source.FetchAll(ctx, []jobpilot.Source{s}, newMemStore(), nil)[0]
	if !errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, jobpilot.ErrTransient) {
		t.Errorf("err %v, want our own cancellation, unclassified", r.Err)
	}
}

func TestBodyLimit(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	c := source.NewClient(source.ClientOptions{MaxBody: 100})
	_, err := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c).Fetch(context.Background())
	if !errors.Is(err, jobpilot.ErrPermanent) || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("err %v", err)
	}
}

// The same job on two boards, in two cities, shares one fingerprint, which
// is what makes it a single application in the store.
func TestSameJobTwoSourcesOneFingerprint(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/feed" {
			return false
		}
		fmt.Fprint(w, `[{"external_id":"x1","company":"ACME Robotics","title":"Développeur·se Go – Équipe Données","location":"Genève",`+
			`"description":"<p>Vous rejoindrez l'équipe « Données » à Zürich.  Straße, façade, naïve.</p><p>東京オフィスとの連携もあります。</p>"}]`)
		return true
	}
	gh := fetch(t, mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil))
	feed := fetch(t, mustNew(t, source.Spec{Type: "json", Name: "partner", Keys: map[string]string{"url": b.srv.URL + "/feed"}}, nil))
	if gh[1].Fingerprint != feed[0].Fingerprint {
		t.Errorf("fingerprints differ:\n%q\n%q", gh[1].Description, feed[0].Description)
	}
	if gh[0].Fingerprint == gh[1].Fingerprint {
		t.Error("different jobs share a fingerprint")
	}
}

func TestLeverIgnoringSkipStops(t *testing.T) {
	all := readLever(t)
	b := newBoard(t, nil)
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Fprint(w, "["+all[0]+","+all[1]+"]") // the same page whatever skip says
		return true
	}
	s := mustNew(t, source.Spec{Type: "lever", Name: "globex", BaseURL: b.srv.URL, Keys: map[string]string{"site": "globex"}}, nil)
	source.SetLeverPageSize(s, 2)
	if ps := fetch(t, s); len(ps) != 2 || len(b.requests) != 2 {
		t.Errorf("%d postings in %d requests, want 2 in 2", len(ps), len(b.requests))
	}
}

func TestNotTheBoardsJSON(t *testing.T) {
	b := newBoard(t, nil)
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Fprint(w, "<html><body>Maintenance</body></html>")
		return true
	}
	pol := fastPolicy()
	_, err := mustNew(t, source.Spec{Type: "ashby", Name: "x", BaseURL: b.srv.URL, Keys: map[string]string{"org": "x"}}, clientWith(pol)).Fetch(context.Background())
	if !errors.Is(err, jobpilot.ErrPermanent) || !strings.Contains(err.Error(), "not the board's JSON") {
		t.Errorf("err %v", err)
	}
}

func TestFetchAllDryRun(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, nil)
	r := source.FetchAll(context.Background(), []jobpilot.Source{s}, nil, nil)[0]
	if r.Err != nil || r.Fetched != 4 || r.Result != (jobpilot.UpsertResult{}) || r.Elapsed <= 0 {
		t.Errorf("%+v", r)
	}
}
