package jobpilot

import (
	"context"
	"time"
)

// Health statuses, worst last.
const (
	HealthHealthy   = "healthy"   // everything answers
	HealthDegraded  = "degraded"  // a circuit breaker is not closed: some work waits
	HealthUnhealthy = "unhealthy" // the database or the scheduler is down
)

// Health is what /health reports: the service's overall status and the
// state of each part it is made from. It carries states, counts and the
// store's own error messages, never a secret.
type Health struct {
	Status          string                   `json:"status"` // HealthHealthy, HealthDegraded or HealthUnhealthy
	Environment     string                   `json:"environment"`
	Version         string                   `json:"version"`
	Scheduler       SchedulerStatus          `json:"scheduler"`
	Database        DatabaseHealth           `json:"database"`
	CircuitBreakers map[string]BreakerHealth `json:"circuit_breakers"`
	Examples        bool                     `json:"examples,omitempty"`
}

// DatabaseHealth says whether the database answers.
type DatabaseHealth struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// BreakerHealth is one circuit breaker in /health.
type BreakerHealth struct {
	State            string  `json:"state"`
	Failures         int     `json:"failures"`
	FailureThreshold int     `json:"failure_threshold"`
	RetryInSeconds   float64 `json:"retry_in_seconds,omitempty"`
	// Reason is why a paused breaker is held open (a configuration error
	// such as rejected credentials); it stays open until reset.
	Reason string `json:"reason,omitempty"`
}

// Circuit-breaker states.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half_open"
)

// BreakerSnapshot is one circuit breaker's state at a moment.
type BreakerSnapshot struct {
	Name             string        `json:"name"`
	State            string        `json:"state"` // BreakerClosed, BreakerOpen or BreakerHalfOpen
	Failures         int           `json:"failures"`
	FailureThreshold int           `json:"failure_threshold"`
	RecoveryTimeout  time.Duration `json:"recovery_timeout"`
	RetryIn          time.Duration `json:"retry_in"` // remaining open time, 0 unless open (and 0 while paused)
	// Reason is set while the breaker is paused: held open by a
	// configuration error (ErrMisconfigured) until it is reset or the
	// service restarts, rather than probing on its own.
	Reason string `json:"reason,omitempty"`
}

// Breakers reads and resets the service's circuit breakers.
type Breakers interface {
	// Snapshot returns every breaker's state, sorted by name.
	Snapshot() []BreakerSnapshot
	// Reset closes the named breaker and forgets its failures (an
	// operator's "the dependency is back"); an unknown name is ENOTFOUND.
	Reset(name string) error
}

// HealthOf settles the overall status from the parts: unhealthy when the
// database or the scheduler is down, degraded while a breaker is not
// closed, healthy otherwise. It fills h.CircuitBreakers from breakers.
func HealthOf(h Health, breakers []BreakerSnapshot) Health {
	h.Status = HealthHealthy
	if h.CircuitBreakers == nil {
		h.CircuitBreakers = make(map[string]BreakerHealth, len(breakers))
	}
	for _, b := range breakers {
		h.CircuitBreakers[b.Name] = BreakerHealth{
			State: b.State, Failures: b.Failures, FailureThreshold: b.FailureThreshold,
			RetryInSeconds: b.RetryIn.Seconds(), Reason: b.Reason,
		}
		if b.State != BreakerClosed {
			h.Status = HealthDegraded
		}
	}
	if !h.Database.OK || !h.Scheduler.Running {
		h.Status = HealthUnhealthy
	}
	return h
}

// HealthFunc reports the service's health; ctx bounds the checks it makes.
type HealthFunc func(ctx context.Context) Health
