package resilience_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

var errDown = errors.New("smtp: connection refused")

func failing(context.Context) error    { return jobpilot.Transient(errDown) }
func succeeding(context.Context) error { return nil }

// oneShot is a service without retries on breaker "email", so each Do is one
// attempt the breaker counts.
func oneShot(r *resilience.Registry, recovery time.Duration) *resilience.Service {
	return r.Service(resilience.Settings{Name: "email", Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: recovery})
}

func TestBreakerOpensRejectsHalfOpensAndCloses(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		const recovery = 50 * time.Millisecond
		svc := oneShot(reg, recovery)
		ctx := context.Background()

		for i := 0; i < 5; i++ {
			if err := svc.Do(ctx, failing); !errors.Is(err, errDown) {
				t.Fatalf("call %d: err = %v", i+1, err)
			}
		}
		if st := svc.Breaker().State(); st != resilience.StateOpen {
			t.Fatalf("state after 5 failures = %s, want open", st)
		}

		// Rejected at once: fn never runs, the error says when to come back.
		called := false
		err := svc.Do(ctx, func(context.Context) error { called = true; return nil })
		var oe *resilience.OpenError
		if !errors.As(err, &oe) || called {
			t.Fatalf("err = %v called = %v, want OpenError without a call", err, called)
		}
		if oe.Breaker != "email" || oe.RetryIn <= 0 || oe.RetryIn > recovery {
			t.Fatalf("OpenError = %+v, want RetryIn in (0, %s]", oe, recovery)
		}
		if !errors.Is(err, jobpilot.ErrTransient) || resilience.Retryable(err) || jobpilot.ErrorCode(err) != jobpilot.EUNAVAILABLE {
			t.Fatalf("OpenError classification wrong: transient=%v retryable=%v code=%s",
				errors.Is(err, jobpilot.ErrTransient), resilience.Retryable(err), jobpilot.ErrorCode(err))
		}
		snap := reg.Snapshot()
		if len(snap) != 1 || snap[0].State != "open" || snap[0].Failures != 5 || snap[0].RetryIn <= 0 || snap[0].FailureThreshold != 5 {
			t.Fatalf("snapshot = %+v", snap)
		}

		time.Sleep(oe.RetryIn + 5*time.Millisecond) // wait out the (scaled) recovery the error named
		if err := svc.Do(ctx, succeeding); err != nil {
			t.Fatalf("probe: %v", err)
		}
		if st := svc.Breaker().State(); st != resilience.StateClosed {
			t.Fatalf("state after successful probe = %s, want closed", st)
		}

		var trans []string
		for _, e := range rec.kinds(resilience.KindBreaker) {
			if e.Breaker != "email" {
				t.Fatalf("breaker event of %q", e.Breaker)
			}
			trans = append(trans, e.From+"→"+e.To)
		}
		if got, want := trans, []string{"closed→open", "open→half_open", "half_open→closed"}; !equal(got, want) {
			t.Fatalf("transitions = %v, want %v", got, want)
		}
		wantLogs := []string{
			"Circuit breaker opened after 5 failures",
			"Circuit breaker entering HALF_OPEN state",
			"Circuit breaker reset to CLOSED state",
		}
		if got := rec.messages(); !equal(got, wantLogs) {
			t.Fatalf("logs = %q, want %q", got, wantLogs)
		}
		if !contains(rec.logs.String(), "breaker=email") {
			t.Fatalf("logs lack the breaker attribute:\n%s", rec.logs)
		}
	})
}

func TestBreakerHalfOpenFailureReopens(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		svc := oneShot(reg, 20*time.Millisecond)
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			_ = svc.Do(ctx, failing)
		}
		time.Sleep(25 * time.Millisecond)
		if err := svc.Do(ctx, failing); !errors.Is(err, errDown) {
			t.Fatalf("probe err = %v, want the dependency's error", err)
		}
		if st := svc.Breaker().State(); st != resilience.StateOpen {
			t.Fatalf("state = %s, want open again", st)
		}
		var oe *resilience.OpenError
		if err := svc.Do(ctx, succeeding); !errors.As(err, &oe) {
			t.Fatalf("after re-open err = %v, want OpenError", err)
		}
		bt := rec.kinds(resilience.KindBreaker)
		if len(bt) != 3 || bt[2].From != "half_open" || bt[2].To != "open" {
			t.Fatalf("breaker events = %+v", bt)
		}
		if got := rec.messages(); len(got) != 3 || got[2] != "Circuit breaker re-opened after HALF_OPEN probe failed" {
			t.Fatalf("logs = %q", got)
		}
	})
}

// Fifty callers arrive together at a breaker whose recovery time has
// passed: exactly one probe reaches the dependency, the others get
// *OpenError at once.
func TestHalfOpenAdmitsExactlyOneOfFifty(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		reg := resilience.NewRegistry(newRecorder().options())
		svc := oneShot(reg, 10*time.Millisecond)
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			_ = svc.Do(ctx, failing)
		}
		time.Sleep(15 * time.Millisecond)

		var (
			admitted, rejected atomic.Int32
			start              = make(chan struct{})
			release            = make(chan struct{})
			wg                 sync.WaitGroup
		)
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := svc.Do(ctx, func(context.Context) error {
					admitted.Add(1)
					<-release // hold the probe until every caller has tried
					return nil
				})
				var oe *resilience.OpenError
				if errors.As(err, &oe) {
					rejected.Add(1)
				}
			}()
		}
		close(start)
		deadline := time.Now().Add(60 * time.Second)
		for rejected.Load() < 49 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		close(release)
		wg.Wait()
		if admitted.Load() != 1 || rejected.Load() != 49 {
			t.Fatalf("admitted = %d rejected = %d, want 1 and 49", admitted.Load(), rejected.Load())
		}
		if st := svc.Breaker().State(); st != resilience.StateClosed {
			t.Fatalf("state = %s, want closed after the probe's success", st)
		}
	})
}

// Our own shutdown (the caller's ctx canceled) is no verdict on the
// dependency: five canceled calls leave the breaker closed.
func TestCanceledCallsDoNotCountAsFailures(t *testing.T) {
	reg := resilience.NewRegistry(newRecorder().options())
	svc := oneShot(reg, time.Hour)
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		err := svc.Do(ctx, func(ctx context.Context) error {
			cancel()
			<-ctx.Done()
			return jobpilot.Transient(ctx.Err())
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if s := reg.Snapshot()[0]; s.State != "closed" || s.Failures != 0 {
		t.Fatalf("snapshot = %+v, want closed with no failures", s)
	}
}

// A half-open probe abandoned by shutdown re-opens the breaker (its permit
// is released) so that a later call can probe again.
func TestCanceledHalfOpenProbeReopens(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		svc := oneShot(reg, 10*time.Millisecond)
		for i := 0; i < 5; i++ {
			_ = svc.Do(context.Background(), failing)
		}
		time.Sleep(15 * time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		err := svc.Do(ctx, func(ctx context.Context) error { cancel(); return ctx.Err() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if st := svc.Breaker().State(); st != resilience.StateOpen {
			t.Fatalf("state = %s, want open", st)
		}
		time.Sleep(15 * time.Millisecond)
		if err := svc.Do(context.Background(), succeeding); err != nil {
			t.Fatalf("second probe: %v", err)
		}
		if got := rec.messages(); !contains(join(got), "HALF_OPEN probe was canceled") {
			t.Fatalf("logs = %q", got)
		}
	})
}

func TestPermanentErrorsDoNotOpenTheBreaker(t *testing.T) {
	reg := resilience.NewRegistry(newRecorder().options())
	svc := oneShot(reg, time.Hour)
	for i := 0; i < 10; i++ {
		_ = svc.Do(context.Background(), func(context.Context) error {
			return jobpilot.Permanent(errors.New("550 mailbox unavailable"))
		})
	}
	if st := svc.Breaker().State(); st != resilience.StateClosed {
		t.Fatalf("state = %s, want closed: a permanent answer comes from a working server", st)
	}
}

func TestSharedBreakerAndReset(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	if set.Service(resilience.ServiceResume).Breaker() != set.Service(resilience.ServiceCoverLetter).Breaker() || set.Service(resilience.ServiceResume).Breaker().Name() != "openai" {
		t.Fatal("resume and cover_letter must share breaker openai")
	}
	if a, b := set.Source("greenhouse:acme"), set.Source("lever:beta"); a.Breaker() == b.Breaker() || a != set.Source("greenhouse:acme") {
		t.Fatal("each source must have its own breaker, got or created once")
	}
	if got := set.Source("greenhouse:acme").Name(); got != "source:greenhouse:acme" {
		t.Fatalf("source service name = %q", got)
	}
	// Resume opens "openai" (3 failures after its retries)…
	_ = set.Service(resilience.ServiceResume).Do(context.Background(), failing)
	var oe *resilience.OpenError
	if err := set.Service(resilience.ServiceCoverLetter).Do(context.Background(), succeeding); !errors.As(err, &oe) || oe.Breaker != "openai" {
		t.Fatalf("cover letter err = %v, want OpenError of openai", err)
	}
	if err := set.Breakers.Reset("openai"); err != nil {
		t.Fatal(err)
	}
	if err := set.Service(resilience.ServiceCoverLetter).Do(context.Background(), succeeding); err != nil {
		t.Fatalf("after reset: %v", err)
	}
	if err := set.Breakers.Reset("nope"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		t.Fatalf("Reset(unknown) = %v, want ENOTFOUND", err)
	}
	var names []string
	for _, s := range set.Breakers.Snapshot() {
		names = append(names, s.Name)
	}
	want := []string{"email", "mailbox", "openai", "source:greenhouse:acme", "source:lever:beta"}
	if !equal(names, want) {
		t.Fatalf("snapshot names = %v, want %v", names, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The breaker sits inside the retry loop: when a failure opens it
// mid-retries, the loop ends at once with *OpenError (no further attempt,
// no exhausted error) and the caller can reschedule for RetryIn. The log
// announces no retry that is not made: the failure that opened the breaker
// says it is not retried.
func TestBreakerOpeningDuringRetriesStopsThem(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	svc := reg.Service(resilience.Settings{Name: "email", MaxRetries: 3, InitialDelay: time.Millisecond,
		MaxDelay: time.Second, Breaker: "email"}, resilience.BreakerSettings{FailureThreshold: 2, RecoveryTimeout: time.Hour})
	calls := 0
	err := svc.Do(context.Background(), func(context.Context) error { calls++; return jobpilot.Transient(errDown) })
	var oe *resilience.OpenError
	var ex *resilience.ExhaustedError
	if !errors.As(err, &oe) || errors.As(err, &ex) || calls != 2 {
		t.Fatalf("err = %v calls = %d, want OpenError after 2 calls", err, calls)
	}
	if oe.RetryIn < 59*time.Minute {
		t.Fatalf("RetryIn = %s, want about the recovery time", oe.RetryIn)
	}
	if n := len(rec.kinds(resilience.KindRetry)); n != 1 {
		t.Fatalf("retry events = %d, want 1 (after attempt 1 only)", n)
	}
	if n := len(rec.kinds(resilience.KindGiveUp)); n != 0 {
		t.Fatalf("give-up events = %d, want 0", n)
	}
	want := []string{
		"email failed (attempt 1/4): smtp: connection refused. Retrying in 0.00s...",
		"Circuit breaker opened after 2 failures",
		`email failed (attempt 2/4): smtp: connection refused. Not retried: circuit breaker \"email\" is open`,
	}
	if got := rec.messages(); !equal(got, want) {
		t.Fatalf("log lines:\n%s\nwant:\n%s", join(got), join(want))
	}
}

// When the last attempt's failure opens the breaker, the call is given up
// as usual: one give-up line, after the retries that were made.
func TestBreakerOpeningOnTheLastAttemptGivesUp(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	svc := reg.Service(resilience.Settings{Name: "resume", Operation: "generate_resume", MaxRetries: 2, InitialDelay: time.Millisecond,
		Breaker: "openai"}, resilience.BreakerSettings{FailureThreshold: 3, RecoveryTimeout: time.Hour})
	err := svc.Do(context.Background(), failing)
	var ex *resilience.ExhaustedError
	if !errors.As(err, &ex) {
		t.Fatalf("err = %v, want exhausted", err)
	}
	want := []string{
		"generate_resume failed (attempt 1/3): smtp: connection refused. Retrying in 0.00s...",
		"generate_resume failed (attempt 2/3): smtp: connection refused. Retrying in 0.00s...",
		"Circuit breaker opened after 3 failures",
		"generate_resume failed after 2 retries: smtp: connection refused",
	}
	if got := rec.messages(); !equal(got, want) {
		t.Fatalf("log lines:\n%s\nwant:\n%s", join(got), join(want))
	}
}

// A configuration error (rejected credentials) is not retried and pauses
// the breaker: held open with the error as its reason, rejecting every call
// without running it, past its recovery time too (no probe with the same
// rejected password), until it is reset.
func TestMisconfigurationPausesTheBreakerUntilReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		const recovery = 50 * time.Millisecond
		svc := reg.Service(resilience.Settings{Name: "email", Breaker: "email", MaxRetries: 3, InitialDelay: time.Millisecond, Operation: "send_email"},
			resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: recovery})
		ctx := context.Background()
		calls := 0
		refused := func(context.Context) error {
			calls++
			return jobpilot.Misconfigured(errors.New("535 5.7.8 authentication failed"))
		}
		err := svc.Do(ctx, refused)
		var oe *resilience.OpenError
		if !errors.As(err, &oe) || oe.Reason == "" || calls != 1 {
			t.Fatalf("err = %v after %d calls, want one call and an OpenError with its reason", err, calls)
		}
		if !contains(err.Error(), "paused") || !contains(err.Error(), "535 5.7.8 authentication failed") {
			t.Errorf("error %q does not say the breaker is paused and why", err)
		}
		if len(rec.kinds(resilience.KindRetry)) != 0 {
			t.Errorf("a configuration error was retried")
		}
		snap := svc.Breaker().Snapshot()
		if snap.State != resilience.StateOpen || !contains(snap.Reason, "535") {
			t.Errorf("snapshot %+v, want open with the reason", snap)
		}

		time.Sleep(3 * recovery) // virtual time: well past the recovery time
		err = svc.Do(ctx, refused)
		if !errors.As(err, &oe) || calls != 1 || oe.RetryIn != recovery {
			t.Fatalf("after the recovery time: err = %v, %d calls; want rejected without a call, back in %s", err, calls, recovery)
		}
		want := "Circuit breaker paused by a configuration error: 535 5.7.8 authentication failed. It stays open until it is reset or the service restarts"
		if got := rec.kinds(resilience.KindBreaker); len(got) != 1 || got[0].Message != want {
			t.Errorf("breaker events %+v, want one: %q", got, want)
		}

		if err := reg.Reset("email"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Do(ctx, succeeding); err != nil {
			t.Fatalf("after the reset: %v", err)
		}
		if s := svc.Breaker().Snapshot(); s.State != resilience.StateClosed || s.Reason != "" {
			t.Errorf("after the reset: %+v, want closed without a reason", s)
		}
	})
}

// A paused breaker's reason is kept as Options.Redact cleans it: the
// upstream error may quote a credential (an LLM endpoint echoing the key in
// its 401), and the reason is shown by /health, the API and the dashboard.
func TestPauseReasonIsRedacted(t *testing.T) {
	const key = "sk-echoed-key"
	reg := resilience.NewRegistry(resilience.Options{Redact: func(s string) string { return strings.ReplaceAll(s, key, "[redacted]") }})
	svc := reg.Service(resilience.Settings{Name: "resume", Breaker: "openai", MaxRetries: 2},
		resilience.BreakerSettings{FailureThreshold: 3, RecoveryTimeout: time.Minute})
	err := svc.Do(context.Background(), func(context.Context) error {
		return jobpilot.Misconfigured(errors.New("HTTP 401: Incorrect API key provided: Bearer " + key))
	})
	var oe *resilience.OpenError
	if !errors.As(err, &oe) || strings.Contains(oe.Reason, key) || !strings.Contains(oe.Reason, "Bearer [redacted]") {
		t.Errorf("err = %v, want the breaker's error with the key redacted from its reason", err)
	}
	if snap := svc.Breaker().Snapshot(); strings.Contains(snap.Reason, key) || !strings.Contains(snap.Reason, "Bearer [redacted]") {
		t.Errorf("snapshot reason %q, want the key redacted", snap.Reason)
	}
}
