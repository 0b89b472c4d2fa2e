package sourcetest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/store"
)

func testPaging(t *testing.T, k Kind) {
	jobs := Jobs(101, 7)
	s := newServer(t, k, Board{Jobs: jobs})
	src := s.source(t, nil)
	if k.SetPageSize != nil {
		k.SetPageSize(src, 3)
	}
	ps := fetch(t, src)
	if len(ps) != len(jobs) {
		t.Fatalf("%d postings, want %d (each once)", len(ps), len(jobs))
	}
	want(t, ids(ps), jobs)
	if k.SetPageSize != nil && s.count() < 3 {
		t.Errorf("%d requests for 7 jobs in pages of 3", s.count())
	}
	for _, p := range ps {
		if p.Source != src.Name() || p.Fingerprint == "" || p.ContentHash == "" || p.Validate() != nil {
			t.Errorf("posting %s not normalised: %+v", p.ExternalID, p)
		}
	}
}

func testEmpty(t *testing.T, k Kind, st *store.DB) {
	s := newServer(t, k, Board{Jobs: Jobs(201, 3)})
	src := s.source(t, nil)
	ctx := context.Background()
	if r := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]; r.Err != nil || r.Result.New != 3 {
		t.Fatalf("first fetch: %+v", r)
	}
	s.set(Board{})
	r := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]
	if r.Err != nil || r.Fetched != 0 || r.Result != (jobpilot.UpsertResult{Closed: 3}) {
		t.Fatalf("empty board: %+v, want no error and the 3 stored postings closed", r)
	}
	if got := open(t, st, src.Name()); len(got) != 0 {
		t.Errorf("still open: %v", got)
	}
}

func testRetryAfter(t *testing.T, k Kind) {
	jobs := Jobs(301, 2)
	s := newServer(t, k, Board{Jobs: jobs})
	s.then(status(http.StatusTooManyRequests, "7"))
	pol := &Policy{Retries: 2, MaxDelay: 30 * time.Millisecond}
	want(t, ids(fetch(t, s.source(t, client(pol)))), jobs)
	if _, delays := pol.Recorded(); len(delays) != 1 || delays[0] != 30*time.Millisecond {
		t.Errorf("delays %v, want the Retry-After of 7s capped at 30ms", delays)
	}
	// Without a retry, the error says when to come back.
	s.then(status(http.StatusTooManyRequests, "7"))
	_, err := s.source(t, nil).Fetch(context.Background())
	if d, ok := jobpilot.RetryAfter(err); !ok || d != 7*time.Second || !errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("err %v: retry after %v %v, want a transient error asking for 7s", err, d, ok)
	}
}

func test5xx(t *testing.T, k Kind, st *store.DB) {
	jobs := Jobs(401, 3)
	s := newServer(t, k, Board{Jobs: jobs})
	s.then(status(http.StatusServiceUnavailable, ""), status(http.StatusBadGateway, ""))
	pol := &Policy{Retries: 3, MaxDelay: time.Millisecond}
	src := s.source(t, client(pol))
	ctx := context.Background()
	if r := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]; r.Err != nil || r.Result.New != 3 {
		t.Fatalf("after two 5xx: %+v", r)
	}
	if n, _ := pol.Recorded(); n < 3 {
		t.Errorf("%d attempts, want the two 5xx retried", n)
	}
	// A board that keeps failing: a transient error, nothing closed.
	for range 10 {
		s.then(status(http.StatusInternalServerError, ""))
	}
	r := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]
	if !errors.Is(r.Err, jobpilot.ErrTransient) || r.Result != (jobpilot.UpsertResult{}) {
		t.Fatalf("failing board: %+v, want a transient error and no change", r)
	}
	want(t, open(t, st, src.Name()), jobs)
}

func testMalformed(t *testing.T, k Kind) {
	jobs := Jobs(501, 3)
	s := newServer(t, k, Board{Jobs: jobs, Malformed: true})
	want(t, ids(fetch(t, s.source(t, nil))), jobs)
}

func testHTML(t *testing.T, k Kind) {
	job := Job{ID: "601", Title: "Site Reliability Engineer", Company: "Acme", Location: "Remote - Europe",
		HTML: `<p>See also&nbsp;<a href="https://acme.example/eeo">EEO Policy</a>&nbsp;and the rest.</p>` +
			`<h3>You have</h3><ul><li>Go &amp; SQL</li><li>Kubernetes</li></ul><script>track()</script>`}
	s := newServer(t, k, Board{Jobs: []Job{job}})
	ps := fetch(t, s.source(t, nil))
	if len(ps) != 1 {
		t.Fatalf("%d postings", len(ps))
	}
	d := ps[0].Description
	contains(t, d, "See also EEO Policy (https://acme.example/eeo) and the rest.", "You have", "- Go & SQL\n- Kubernetes")
	for _, bad := range []string{"<", "&amp;", "&nbsp;", "track("} {
		if strings.Contains(d, bad) {
			t.Errorf("description keeps %q:\n%s", bad, d)
		}
	}
}

func testRefetch(t *testing.T, k Kind, st *store.DB) {
	jobs := Jobs(701, 5)
	s := newServer(t, k, Board{Jobs: jobs})
	src := s.source(t, nil)
	if k.SetPageSize != nil {
		k.SetPageSize(src, 2)
	}
	ctx := context.Background()
	first := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]
	second := source.FetchAll(ctx, []jobpilot.Source{src}, st, nil)[0]
	if first.Err != nil || first.Result != (jobpilot.UpsertResult{New: 5}) {
		t.Fatalf("first fetch: %+v", first)
	}
	if second.Err != nil || second.Result != (jobpilot.UpsertResult{Unchanged: 5}) {
		t.Fatalf("second fetch: %+v, want all 5 unchanged", second)
	}
	all, err := st.Postings(ctx, jobpilot.PostingFilter{Source: src.Name(), Limit: 1000})
	if err != nil || len(all) != 5 {
		t.Fatalf("%d stored postings, %v; want 5", len(all), err)
	}
}
