package dbtest

import (
	"testing"
	"time"
)

// pollEvery is how often Eventually re-checks its condition when no event
// wakes it.
const pollEvery = 10 * time.Millisecond

// MinWait is the least any wait here allows, whatever its caller asked:
// the ceiling only catches a broken run, and on a loaded 2-core machine
// (the suite run repeatedly beside a CPU burner, as BENCHMARKS.md's
// "Checking for flakes" does) work that takes milliseconds on a quiet one
// has taken over a minute. A green run never waits for it.
const MinWait = 2 * time.Minute

// Eventually waits until cond holds, checking it every 10 ms, and fails t
// ("timed out after 5s waiting for <what>") when timeout passes first. The
// timeout is a ceiling for a broken run, not the expected wait: pick it
// generously, since the test returns as soon as cond holds. cond runs on
// the test's goroutine.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	EventuallyOn(t, nil, timeout, what, cond)
}

// EventuallyOn is Eventually that also re-checks cond at once whenever
// wake delivers: an event (a breaker transition, a job finishing) that may
// have made it true. A nil wake only polls.
func EventuallyOn(t testing.TB, wake <-chan struct{}, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	timeout = max(timeout, MinWait)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		select {
		case <-wake:
		case <-tick.C:
		case <-deadline.C:
			if cond() {
				return
			}
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
	}
}
