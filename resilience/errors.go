package resilience

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/timeout"

	"github.com/jobpilot/jobpilot"
)

// OpenError is returned at once, without calling the dependency, while a
// circuit breaker is open (or half-open with its one probe in flight).
// RetryIn says when to come back: the remaining open time, or, while a probe
// is in flight, a short wait (the recovery timeout capped at one second).
//
// It is never retried by a Service's retry loop. It is transient
// (errors.Is(err, jobpilot.ErrTransient)) because a later attempt can
// succeed, and carries jobpilot.EUNAVAILABLE for the HTTP layer; callers that
// schedule work check errors.As(err, **OpenError) FIRST and snooze until
// RetryIn instead of counting a failed attempt.
type OpenError struct {
	Breaker string
	RetryIn time.Duration
	// Reason is set when the breaker is paused by a configuration error
	// (Breaker.Pause): it stays open until reset, whatever RetryIn says.
	Reason string

	domain *jobpilot.Error // the breaker's shared EUNAVAILABLE error, set by the breaker
}

func (e *OpenError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("circuit breaker %q is paused until it is reset or the service restarts: %s", e.Breaker, e.Reason)
	}
	return fmt.Sprintf("circuit breaker %q is open: retry in %s", e.Breaker, e.RetryIn.Round(time.Millisecond))
}

// Is reports the error as transient, as jobpilot.ErrCircuitOpen and as
// failsafe-go's circuitbreaker.ErrOpen.
func (e *OpenError) Is(target error) bool {
	return target == jobpilot.ErrTransient || target == jobpilot.ErrCircuitOpen || target == circuitbreaker.ErrOpen
}

// Unwrap gives the domain error (EUNAVAILABLE) so jobpilot.ErrorCode maps it to 503.
func (e *OpenError) Unwrap() error {
	if e.domain != nil {
		return e.domain
	}
	return unavailable(e.Breaker)
}

func unavailable(breaker string) *jobpilot.Error {
	return &jobpilot.Error{Code: jobpilot.EUNAVAILABLE, Message: "dependency " + breaker + " is unavailable (circuit open)"}
}

// TimeoutError is one attempt that exceeded its service's per-attempt limit.
// Its context was canceled when the limit passed. It is transient, and
// errors.Is(err, context.DeadlineExceeded) is true.
type TimeoutError struct {
	Service string
	Limit   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s timed out after %s", e.Service, e.Limit)
}

// Is matches jobpilot.ErrTransient, context.DeadlineExceeded and failsafe-go's timeout.ErrExceeded.
func (e *TimeoutError) Is(target error) bool {
	return target == jobpilot.ErrTransient || target == context.DeadlineExceeded || target == timeout.ErrExceeded
}

// Timeout makes TimeoutError look like a net.Error timeout to generic code.
func (e *TimeoutError) Timeout() bool { return true }

// ExhaustedError is returned after the last retry failed. It wraps the last
// attempt's error, so that error's classification (transient, its
// Retry-After, its *jobpilot.Error code) is kept.
type ExhaustedError struct {
	Service   string
	Operation string // the name in messages (Settings.Operation); "" = Service
	Attempts  int    // attempts made, MaxRetries+1
	Err       error  // the last attempt's error
}

func (e *ExhaustedError) Error() string {
	name := e.Operation
	if name == "" {
		name = e.Service
	}
	return fmt.Sprintf("%s failed after %d retries: %v", name, e.Attempts-1, e.Err)
}

func (e *ExhaustedError) Unwrap() error { return e.Err }

// Retryable is the retry loop's classifier:
//
//   - jobpilot.ErrPermanent → false; *OpenError → false (reschedule instead);
//     jobpilot.ErrMisconfigured → false (the breaker is paused instead);
//     context.Canceled → false (our own shutdown, also never counted as a
//     breaker failure);
//   - jobpilot.ErrTransient, *TimeoutError, context.DeadlineExceeded,
//     net.Error, ECONNREFUSED/ECONNRESET, io.ErrUnexpectedEOF → true;
//   - anything else unclassified → false: callers classify their
//     dependency's errors with jobpilot.Transient / Permanent.
//
// An *ExhaustedError keeps its last error's class, so it is Retryable when
// that error was: a job that gave up now can be rescheduled later.
func Retryable(err error) bool {
	switch err.(type) {
	case nil, *OpenError: // the common cases, without errors.As's allocation
		return false
	}
	var oe *OpenError
	if errors.As(err, &oe) {
		return false
	}
	if errors.Is(err, jobpilot.ErrPermanent) || errors.Is(err, jobpilot.ErrMisconfigured) || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// countsAsBreakerFailure says whether an attempt's error is the dependency's
// failure. Permanent errors are answers from a working dependency (a 400, a
// rejected mailbox), so they count as successes; cancellation is decided by
// the caller's context before this is asked.
//
// A rate limit that says when to come back (jobpilot.TransientAfter: an HTTP
// 429 with Retry-After) is not a failure either: the dependency is healthy
// and pacing us. The retry honours its delay; opening the breaker would stop
// all calls for the whole recovery time and waste the quota it grants.
func countsAsBreakerFailure(err error) bool {
	if err == nil || errors.Is(err, jobpilot.ErrPermanent) {
		return false
	}
	if _, paced := jobpilot.RetryAfter(err); paced {
		return false
	}
	var oe *OpenError
	return !errors.As(err, &oe)
}
