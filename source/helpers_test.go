package source_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testPolicy is a stand-in for resilience.Service with the same contract:
// retry only what jobpilot classifies as transient, honour Retry-After capped
// at maxDelay, cut each attempt off at timeout. It records every delay it
// waited so tests assert on events, not on wall-clock time.
type testPolicy struct {
	retries         int
	delay, maxDelay time.Duration
	timeout         time.Duration
	mu              sync.Mutex
	attempts        int
	delays          []time.Duration
}

func (p *testPolicy) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for n := 0; ; n++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if p.timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, p.timeout)
		}
		p.mu.Lock()
		p.attempts++
		p.mu.Unlock()
		err = fn(actx)
		cancel()
		if err == nil || n == p.retries || ctx.Err() != nil {
			return err
		}
		if !errors.Is(err, jobpilot.ErrTransient) && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		d := p.delay
		if ra, ok := jobpilot.RetryAfter(err); ok {
			d = ra
		}
		d = min(d, p.maxDelay)
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

func (p *testPolicy) recorded() (int, []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts, append([]time.Duration(nil), p.delays...)
}

// memStore is an in-memory PostingUpserter with the store's semantics:
// unique per (source, external id), updates by content hash, close missing.
type memStore struct {
	mu   sync.Mutex
	rows map[string]map[string]*jobpilot.Posting
}

func newMemStore() *memStore { return &memStore{rows: map[string]map[string]*jobpilot.Posting{}} }

func (m *memStore) UpsertPostings(_ context.Context, source string, ps []jobpilot.Posting, closeMissing bool) (jobpilot.UpsertResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r jobpilot.UpsertResult
	src := m.rows[source]
	if src == nil {
		src = map[string]*jobpilot.Posting{}
		m.rows[source] = src
	}
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.ExternalID] = true
		old, ok := src[p.ExternalID]
		switch {
		case !ok:
			r.New++
		case old.ContentHash != p.ContentHash || old.ClosedAt != nil:
			r.Updated++
		default:
			r.Unchanged++
			continue
		}
		cp := p
		src[p.ExternalID] = &cp
	}
	if closeMissing {
		now := time.Now()
		for id, p := range src {
			if !seen[id] && p.ClosedAt == nil {
				p.ClosedAt = &now
				r.Closed++
			}
		}
	}
	return r, nil
}

func (m *memStore) open(source string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id, p := range m.rows[source] {
		if p.ClosedAt == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// board serves fixtures by path and records what it was asked.
type board struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	inFlight int
	maxIn    int
	handle   func(w http.ResponseWriter, r *http.Request) bool // true: handled
	files    map[string]string                                 // path → testdata file
}

func newBoard(t *testing.T, files map[string]string) *board {
	b := &board{t: t, files: files}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.requests = append(b.requests, r)
		b.inFlight++
		b.maxIn = max(b.maxIn, b.inFlight)
		h := b.handle
		b.mu.Unlock()
		defer func() { b.mu.Lock(); b.inFlight--; b.mu.Unlock() }()
		if h != nil && h(w, r) {
			return
		}
		name, ok := b.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Error(err)
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *board) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, r := range b.requests {
		if r.URL.Path == path {
			n++
		}
	}
	return n
}

// golden compares postings with testdata/<name>.golden.json (rewritten with
// -update; review the diff before committing it).
func golden(t *testing.T, name string, ps []jobpilot.Posting) {
	t.Helper()
	got, err := json.MarshalIndent(ps, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("postings differ from %s:\n%s", path, got)
	}
}

type jsonRaw = json.RawMessage

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		// Skipped postings are logged as warnings; keep test output readable.
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}
