package resilience_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// A 429 with Retry-After paces the caller but never opens the breaker: the
// dependency is up. A plain 5xx still counts.
func TestRateLimitDoesNotOpenBreaker(t *testing.T) {
	reg := resilience.NewRegistry(resilience.Options{})
	svc := reg.Service(resilience.Settings{Name: "llm", MaxRetries: 0, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, Base: 2, Breaker: "openai"},
		resilience.BreakerSettings{FailureThreshold: 3, RecoveryTimeout: time.Minute})
	limited := jobpilot.TransientAfter(errors.New("429 Too Many Requests"), time.Millisecond)
	for i := 0; i < 10; i++ {
		if err := svc.Do(context.Background(), func(context.Context) error { return limited }); errors.As(err, new(*resilience.OpenError)) {
			t.Fatalf("call %d: breaker opened on rate limits: %v", i, err)
		}
	}
	if st := reg.Snapshot()[0].State; st != resilience.StateClosed {
		t.Fatalf("breaker %s after 10 rate limits, want closed", st)
	}
	down := jobpilot.Transient(errors.New("500 Internal Server Error"))
	for i := 0; i < 3; i++ {
		_ = svc.Do(context.Background(), func(context.Context) error { return down })
	}
	if st := reg.Snapshot()[0].State; st != resilience.StateOpen {
		t.Fatalf("breaker %s after 3 server errors, want open", st)
	}
}
