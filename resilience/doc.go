// Package resilience gives every dependency of jobpilot the stability guide's
// fault tolerance: retries with exponential backoff, shared circuit breakers
// and per-attempt timeouts, built on failsafe-go and observed through slog
// logs, Prometheus metrics and an optional event hook.
//
// A Service is a ready executor composed retry(breaker(timeout(call))):
//
//   - the timeout is innermost: it cancels the context handed to the call, so
//     work that honours its context really stops (an email that timed out is
//     not sent later). failsafe-go runs the call synchronously, so a call that
//     ignores its context delays the timeout error until it returns;
//   - the breaker sits inside the retry loop, so it counts every attempt;
//     permanent answers (a 400, a rejected mailbox) and rate limits that say
//     when to come back (a 429 with Retry-After) show a working dependency
//     and count as successes, not failures;
//   - the retry loop retries only what Retryable accepts, never a permanent
//     error or an *OpenError, and waits the delay a dependency asked for
//     (jobpilot.TransientAfter, e.g. Retry-After) capped at MaxDelay.
//
// Log lines take the stability guide's shapes, with the guide's operation
// names (Settings.Operation: send_email, generate_resume,
// generate_cover_letter …): each failure that is retried logs the failed
// attempt out of all the attempts the call may make (3 retries: 4), the
// number a timeout line gives the same attempt,
//
//	send_email failed (attempt 1/4): connection refused. Retrying in 2.00s...
//	send_email timed out after 30s (attempt 2/4)
//
// and the give-up after the last retry
//
//	send_email failed after 3 retries: connection refused
//
// "Retrying in" is logged only for a retry that will be made: a failure
// that opens the breaker (or pauses it) ends the retries and says so,
//
//	send_email failed (attempt 2/4): 421 try later. Not retried: circuit breaker "email" is open
//
// and an attempt whose outcome is unknown (jobpilot.ErrOutcomeUnknown) is
// not turned into a retryable timeout by the timeout that cut it.
//
// Breakers log "Circuit breaker opened after 5 failures", "Circuit breaker
// entering HALF_OPEN state" and "Circuit breaker reset to CLOSED state", each
// with a "breaker" attribute, only on real transitions.
//
// Cancellation of the caller's own context (shutdown) stops the retry loop at
// once, is returned as the context's error, and never counts as a breaker
// failure.
package resilience
