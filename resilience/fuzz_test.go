package resilience_test

import (
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/resilience"
)

// FuzzParseRetryAfter reads any Retry-After value a server sends: a delay,
// when one is accepted, is between 0 and a year, and a refused value gives
// none. Run with go test -run '^$' -fuzz '^FuzzParseRetryAfter$' ./resilience.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0.5", "-1", "NaN", "Inf", "1e308", "Wed, 21 Oct 2015 07:28:00 GMT",
		"Fri, 31 Dec 2100 23:59:59 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", " 30 ", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := resilience.ParseRetryAfter(v, now)
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) refused the value but gave %v", v, d)
		}
		if d < 0 || d > 365*24*time.Hour {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v: outside [0, 1 year]", v, d, ok)
		}
	})
}
