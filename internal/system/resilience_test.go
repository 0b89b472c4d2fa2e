package system_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"

	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// With no variable set, the configuration reproduces the guide's table
// exactly; each variable then lands in its cell, and the time scale scales
// the whole table.
func TestResilienceConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	got, want := system.ResilienceConfig(cfg), resilience.Defaults()
	for name, w := range want.Services {
		g := got.Services[name]
		if w.MaxRetries == 0 {
			w.Base = g.Base // RETRY_BASE reaches every row; without retries it shapes nothing
		}
		if g != w {
			t.Errorf("%s = %+v, want the table's %+v", name, g, w)
		}
	}
	for name, w := range want.Breakers {
		if g := got.Breakers[name]; g != w {
			t.Errorf("breaker %s = %+v, want the table's %+v", name, g, w)
		}
	}

	vars := map[string]string{
		"JOBPILOT_TIME_SCALE": "0.5", "MAX_RETRIES": "5", "INITIAL_DELAY": "3", "RETRY_BASE": "3",
		"EMAIL_TIMEOUT": "20", "NOTIFY_TIMEOUT": "4", "MAILBOX_TIMEOUT": "30", "SOURCE_TIMEOUT": "10", "EMAIL_FAILURE_THRESHOLD": "2", "OPENAI_RECOVERY_TIMEOUT": "60",
	}
	if cfg, err = config.Load(func(k string) string { return vars[k] }, ""); err != nil {
		t.Fatal(err)
	}
	set := resilience.NewSet(system.ResilienceConfig(cfg), resilience.Options{Logger: slog.New(slog.DiscardHandler)})
	check := func(name string, retries int, initial, timeout time.Duration) {
		t.Helper()
		s := set.Service(name).Settings()
		if s.MaxRetries != retries || s.InitialDelay != initial || s.Timeout != timeout || s.Base != 3 {
			t.Errorf("%s = %+v, want %d retries, %s first delay, %s timeout, base 3", name, s, retries, initial, timeout)
		}
	}
	check(resilience.ServiceDefault, 5, 1500*time.Millisecond, 0)
	// No per-attempt timeout for a board: SOURCE_TIMEOUT is the source
	// client's (TestSourceClientOptions).
	check("source:hn:hn", 5, 1500*time.Millisecond, 0)
	// The services with settings of their own take the global ones that
	// were set, in place of the guide's (2 s and 3 retries for both).
	check(resilience.ServiceEmail, 5, 1500*time.Millisecond, 10*time.Second)
	check(resilience.ServiceResume, 5, 1500*time.Millisecond, 60*time.Second)
	// Every notification channel takes NOTIFY_TIMEOUT (scaled: 2 s); its
	// own retries are the table's (2, from 1 s scaled to 500 ms).
	check("notify:webhook", 2, 500*time.Millisecond, 2*time.Second)
	check(resilience.ServiceMailbox, 2, time.Second, 15*time.Second)
	email := set.Service(resilience.ServiceEmail).Breaker().Snapshot()
	openai := set.Service(resilience.ServiceResume).Breaker().Snapshot()
	if email.FailureThreshold != 2 || email.RecoveryTimeout != 150*time.Second ||
		openai.FailureThreshold != 3 || openai.RecoveryTimeout != 30*time.Second {
		t.Errorf("breakers: email %+v, openai %+v", email, openai)
	}
}

// The per-service retry settings reach the policies that run the calls:
// EMAIL_* the email service, RESUME_* and COVER_LETTER_* the LLM ones (the
// embeddings follow the cover letter), a global one fills what a service
// leaves unset, and the guide's values stay where nothing is set.
func TestPerServiceRetrySettingsReachThePolicies(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"EMAIL_MAX_RETRIES": "2", "EMAIL_INITIAL_DELAY": "0.004", "EMAIL_MAX_DELAY": "0.006",
		"RESUME_MAX_RETRIES": "1", "RESUME_INITIAL_DELAY": "0.003",
		"COVER_LETTER_INITIAL_DELAY": "0.002",
		"MAX_DELAY":                  "0.005", // fills RESUME_MAX_DELAY and COVER_LETTER_MAX_DELAY
		"INITIAL_DELAY":              "0.001", // every service here has its own
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		delays = map[string][]time.Duration{}
	)
	set := resilience.NewSet(system.ResilienceConfig(cfg), resilience.Options{
		Logger: slog.New(slog.DiscardHandler),
		OnEvent: func(e resilience.Event) {
			if e.Kind == resilience.KindRetry {
				mu.Lock()
				delays[e.Service] = append(delays[e.Service], e.Delay)
				mu.Unlock()
			}
		},
	})
	down := jobpilot.Transient(errors.New("connection refused"))
	for _, name := range []string{resilience.ServiceEmail, resilience.ServiceResume, resilience.ServiceCoverLetter, resilience.ServiceEmbeddings} {
		set.Service(name).Breaker().Reset()
		err := set.Service(name).Do(context.Background(), func(context.Context) error { return down })
		var ex *resilience.ExhaustedError
		if !errors.As(err, &ex) {
			t.Fatalf("%s: %v, want the retries exhausted", name, err)
		}
		set.Service(name).Breaker().Reset()
	}
	ms := func(ds ...int) []time.Duration {
		out := make([]time.Duration, len(ds))
		for i, d := range ds {
			out[i] = time.Duration(d) * time.Millisecond
		}
		return out
	}
	for name, want := range map[string][]time.Duration{
		resilience.ServiceEmail:       ms(4, 6), // 4, 8 capped at EMAIL_MAX_DELAY
		resilience.ServiceResume:      ms(3),    // one retry
		resilience.ServiceCoverLetter: ms(2, 4), // the guide's 2 retries, from 2 ms
		resilience.ServiceEmbeddings:  ms(2, 4), // as the cover letter
	} {
		if got := delays[name]; !slices.Equal(got, want) {
			t.Errorf("%s waited %v, want %v", name, got, want)
		}
	}
}
