package resilience_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

var errFlaky = errors.New("connection timeout")

// flaky fails with a transient error until its n-th call.
func flaky(n int, calls *int) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if *calls < n {
			return jobpilot.Transient(errFlaky)
		}
		return nil
	}
}

func TestFlakySucceedsOnThirdAttemptWithDefaultDelays(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	calls := 0
	if err := set.Service(resilience.ServiceDefault).Do(context.Background(), flaky(3, &calls)); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if calls != 3 {
		t.Fatalf("calls = %d, want 3", calls)
	}
	assertDelays(t, rec.delays(), time.Millisecond, 2*time.Millisecond)
}

func TestDefaultDelaysOneTwoFour(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	calls := 0
	err := set.Service(resilience.ServiceDefault).Do(context.Background(), flaky(100, &calls))
	var ex *resilience.ExhaustedError
	if !errors.As(err, &ex) || ex.Attempts != 4 || ex.Service != "default" {
		t.Fatalf("err = %v, want ExhaustedError after 4 attempts", err)
	}
	if !errors.Is(err, errFlaky) || !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("exhausted error lost its cause or class: %v", err)
	}
	if calls != 4 {
		t.Fatalf("calls = %d, want 4", calls)
	}
	assertDelays(t, rec.delays(), time.Millisecond, 2*time.Millisecond, 4*time.Millisecond)
	if n := len(rec.kinds(resilience.KindGiveUp)); n != 1 {
		t.Fatalf("give-up events = %d, want 1", n)
	}
}

func TestEmailDelaysTwoFourEight(t *testing.T) {
	rec := newRecorder()
	set := resilience.NewSet(scaled(0.001), rec.options())
	calls := 0
	err := set.Service(resilience.ServiceEmail).Do(context.Background(), flaky(100, &calls))
	if err == nil || calls != 4 {
		t.Fatalf("err = %v calls = %d, want failure after 4", err, calls)
	}
	assertDelays(t, rec.delays(), 2*time.Millisecond, 4*time.Millisecond, 8*time.Millisecond)
	want := []string{
		"send_email failed (attempt 1/4): connection timeout. Retrying in 0.00s...",
	}
	if got := rec.messages(); len(got) < 1 || got[0] != want[0] {
		t.Fatalf("messages = %q", got)
	}
}

// Job and automation are not retried here (the engine retries them next
// run): one attempt, an *ExhaustedError, no give-up noise.
func TestJobHasNoRetries(t *testing.T) {
	rec := newRecorder()
	opts := rec.options()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	opts.Clock = func() time.Time { return at }
	set := resilience.NewSet(scaled(0.001), opts)
	if st := set.Service(resilience.ServiceJob).Settings(); st.Timeout != 600*time.Millisecond || st.MaxRetries != 0 || set.Service(resilience.ServiceJob).Breaker() != nil {
		t.Fatalf("job settings = %+v", st)
	}
	if st := set.Service(resilience.ServiceAutomation).Settings(); st.Timeout != 3600*time.Millisecond || st.MaxRetries != 0 {
		t.Fatalf("automation settings = %+v", st)
	}
	calls := 0
	err := set.Service(resilience.ServiceJob).Do(context.Background(), flaky(100, &calls))
	var ex *resilience.ExhaustedError
	if calls != 1 || !errors.As(err, &ex) || ex.Attempts != 1 {
		t.Fatalf("calls = %d err = %v", calls, err)
	}
	if len(rec.kinds(resilience.KindGiveUp)) != 0 || rec.logs.String() != "" {
		t.Fatalf("no-retry failure logged: %s", rec.logs)
	}
	// The injected clock stamps events.
	_ = set.Service(resilience.ServiceDefault).Do(context.Background(), flaky(2, new(int)))
	if r := rec.kinds(resilience.KindRetry); len(r) != 1 || !r[0].At.Equal(at) {
		t.Fatalf("retry events = %+v", r)
	}
}
