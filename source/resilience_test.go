package source_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/source"
)

// events records the resilience events of a test.
type events struct {
	mu sync.Mutex
	ev []resilience.Event
}

func (e *events) add(ev resilience.Event) { e.mu.Lock(); e.ev = append(e.ev, ev); e.mu.Unlock() }

func (e *events) kinds(service string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.ev {
		if ev.Service == service || ev.Breaker == service {
			out = append(out, ev.Kind)
		}
	}
	return out
}

// realSet is the production resilience set with the source row scaled to
// milliseconds.
func realSet(t *testing.T, retries int, timeout time.Duration) (*resilience.Set, *events) {
	t.Helper()
	ev := &events{}
	table := resilience.Config{
		Services: map[string]resilience.Settings{resilience.ServiceSource: {MaxRetries: retries, InitialDelay: time.Millisecond,
			MaxDelay: 40 * time.Millisecond, Base: 2, Timeout: timeout, Breaker: resilience.BreakerSource, PerInstance: true}},
		Breakers: map[string]resilience.BreakerSettings{resilience.BreakerSource: {FailureThreshold: 3, RecoveryTimeout: time.Minute}},
	}
	return resilience.NewSet(table, resilience.Options{OnEvent: ev.add}), ev
}

func TestResilience503Twice(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	fails := 2
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	set, ev := realSet(t, 3, time.Second)
	c := source.NewClient(source.ClientOptions{Policies: func(name string) jobpilot.Executor { return set.Source(name) }})
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c)
	r := source.FetchAll(context.Background(), []jobpilot.Source{s}, newMemStore(), nil)[0]
	if r.Err != nil || r.Result.New != 4 {
		t.Fatalf("%+v", r)
	}
	if got := strings.Join(ev.kinds("source:greenhouse:acme"), ","); got != "retry,retry" {
		t.Errorf("events %q, want two retries", got)
	}
}

func TestResilienceRetryAfterAndTimeout(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	hang := newBoard(t, nil)
	hang.handle = func(w http.ResponseWriter, r *http.Request) bool { <-r.Context().Done(); return true }
	first := true
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if first {
			first = false
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}
	// The hanging board gets a short attempt timeout; the healthy one a
	// generous one, so a loaded machine never times it out.
	set, ev := realSet(t, 1, 60*time.Millisecond)
	roomy, roomyEv := realSet(t, 1, 10*time.Second)
	c := source.NewClient(source.ClientOptions{Policies: func(name string) jobpilot.Executor {
		if strings.Contains(name, "slow") {
			return set.Source(name)
		}
		return roomy.Source(name)
	}})
	srcs := []jobpilot.Source{
		mustNew(t, source.Spec{Type: "greenhouse", Name: "slow", BaseURL: hang.srv.URL, Keys: map[string]string{"token": "slow"}}, c),
		mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c),
	}
	start := time.Now()
	reps := source.FetchAll(context.Background(), srcs, newMemStore(), nil)
	if el := time.Since(start); el > 30*time.Second { // only a hang: the timeout is 60 ms
		t.Errorf("took %v", el)
	}
	var te *resilience.TimeoutError
	if err := reps[0].Err; !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging source: %v, want a timeout", err)
	}
	if got := ev.kinds("source:greenhouse:slow"); len(got) == 0 || !strings.Contains(strings.Join(got, ","), "timeout") {
		t.Errorf("hanging source events %v", got)
	}
	if reps[1].Err != nil || reps[1].Result.New != 4 {
		t.Fatalf("acme: %+v", reps[1])
	}
	roomyEv.mu.Lock()
	defer roomyEv.mu.Unlock()
	var delays []time.Duration
	for _, e := range roomyEv.ev {
		if e.Service == "source:greenhouse:acme" && e.Kind == resilience.KindRetry {
			delays = append(delays, e.Delay)
		}
	}
	if len(delays) != 1 || delays[0] != 40*time.Millisecond {
		t.Errorf("retry delays %v, want one: Retry-After 30s capped at 40ms", delays)
	}
}

// Each source has its own breaker: once a board's opens, its fetches fail
// at once without a request, and the other boards are untouched.
func TestResilienceOwnBreaker(t *testing.T) {
	b := newBoard(t, map[string]string{"/v1/boards/acme/jobs": "greenhouse_acme.json"})
	b.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "down") {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	}
	set, _ := realSet(t, 0, time.Second)
	c := source.NewClient(source.ClientOptions{Policies: func(name string) jobpilot.Executor { return set.Source(name) }})
	down := mustNew(t, source.Spec{Type: "greenhouse", Name: "down", BaseURL: b.srv.URL, Keys: map[string]string{"token": "down"}}, c)
	acme := mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: b.srv.URL, Keys: map[string]string{"token": "acme"}}, c)
	for range 3 {
		if _, err := down.Fetch(context.Background()); !errors.Is(err, jobpilot.ErrTransient) {
			t.Fatalf("err %v", err)
		}
	}
	_, err := down.Fetch(context.Background())
	var open *resilience.OpenError
	if !errors.As(err, &open) || open.Breaker != "source:greenhouse:down" {
		t.Fatalf("err %v, want the source's breaker open", err)
	}
	if n := b.count("/v1/boards/down/jobs"); n != 3 {
		t.Errorf("%d requests, want 3 (none while open)", n)
	}
	if ps := fetch(t, acme); len(ps) != 4 {
		t.Errorf("other source: %d postings", len(ps))
	}
}
