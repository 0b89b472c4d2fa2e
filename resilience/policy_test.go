package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// The guide's email scenario: fail, wait 2 s, fail, wait 4 s, success —
// scaled by 0.01 so the waits are 20 and 40 ms and the log lines readable.
func TestEmailFailWaitFailWaitSuccess(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.01), rec.options())
	calls := 0
	if err := set.Service(resilience.ServiceEmail).Do(context.Background(), flaky(3, &calls)); err != nil {
		t.Fatalf("Do: %v", err)
	}
	assertDelays(t, rec.delays(), 20*time.Millisecond, 40*time.Millisecond)
	want := []string{
		"send_email failed (attempt 1/4): connection timeout. Retrying in 0.02s...",
		"send_email failed (attempt 2/4): connection timeout. Retrying in 0.04s...",
	}
	if got := rec.messages(); !equal(got, want) {
		t.Fatalf("logs = %q, want %q", got, want)
	}
	for i, e := range rec.kinds(resilience.KindRetry) {
		if e.Service != "email" || e.Attempt != i+1 || e.MaxAttempts != 4 || !errors.Is(e.Err, errFlaky) || e.At.IsZero() {
			t.Fatalf("retry event %d = %+v", i, e)
		}
	}
	if !contains(rec.logs.String(), "level=WARN") {
		t.Fatalf("retries must log at WARN:\n%s", rec.logs)
	}
}

func TestGiveUpLog(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	calls := 0
	err := set.Service(resilience.ServiceEmail).Do(context.Background(), flaky(100, &calls))
	if got := err.Error(); got != "send_email failed after 3 retries: connection timeout" {
		t.Fatalf("error = %q", got)
	}
	msgs := rec.messages()
	if last := msgs[len(msgs)-1]; last != "send_email failed after 3 retries: connection timeout" {
		t.Fatalf("last log = %q", last)
	}
	g := rec.kinds(resilience.KindGiveUp)
	if len(g) != 1 || g[0].Attempt != 4 || g[0].MaxAttempts != 4 {
		t.Fatalf("give-up events = %+v", g)
	}
}

// A 10 s task under a 5 s limit (both scaled by 0.001): the caller gets a
// timeout error after about 5 ms and the side effect never happens because
// the work observed its context's cancellation.
func TestTimeoutCancelsTheWork(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		svc := reg.Service(resilience.Settings{Name: "email", Timeout: 5 * time.Millisecond}, resilience.BreakerSettings{})
		var sent atomic.Bool
		err := svc.Do(context.Background(), func(ctx context.Context) error {
			select {
			case <-time.After(10 * time.Millisecond):
				sent.Store(true) // the side effect
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		var te *resilience.TimeoutError
		if !errors.As(err, &te) || te.Limit != 5*time.Millisecond || te.Service != "email" {
			t.Fatalf("err = %v, want TimeoutError", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, jobpilot.ErrTransient) {
			t.Fatalf("timeout classification wrong: %v", err)
		}
		time.Sleep(15 * time.Millisecond) // past the moment the task would have finished
		if sent.Load() {
			t.Fatal("side effect happened after the timeout")
		}
		to := rec.kinds(resilience.KindTimeout)
		if len(to) != 1 || to[0].Attempt != 1 || to[0].Service != "email" {
			t.Fatalf("timeout events = %+v", to)
		}
		if got := rec.messages(); len(got) != 1 || got[0] != "email timed out after 5ms (attempt 1/1)" {
			t.Fatalf("logs = %q", got)
		}
	})
}

// Timeouts are retried and counted by the breaker, like any transient failure.
func TestTimeoutIsRetriedAndCounted(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	svc := reg.Service(resilience.Settings{Name: "resume", MaxRetries: 2, InitialDelay: time.Millisecond,
		MaxDelay: time.Second, Timeout: 2 * time.Millisecond, Breaker: "openai"},
		resilience.BreakerSettings{FailureThreshold: 3, RecoveryTimeout: time.Hour})
	calls := 0
	err := svc.Do(context.Background(), func(ctx context.Context) error {
		calls++
		<-ctx.Done()
		return ctx.Err()
	})
	var ex *resilience.ExhaustedError
	var te *resilience.TimeoutError
	if !errors.As(err, &ex) || !errors.As(err, &te) || calls != 3 {
		t.Fatalf("err = %v calls = %d, want exhausted timeouts after 3", err, calls)
	}
	if st := svc.Breaker().State(); st != resilience.StateOpen {
		t.Fatalf("breaker = %s, want open after 3 timeouts", st)
	}
	if n := len(rec.kinds(resilience.KindTimeout)); n != 3 {
		t.Fatalf("timeout events = %d, want 3", n)
	}
}

func TestPermanentErrorMakesOneAttempt(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	calls := 0
	perm := jobpilot.Permanent(errors.New("401 unauthorized"))
	err := set.Service(resilience.ServiceResume).Do(context.Background(), func(context.Context) error { calls++; return perm })
	if calls != 1 || err != perm {
		t.Fatalf("calls = %d err = %v, want 1 attempt returning the error itself", calls, err)
	}
	var ex *resilience.ExhaustedError
	if errors.As(err, &ex) || len(rec.kinds(resilience.KindRetry)) != 0 {
		t.Fatal("a permanent error is neither retried nor exhausted")
	}
	// Unclassified errors are not retried either.
	calls = 0
	_ = set.Service(resilience.ServiceResume).Do(context.Background(), func(context.Context) error { calls++; return errors.New("bug") })
	if calls != 1 {
		t.Fatalf("unclassified error: calls = %d, want 1", calls)
	}
}

// The delay a dependency asked for wins over the backoff, capped at MaxDelay.
func TestRetryAfterHonouredAndCapped(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	svc := reg.Service(resilience.Settings{Name: "resume", MaxRetries: 3, InitialDelay: time.Millisecond,
		MaxDelay: 20 * time.Millisecond, Base: 2}, resilience.BreakerSettings{})
	asks := []time.Duration{7 * time.Millisecond, time.Hour, 0}
	calls := 0
	err := svc.Do(context.Background(), func(context.Context) error {
		calls++
		if calls <= len(asks) {
			if a := asks[calls-1]; a > 0 {
				return jobpilot.TransientAfter(errors.New("429 too many requests"), a)
			}
			return jobpilot.Transient(errors.New("503"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 7 ms as asked; an hour capped to 20 ms; then the plain backoff for retry 3: 1 ms × 2² = 4 ms.
	assertDelays(t, rec.delays(), 7*time.Millisecond, 20*time.Millisecond, 4*time.Millisecond)
}

func TestMaxDelayCapsBackoff(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	svc := reg.Service(resilience.Settings{Name: "x", MaxRetries: 5, InitialDelay: time.Millisecond,
		MaxDelay: 5 * time.Millisecond, Base: 3}, resilience.BreakerSettings{})
	calls := 0
	_ = svc.Do(context.Background(), flaky(100, &calls))
	ms := time.Millisecond
	assertDelays(t, rec.delays(), ms, 3*ms, 5*ms, 5*ms, 5*ms)
}

func TestJitterStaysWithinFraction(t *testing.T) {
	rec := newRecorder()
	reg := resilience.NewRegistry(rec.options())
	// Half of the draws land on the cap (2 ms), so 8 delays were all equal
	// one time in 256; 40 are all equal one time in 2^40.
	svc := reg.Service(resilience.Settings{Name: "x", MaxRetries: 40, InitialDelay: 2 * time.Millisecond,
		MaxDelay: 2 * time.Millisecond, Jitter: 0.5}, resilience.BreakerSettings{})
	calls := 0
	_ = svc.Do(context.Background(), flaky(100, &calls))
	ds := rec.delays()
	distinct := map[time.Duration]bool{}
	for _, d := range ds {
		if d < time.Millisecond || d > 2*time.Millisecond {
			t.Fatalf("delay %s outside [1ms, 2ms] (jitter ±50%%, capped at MaxDelay)", d)
		}
		distinct[d] = true
	}
	if len(ds) != 40 || len(distinct) < 2 {
		t.Fatalf("delays = %v, want 40 jittered values", ds)
	}
}

// Shutdown during a backoff wait returns at once with the context's error.
func TestCancelStopsRetryWait(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		reg := resilience.NewRegistry(newRecorder().options())
		svc := reg.Service(resilience.Settings{Name: "email", MaxRetries: 3, InitialDelay: time.Hour, MaxDelay: time.Hour},
			resilience.BreakerSettings{})
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		done := make(chan error, 1)
		go func() {
			done <- svc.Do(ctx, func(context.Context) error { calls++; return jobpilot.Transient(errDown) })
		}()
		time.Sleep(5 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || calls != 1 {
				t.Fatalf("err = %v calls = %d, want context.Canceled after 1 call", err, calls)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Do did not return after cancel")
		}
	})
}

func TestGetReturnsValue(t *testing.T) {
	reg := resilience.NewRegistry(newRecorder().options())
	svc := reg.Service(resilience.Settings{Name: "resume", MaxRetries: 2, InitialDelay: time.Millisecond}, resilience.BreakerSettings{})
	calls := 0
	v, err := resilience.Get(context.Background(), svc, func(context.Context) (string, error) {
		calls++
		if calls < 2 {
			return "partial", jobpilot.Transient(errFlaky)
		}
		return "tailored", nil
	})
	if err != nil || v != "tailored" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	n, err := resilience.Get(context.Background(), svc, func(context.Context) (int, error) {
		return 7, jobpilot.Permanent(errors.New("bad"))
	})
	if err == nil || n != 0 {
		t.Fatalf("Get on error = %d, %v; want zero value and error", n, err)
	}
}

// Many goroutines share services and breakers; run with -race. Shared
// breakers may open under the burst of first failures, so each call must end
// in success, *OpenError or *ExhaustedError, and the attempts metric must
// equal the calls that reached the dependency.
func TestConcurrentUse(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := newRecorder().options()
	opts.Metrics = resilience.NewMetrics(reg)
	set := resilience.NewSet(scaled(0.0001), opts)
	var wg sync.WaitGroup
	var ok, emailCalls atomic.Int32
	errs := make(chan error, 16*20)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				var n atomic.Int32
				svc := []*resilience.Service{set.Service(resilience.ServiceEmail), set.Service(resilience.ServiceResume), set.Service(resilience.ServiceDefault), set.Source(fmt.Sprint("b", g%3))}[i%4]
				err := svc.Do(context.Background(), func(context.Context) error {
					if svc == set.Service(resilience.ServiceEmail) {
						emailCalls.Add(1)
					}
					if n.Add(1) < 2 {
						return jobpilot.Transient(errFlaky)
					}
					return nil
				})
				var oe *resilience.OpenError
				var ex *resilience.ExhaustedError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &oe), errors.As(err, &ex):
				default:
					errs <- err
				}
				_ = set.Breakers.Snapshot()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	if ok.Load() == 0 {
		t.Fatal("no call succeeded")
	}
	if v := counterValue(t, reg, "jobpilot_resilience_attempts_total", "email"); v != float64(emailCalls.Load()) {
		t.Fatalf("email attempts metric = %v, calls = %d", v, emailCalls.Load())
	}
}

func TestMetricsObserved(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := newRecorder().options()
	opts.Metrics = resilience.NewMetrics(reg)
	// A second NewMetrics on the same registry shares the collectors.
	_ = resilience.NewMetrics(reg)
	r := resilience.NewRegistry(opts)
	svc := r.Service(resilience.Settings{Name: "email", MaxRetries: 2, InitialDelay: time.Millisecond,
		Timeout: 2 * time.Millisecond, Breaker: "email"},
		resilience.BreakerSettings{FailureThreshold: 3, RecoveryTimeout: time.Hour})
	_ = svc.Do(context.Background(), func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	_ = svc.Do(context.Background(), succeeding) // rejected: open

	for name, want := range map[string]float64{
		"jobpilot_resilience_attempts_total":   3,
		"jobpilot_resilience_retries_total":    2,
		"jobpilot_resilience_give_ups_total":   1,
		"jobpilot_resilience_timeouts_total":   3,
		"jobpilot_resilience_rejections_total": 1,
	} {
		if got := counterValue(t, reg, name, "email"); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := gaugeValue(t, reg, "jobpilot_resilience_breaker_state", "email"); got != 2 {
		t.Errorf("breaker_state = %v, want 2 (open)", got)
	}
	if got := counterValue(t, reg, "jobpilot_resilience_breaker_transitions_total", "email"); got != 1 {
		t.Errorf("transitions = %v, want 1", got)
	}
}

// counterValue sums the samples of metric whose first label is label.
func counterValue(t *testing.T, reg *prometheus.Registry, metric, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := false
			for _, l := range m.GetLabel() {
				if (l.GetName() == "service" || l.GetName() == "breaker") && l.GetValue() == label {
					match = true
				}
			}
			if !match {
				continue
			}
			if c := m.GetCounter(); c != nil {
				sum += c.GetValue()
			}
			if g := m.GetGauge(); g != nil {
				sum += g.GetValue()
			}
		}
	}
	return sum
}

func gaugeValue(t *testing.T, reg *prometheus.Registry, metric, label string) float64 {
	return counterValue(t, reg, metric, label)
}

func TestRetryable(t *testing.T) {
	var netErr net.Error = &net.OpError{Op: "dial", Err: errors.New("i/o timeout")}
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("unclassified"), false},
		{jobpilot.Transient(errors.New("503")), true},
		{jobpilot.Permanent(errors.New("400")), false},
		{jobpilot.Permanent(netErr), false},
		{&resilience.OpenError{Breaker: "email"}, false},
		{fmt.Errorf("send: %w", &resilience.OpenError{Breaker: "email"}), false},
		{context.Canceled, false},
		{jobpilot.Transient(context.Canceled), false},
		{context.DeadlineExceeded, true},
		{&resilience.TimeoutError{Service: "email", Limit: time.Second}, true},
		{netErr, true},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{io.ErrUnexpectedEOF, true},
		{&resilience.ExhaustedError{Service: "x", Attempts: 4, Err: jobpilot.Transient(errFlaky)}, true},
	}
	for _, c := range cases {
		if got := resilience.Retryable(c.err); got != c.want {
			t.Errorf("Retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// The table holds the stability guide's numbers, and a set built from it
// scales them and names each service after its row.
func TestDefaults(t *testing.T) {
	set := resilience.NewSet(resilience.Defaults(), resilience.Options{Logger: slog.New(slog.DiscardHandler)})
	check := func(name string, retries int, initial, maxDelay, timeout time.Duration, breaker string) {
		t.Helper()
		s := set.Service(name).Settings()
		if s.Name != name || s.MaxRetries != retries || s.InitialDelay != initial || s.MaxDelay != maxDelay ||
			s.Timeout != timeout || s.Breaker != breaker || s.Base != 2 || s.Jitter != 0 {
			t.Errorf("%s = %+v", name, s)
		}
	}
	check(resilience.ServiceDefault, 3, time.Second, 60*time.Second, 0, "")
	check(resilience.ServiceEmail, 3, 2*time.Second, 30*time.Second, 30*time.Second, "email")
	check(resilience.ServiceResume, 3, 2*time.Second, 30*time.Second, 120*time.Second, "openai")
	check(resilience.ServiceCoverLetter, 2, time.Second, 30*time.Second, 60*time.Second, "openai")
	check(resilience.ServiceJob, 0, 0, 0, 600*time.Second, "")
	check(resilience.ServiceAutomation, 0, 0, 0, 3600*time.Second, "")
	// No per-attempt timeout: the source client bounds first byte and idle reads.
	check("source:greenhouse:acme", 3, time.Second, 60*time.Second, 0, "source:greenhouse:acme")
	check(resilience.ServiceMailbox, 2, 2*time.Second, 30*time.Second, 60*time.Second, "mailbox")
	check("notify:webhook", 2, time.Second, 10*time.Second, 10*time.Second, "notify:webhook")
	want := map[string]resilience.BreakerSettings{
		"email":                  {FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute},
		"mailbox":                {FailureThreshold: 3, RecoveryTimeout: 5 * time.Minute},
		"notify:webhook":         {FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute},
		"openai":                 {FailureThreshold: 3, RecoveryTimeout: 3 * time.Minute},
		"source:greenhouse:acme": {FailureThreshold: 5, RecoveryTimeout: time.Minute},
	}
	for _, b := range set.Breakers.Snapshot() {
		if w := want[b.Name]; b.FailureThreshold != w.FailureThreshold || b.RecoveryTimeout != w.RecoveryTimeout {
			t.Errorf("breaker %s = %+v, want %+v", b.Name, b, w)
		}
		delete(want, b.Name)
	}
	if len(want) > 0 {
		t.Errorf("breakers missing: %v", want)
	}

	half := resilience.NewSet(scaled(0.5), resilience.Options{Logger: slog.New(slog.DiscardHandler)})
	if s := half.Service(resilience.ServiceEmail).Settings(); s.Timeout != 15*time.Second || s.InitialDelay != time.Second || s.MaxDelay != 15*time.Second {
		t.Errorf("scaled email = %+v", s)
	}
	if b := half.Service(resilience.ServiceEmail).Breaker().Snapshot(); b.RecoveryTimeout != 150*time.Second {
		t.Errorf("scaled email breaker = %+v", b)
	}
}

// A name that is neither a row nor an instance of a template row is a
// programming error: Do refuses it without running the work.
func TestUnknownService(t *testing.T) {
	set := resilience.NewSet(resilience.Defaults(), resilience.Options{Logger: slog.New(slog.DiscardHandler)})
	for _, name := range []string{"webhook", "email:x", "source"} {
		ran := false
		err := set.Do(context.Background(), name, func(context.Context) error { ran = true; return nil })
		if ran || jobpilot.ErrorCode(err) != jobpilot.EINTERNAL || !errors.Is(err, jobpilot.ErrPermanent) {
			t.Errorf("Do(%q) = %v (ran %v), want a permanent EINTERNAL error", name, err, ran)
		}
	}
	if err := set.Do(context.Background(), resilience.ServiceEmail, func(context.Context) error { return nil }); err != nil {
		t.Errorf("Do(email) = %v", err)
	}
}

// Work that ignores its context cannot be stopped (failsafe-go runs it
// synchronously), but the caller still gets the timeout error, not the
// late result, and the attempt counts as timed out.
func TestTimeoutWinsOverLateResult(t *testing.T) {
	// In a synctest bubble: the clock is virtual, so the margins
	// below hold on any machine, however loaded.
	synctest.Test(t, func(t *testing.T) {
		reg := resilience.NewRegistry(newRecorder().options())
		svc := reg.Service(resilience.Settings{Name: "automation", Timeout: 2 * time.Millisecond}, resilience.BreakerSettings{})
		v, err := resilience.Get(context.Background(), svc, func(context.Context) (string, error) {
			time.Sleep(6 * time.Millisecond)
			return "late", nil
		})
		var te *resilience.TimeoutError
		if !errors.As(err, &te) || v != "" {
			t.Fatalf("Get = %q, %v; want TimeoutError", v, err)
		}
	})
}

// The timeout line and the retry line of one attempt number it the same
// way, out of all the attempts the call may make.
func TestTimeoutAndRetryLinesNumberTheAttemptAlike(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		reg := resilience.NewRegistry(rec.options())
		svc := reg.Service(resilience.Settings{Name: "cover_letter", Operation: "generate_cover_letter", MaxRetries: 2,
			InitialDelay: time.Second, Timeout: time.Minute}, resilience.BreakerSettings{})
		calls := 0
		err := svc.Do(context.Background(), func(ctx context.Context) error {
			if calls++; calls == 1 {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"generate_cover_letter timed out after 1m0s (attempt 1/3)",
			"generate_cover_letter failed (attempt 1/3): cover_letter timed out after 1m0s. Retrying in 1.00s...",
		}
		if got := rec.messages(); !equal(got, want) {
			t.Fatalf("log lines:\n%s\nwant:\n%s", join(got), join(want))
		}
	})
}
