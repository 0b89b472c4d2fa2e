package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// scale runs the guide's seconds as milliseconds; printed delays are scaled
// back so the output reads in the guide's units.
const scale = 0.001

func unscale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / scale).Round(time.Millisecond)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The stability guide's email scenario: fail, wait 2 s, fail, wait 4 s,
// success. Delays come from the retry events, not from a clock.
func Example_emailRetries() {
	set := resilience.NewSet(scaled(scale), resilience.Options{
		Logger: quiet(),
		OnEvent: func(e resilience.Event) {
			fmt.Printf("attempt %d/%d failed: %v; wait %s\n", e.Attempt, e.MaxAttempts, e.Err, unscale(e.Delay))
		},
	})
	calls := 0
	err := set.Service(resilience.ServiceEmail).Do(context.Background(), func(ctx context.Context) error {
		calls++
		if calls < 3 {
			return jobpilot.Transient(errors.New("connection timeout"))
		}
		fmt.Println("email sent on attempt", calls)
		return nil
	})
	fmt.Println("err:", err)
	// Output:
	// attempt 1/4 failed: connection timeout; wait 2s
	// attempt 2/4 failed: connection timeout; wait 4s
	// email sent on attempt 3
	// err: <nil>
}

// Retries exhausted: the default policy waits 1, 2 and 4 s, then gives up
// with an *ExhaustedError that keeps the last error's class.
func Example_giveUp() {
	set := resilience.NewSet(scaled(scale), resilience.Options{
		Logger: quiet(),
		OnEvent: func(e resilience.Event) {
			if e.Kind == resilience.KindRetry {
				fmt.Println("retry in", unscale(e.Delay))
			} else {
				fmt.Println(e.Message)
			}
		},
	})
	err := set.Service(resilience.ServiceDefault).Do(context.Background(), func(context.Context) error {
		return jobpilot.Transient(errors.New("503 service unavailable"))
	})
	var ex *resilience.ExhaustedError
	fmt.Println(errors.As(err, &ex), ex.Attempts, errors.Is(err, jobpilot.ErrTransient))
	// Output:
	// retry in 1s
	// retry in 2s
	// retry in 4s
	// default failed after 3 retries: 503 service unavailable
	// true 4 true
}

// The circuit breaker: 5 failures open it, calls are then rejected at once
// with an *OpenError saying when to come back; after the recovery time one
// probe goes through (HALF_OPEN) and its success closes the circuit.
func Example_circuitBreaker() {
	reg := resilience.NewRegistry(resilience.Options{
		Logger: quiet(),
		OnEvent: func(e resilience.Event) {
			if e.Kind == resilience.KindBreaker {
				fmt.Printf("%s → %s: %s\n", e.From, e.To, e.Message)
			}
		},
	})
	email := reg.Service(resilience.Settings{Name: "email", Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: 300 * time.Duration(float64(time.Second)*scale)})
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_ = email.Do(ctx, func(context.Context) error { return jobpilot.Transient(errors.New("connection refused")) })
	}

	err := email.Do(ctx, func(context.Context) error { panic("not called while open") })
	var open *resilience.OpenError
	if errors.As(err, &open) {
		fmt.Printf("rejected at once, retry in ≤ %s\n", unscale(open.RetryIn).Round(time.Minute))
	}

	time.Sleep(open.RetryIn) // the breaker's recovery time (300 ms here)
	err = email.Do(ctx, func(context.Context) error { return nil })
	fmt.Println("probe:", err, "state:", email.Breaker().State())
	// Output:
	// closed → open: Circuit breaker opened after 5 failures
	// rejected at once, retry in ≤ 5m0s
	// open → half_open: Circuit breaker entering HALF_OPEN state
	// half_open → closed: Circuit breaker reset to CLOSED state
	// probe: <nil> state: closed
}

// A 10 s task under a 5 ms per-attempt limit: the attempt's context is
// canceled at the limit, the work stops, and the caller gets a
// *TimeoutError (transient, and errors.Is context.DeadlineExceeded).
func Example_timeout() {
	reg := resilience.NewRegistry(resilience.Options{Logger: quiet()})
	svc := reg.Service(resilience.Settings{Name: "email", Timeout: 5 * time.Millisecond}, resilience.BreakerSettings{})
	sent := false
	err := svc.Do(context.Background(), func(ctx context.Context) error {
		select {
		case <-time.After(10 * time.Second): // far past the limit, however loaded the machine
			sent = true
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var te *resilience.TimeoutError
	fmt.Println(errors.As(err, &te), errors.Is(err, context.DeadlineExceeded), "sent:", sent)
	// Output:
	// true true sent: false
}

// A dependency's Retry-After (jobpilot.TransientAfter) wins over the
// backoff, capped at MaxDelay; a permanent error is never retried.
func Example_retryAfter() {
	reg := resilience.NewRegistry(resilience.Options{
		Logger:  quiet(),
		OnEvent: func(e resilience.Event) { fmt.Println("wait", e.Delay) },
	})
	llm := reg.Service(resilience.Settings{Name: "resume", MaxRetries: 3, InitialDelay: time.Millisecond,
		MaxDelay: 30 * time.Millisecond}, resilience.BreakerSettings{})
	calls := 0
	err := llm.Do(context.Background(), func(context.Context) error {
		calls++
		switch calls {
		case 1:
			return jobpilot.TransientAfter(errors.New("429"), 12*time.Millisecond)
		case 2:
			return jobpilot.TransientAfter(errors.New("429"), time.Hour) // capped
		default:
			return jobpilot.Permanent(errors.New("401 invalid api key"))
		}
	})
	fmt.Println(calls, "calls:", err)
	// Output:
	// wait 12ms
	// wait 30ms
	// 3 calls: 401 invalid api key
}

// Breaker states for /health.
func ExampleRegistry_Snapshot() {
	set := resilience.NewSet(resilience.Defaults(), resilience.Options{Logger: quiet()})
	set.Source("greenhouse:acme")
	for _, s := range set.Breakers.Snapshot() {
		fmt.Println(s.Name, s.State, s.FailureThreshold, s.RecoveryTimeout)
	}
	// Output:
	// email closed 5 5m0s
	// mailbox closed 3 5m0s
	// openai closed 3 3m0s
	// source:greenhouse:acme closed 5 1m0s
}

// Get returns a value; the ctx it hands to fn carries the attempt's timeout.
func ExampleGet() {
	set := resilience.NewSet(scaled(scale), resilience.Options{Logger: quiet()})
	letter, err := resilience.Get(context.Background(), set.Service(resilience.ServiceCoverLetter), func(ctx context.Context) (string, error) {
		live := ctx.Err() == nil
		return fmt.Sprint("Dear hiring team… (ctx live: ", live, ")"), nil
	})
	fmt.Println(letter, err)
	// Output:
	// Dear hiring team… (ctx live: true) <nil>
}

// Metrics: every attempt, retry, give-up, timeout and rejection is counted
// per service, and breaker states are gauges (0 closed, 1 half-open, 2 open).
func ExampleNewMetrics() {
	reg := prometheus.NewRegistry()
	r := resilience.NewRegistry(resilience.Options{Logger: quiet(), Metrics: resilience.NewMetrics(reg)})
	svc := r.Service(resilience.Settings{Name: "email", MaxRetries: 1, InitialDelay: time.Millisecond, Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 2, RecoveryTimeout: time.Hour})
	_ = svc.Do(context.Background(), func(context.Context) error { return jobpilot.Transient(errors.New("421 try later")) })

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			if v != 0 {
				fmt.Println(mf.GetName(), v)
			}
		}
	}
	// Output:
	// jobpilot_resilience_attempts_total 2
	// jobpilot_resilience_breaker_state 2
	// jobpilot_resilience_breaker_transitions_total 1
	// jobpilot_resilience_give_ups_total 1
	// jobpilot_resilience_retries_total 1
}
