// Package sourcetest is the conformance suite every source type passes, in
// the manner of River's riverdrivertest: a type describes how its board
// answers (Kind), and Exercise runs the same cases against it over loopback
// HTTP and through the real store (dbtest.RunStore: SQLite, and PostgreSQL
// when JOBPILOT_TEST_DATABASE_URL is set):
//
//   - paging: a board larger than a page is read whole, each job once;
//   - empty board: no postings, no error, and the stored ones closed;
//   - 429 with Retry-After: the delay the board asked for is honoured;
//   - 5xx: retried until the board answers; a board that keeps failing
//     changes nothing in the store;
//   - malformed entry: one job of the wrong shape is skipped, the rest read;
//   - HTML to text: structure, non-breaking spaces and link targets kept;
//   - re-fetch: a second fetch of the same board is all unchanged, no
//     duplicates.
//
// It is a test kit: only tests import it.
package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/store"
)

// Job is one job in neutral form; a Kind writes it in its board's shape.
type Job struct {
	ID       string // the board's id: digits, so that every board can carry it
	Title    string
	Company  string
	Location string
	HTML     string // the description as HTML
}

// Board is what a test board holds.
type Board struct {
	Jobs []Job
	// Malformed asks for one more entry, valid JSON but not a job of the
	// board's shape (a number where a string goes), among the jobs.
	Malformed bool
}

// Kind describes one source type to the suite.
type Kind struct {
	// Type is the source type, as configured.
	Type string
	// Config is the configuration of a source called name reading the
	// board served at base.
	Config func(name, base string) source.Spec
	// Serve answers one request of a source called name for board in the
	// real API's shape, paging as the API does, and reports whether the
	// request was the board's.
	Serve func(w http.ResponseWriter, r *http.Request, name string, board Board) bool
	// SetPageSize sets a source's page size; nil for a type that reads its
	// board in one request.
	SetPageSize func(s jobpilot.Source, n int)
}

// Exercise runs the suite against k.
func Exercise(t *testing.T, k Kind) {
	t.Helper()
	t.Run("paging", func(t *testing.T) { testPaging(t, k) })
	t.Run("empty board", func(t *testing.T) { dbtest.RunStore(t, func(t *testing.T, st *store.DB) { testEmpty(t, k, st) }) })
	t.Run("429 with Retry-After", func(t *testing.T) { testRetryAfter(t, k) })
	t.Run("5xx", func(t *testing.T) { dbtest.RunStore(t, func(t *testing.T, st *store.DB) { test5xx(t, k, st) }) })
	t.Run("malformed entry skipped", func(t *testing.T) { testMalformed(t, k) })
	t.Run("HTML to text", func(t *testing.T) { testHTML(t, k) })
	t.Run("re-fetch without duplicates", func(t *testing.T) {
		dbtest.RunStore(t, func(t *testing.T, st *store.DB) { testRefetch(t, k, st) })
	})
}

// Jobs returns n plain jobs with ids from first.
func Jobs(first, n int) []Job {
	out := make([]Job, n)
	for i := range out {
		id := first + i
		out[i] = Job{ID: fmt.Sprint(id), Title: fmt.Sprintf("Backend Engineer %d", id), Company: "Acme",
			Location: "Berlin, Germany", HTML: fmt.Sprintf("<p>Job %d: build services in <b>Go</b>.</p>", id)}
	}
	return out
}

// server is a loopback board whose answers a test can script.
type server struct {
	k   Kind
	srv *httptest.Server

	mu       sync.Mutex
	board    Board
	requests int
	script   []func(w http.ResponseWriter) // answers for the next board requests, in order
}

func newServer(t *testing.T, k Kind, board Board) *server {
	s := &server{k: k, board: board}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		b := s.board
		var next func(http.ResponseWriter)
		if len(s.script) > 0 {
			next, s.script = s.script[0], s.script[1:]
		}
		s.mu.Unlock()
		if next != nil {
			next(w)
			return
		}
		if !k.Serve(w, r, "board", b) {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *server) set(b Board) { s.mu.Lock(); s.board = b; s.mu.Unlock() }

func (s *server) then(answers ...func(w http.ResponseWriter)) {
	s.mu.Lock()
	s.script = append(s.script, answers...)
	s.mu.Unlock()
}

func (s *server) count() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

func (s *server) source(t *testing.T, c *source.Client) jobpilot.Source {
	t.Helper()
	src, err := source.New(s.k.Config("board", s.srv.URL), c)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// Policy is a stand-in for the resilience service with its contract: retry
// what is transient, honour Retry-After capped at MaxDelay. It records the
// delays it waited.
type Policy struct {
	Retries  int
	MaxDelay time.Duration

	mu       sync.Mutex
	attempts int
	delays   []time.Duration
}

// Do runs fn under the policy.
func (p *Policy) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	for n := 0; ; n++ {
		p.mu.Lock()
		p.attempts++
		p.mu.Unlock()
		err := fn(ctx)
		if err == nil || n == p.Retries || !errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, jobpilot.ErrPermanent) {
			return err
		}
		d := time.Millisecond
		if ra, ok := jobpilot.RetryAfter(err); ok {
			d = ra
		}
		d = min(d, p.MaxDelay)
		p.mu.Lock()
		p.delays = append(p.delays, d)
		p.mu.Unlock()
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Recorded returns the attempts made and the delays waited.
func (p *Policy) Recorded() (int, []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts, append([]time.Duration(nil), p.delays...)
}

func client(p *Policy) *source.Client {
	return source.NewClient(source.ClientOptions{Policies: func(string) jobpilot.Executor { return p }})
}

func fetch(t *testing.T, s jobpilot.Source) []jobpilot.Posting {
	t.Helper()
	ps, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return ps
}

func ids(ps []jobpilot.Posting) map[string]bool {
	m := map[string]bool{}
	for _, p := range ps {
		m[p.ExternalID] = true
	}
	return m
}

func open(t *testing.T, st *store.DB, src string) map[string]bool {
	t.Helper()
	ps, err := st.Postings(context.Background(), jobpilot.PostingFilter{Source: src, OpenOnly: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, p := range ps {
		m[p.ExternalID] = true
	}
	return m
}

func want(t *testing.T, got map[string]bool, jobs []Job) {
	t.Helper()
	if len(got) != len(jobs) {
		t.Fatalf("%d postings %v, want %d", len(got), got, len(jobs))
	}
	for _, j := range jobs {
		if !got[j.ID] {
			t.Fatalf("job %s missing from %v", j.ID, got)
		}
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
