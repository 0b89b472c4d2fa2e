package system_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// With no variable set, the configuration reproduces the guide's table
// exactly; each variable then lands in its cell, and the time scale scales
// the whole table.
func TestResilienceConfig(t *testing.T) {
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
		"EMAIL_TIMEOUT": "20", "SOURCE_TIMEOUT": "10", "EMAIL_FAILURE_THRESHOLD": "2", "OPENAI_RECOVERY_TIMEOUT": "60",
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
	check(resilience.ServiceEmail, 3, time.Second, 10*time.Second) // the guide's own 2 s backoff, scaled
	check(resilience.ServiceResume, 3, time.Second, 60*time.Second)
	email := set.Service(resilience.ServiceEmail).Breaker().Snapshot()
	openai := set.Service(resilience.ServiceResume).Breaker().Snapshot()
	if email.FailureThreshold != 2 || email.RecoveryTimeout != 150*time.Second ||
		openai.FailureThreshold != 3 || openai.RecoveryTimeout != 30*time.Second {
		t.Errorf("breakers: email %+v, openai %+v", email, openai)
	}
}
