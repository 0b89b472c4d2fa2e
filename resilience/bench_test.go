package resilience_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot/resilience"
)

func benchOptions() resilience.Options {
	return resilience.Options{Logger: quiet(), Metrics: resilience.NewMetrics(prometheus.NewRegistry())}
}

// BenchmarkSuccess is a plain service (retry only, no breaker, no timeout) on its success path.
func BenchmarkSuccess(b *testing.B) {
	svc := resilience.NewRegistry(benchOptions()).Service(resilience.Settings{Name: "default", MaxRetries: 3,
		InitialDelay: time.Second, MaxDelay: time.Minute}, resilience.BreakerSettings{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := svc.Do(ctx, succeeding); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenBreaker is the rejection path of an open breaker.
func BenchmarkOpenBreaker(b *testing.B) {
	svc := resilience.NewRegistry(benchOptions()).Service(resilience.Settings{Name: "email", Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 1, RecoveryTimeout: time.Hour})
	ctx := context.Background()
	_ = svc.Do(ctx, failing)
	b.ReportAllocs()
	for b.Loop() {
		if err := svc.Do(ctx, succeeding); err == nil {
			b.Fatal("call went through an open breaker")
		}
	}
}

// BenchmarkRetryBreakerTimeout is the full composition retry(breaker(timeout(call))) on its success path.
func BenchmarkRetryBreakerTimeout(b *testing.B) {
	svc := resilience.NewRegistry(benchOptions()).Service(resilience.Settings{Name: "email", MaxRetries: 3,
		InitialDelay: time.Second, MaxDelay: 30 * time.Second, Timeout: 30 * time.Second, Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := svc.Do(ctx, succeeding); err != nil {
			b.Fatal(err)
		}
	}
}
