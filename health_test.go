package jobpilot_test

import (
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// HealthOf: the database or the scheduler down is unhealthy whatever the
// breakers say; otherwise a breaker that is not closed degrades.
func TestHealthOf(t *testing.T) {
	up := jobpilot.Health{Database: jobpilot.DatabaseHealth{OK: true}, Scheduler: jobpilot.SchedulerStatus{Running: true}}
	closed := jobpilot.BreakerSnapshot{Name: "email", State: jobpilot.BreakerClosed, FailureThreshold: 5}
	open := jobpilot.BreakerSnapshot{Name: "openai", State: jobpilot.BreakerOpen, Failures: 3, FailureThreshold: 3, RetryIn: 1500 * time.Millisecond}
	dbDown := up
	dbDown.Database = jobpilot.DatabaseHealth{Error: "database is locked"}
	schedDown := up
	schedDown.Scheduler.Running = false
	for _, c := range []struct {
		name     string
		h        jobpilot.Health
		breakers []jobpilot.BreakerSnapshot
		want     string
	}{
		{"all up", up, []jobpilot.BreakerSnapshot{closed}, jobpilot.HealthHealthy},
		{"no breakers", up, nil, jobpilot.HealthHealthy},
		{"open breaker", up, []jobpilot.BreakerSnapshot{closed, open}, jobpilot.HealthDegraded},
		{"database down", dbDown, []jobpilot.BreakerSnapshot{closed}, jobpilot.HealthUnhealthy},
		{"scheduler down and open breaker", schedDown, []jobpilot.BreakerSnapshot{open}, jobpilot.HealthUnhealthy},
	} {
		got := jobpilot.HealthOf(c.h, c.breakers)
		if got.Status != c.want {
			t.Errorf("%s: status %s, want %s", c.name, got.Status, c.want)
		}
		if len(got.CircuitBreakers) != len(c.breakers) {
			t.Errorf("%s: %d breakers reported, want %d", c.name, len(got.CircuitBreakers), len(c.breakers))
		}
	}
	got := jobpilot.HealthOf(up, []jobpilot.BreakerSnapshot{open})
	if b := got.CircuitBreakers["openai"]; b.State != "open" || b.Failures != 3 || b.FailureThreshold != 3 || b.RetryInSeconds != 1.5 {
		t.Errorf("openai breaker reported as %+v", b)
	}
}
