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
// attempt out of the retries allowed,
//
//	send_email failed (attempt 1/3): connection refused. Retrying in 2.00s...
//
// and the give-up after the last retry
//
//	send_email failed after 3 retries: connection refused
//
// Breakers log "Circuit breaker opened after 5 failures", "Circuit breaker
// entering HALF_OPEN state" and "Circuit breaker reset to CLOSED state", each
// with a "breaker" attribute, only on real transitions.
//
// Cancellation of the caller's own context (shutdown) stops the retry loop at
// once, is returned as the context's error, and never counts as a breaker
// failure.
package resilience
