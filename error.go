package jobpilot

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The HTTP layer maps them to status codes and the CLI to
// messages; they describe what the caller did wrong (or what state the system
// is in), not whether a retry can help. See Transient and Permanent for that.
const (
	EINVALID     = "invalid"     // bad input: 400/422
	ENOTFOUND    = "not_found"   // 404
	ECONFLICT    = "conflict"    // a state that forbids the request, e.g. an invalid status transition: 409
	EUNAVAILABLE = "unavailable" // a dependency is down (open breaker, database): 503
	EINTERNAL    = "internal"    // a bug or an unclassified failure: 500
)

// Error is the domain error: a code for machines, a message for people and,
// for invalid input, the field at fault.
type Error struct {
	Code    string
	Message string
	Field   string // JSON path of the offending field, when Code is EINVALID
	Err     error  // the cause, if any
	// more holds each problem of a validation that found several.
	more []*Error
}

// Problems returns each problem of an EINVALID error that gathers several
// (Profile.Validate), or the error itself.
func (e *Error) Problems() []*Error {
	if e.more != nil {
		return e.more
	}
	return []*Error{e}
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		if msg == "" {
			return e.Err.Error()
		}
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error that names the offending field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or "internal error" for errors that carry no message meant for users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// Retry classes. Every error that crosses a dependency boundary is classified
// as transient (a later attempt can succeed: network errors, timeouts, SMTP
// 4xx, HTTP 429/5xx) or permanent (it will fail the same way again: SMTP 5xx,
// HTTP 400/401/403/404, invalid input). Test with errors.Is.
var (
	ErrTransient = errors.New("transient")
	ErrPermanent = errors.New("permanent")
)

type classified struct {
	class      error
	err        error
	retryAfter time.Duration
}

func (c *classified) Error() string   { return c.err.Error() }
func (c *classified) Unwrap() []error { return []error{c.err, c.class} }

// Transient marks err as worth retrying later. A nil err stays nil.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &classified{class: ErrTransient, err: err}
}

// TransientAfter marks err as transient and records the delay the dependency
// asked for (an HTTP Retry-After, an SMTP greylisting hint). Retry policies
// honour it, capped by their maximum delay.
func TransientAfter(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &classified{class: ErrTransient, err: err, retryAfter: after}
}

// Permanent marks err as one that no retry can fix. A nil err stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &classified{class: ErrPermanent, err: err}
}

// RetryAfter returns the delay a dependency asked for, if err carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var c *classified
	for e := err; e != nil; {
		if errors.As(e, &c) {
			if c.retryAfter > 0 {
				return c.retryAfter, true
			}
			e = c.err
			continue
		}
		break
	}
	return 0, false
}

// ErrMisconfigured is the class of a dependency's refusal of our own
// configuration: credentials it rejects (SMTP 535), no authentication it
// offers that we may use over the connection we have, a certificate we
// cannot trust. No retry helps, and the work is not at fault: the
// dependency is paused (the resilience package holds its circuit breaker
// open, with the error as the reason shown in /health, until the breaker
// is reset or the service restarts) and the work waits for it, unchanged.
// Test with errors.Is; it is neither ErrTransient nor ErrPermanent.
var ErrMisconfigured = errors.New("misconfigured")

// Misconfigured marks err as a configuration failure (see
// ErrMisconfigured). A nil err stays nil.
func Misconfigured(err error) error {
	if err == nil {
		return nil
	}
	return &classified{class: ErrMisconfigured, err: err}
}

// ErrOutcomeUnknown marks a send whose result cannot be known: the connection
// failed after the message body was handed over but before the server's
// reply. Such a send is never retried silently; the application becomes
// needs_review.
var ErrOutcomeUnknown = errors.New("outcome unknown: the message was fully sent but the server's reply was lost")

// ErrCircuitOpen is matched (errors.Is) by the error an Executor returns when
// a circuit breaker refused the call without running it. Such an error is
// transient, but work that meets it is rescheduled for when the breaker lets
// a probe through rather than retried at once; the resilience package's
// *OpenError carries that delay.
var ErrCircuitOpen = errors.New("circuit breaker open")

// ErrUnusableDraft is matched by a writer's permanent error when the draft
// it got is unusable (not valid after a repair request, too large, or
// refused by the fabrication guard): the pipeline then writes the documents
// with the template writer instead of failing or sending the bad draft.
var ErrUnusableDraft = errors.New("the writer's draft is unusable")
