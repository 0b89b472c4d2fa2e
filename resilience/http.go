package resilience

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// ClassifyHTTPStatus wraps err, which describes an HTTP response that was
// not a success, in the retry class its status gives. It is the one rule
// for every HTTP dependency (the LLM endpoint, the job boards), on
// failsafe-go's failsafehttp semantics:
//
//   - 429 Too Many Requests and every 5xx except 501 Not Implemented are
//     transient, as are 408 Request Timeout and 409 Conflict (a request
//     that raced another; OpenAI's own SDK retries both);
//   - a Retry-After header (seconds or an HTTP-date) is honoured on 429 and
//     503, the two statuses that define it: the error is then
//     jobpilot.TransientAfter, and the retry waits that long (capped by the
//     policy's MaxDelay) instead of its backoff;
//   - everything else (400, 401, 403, 404, 422, 501 …) is permanent: the
//     same request would get the same answer.
//
// now is the clock an HTTP-date Retry-After is measured from.
func ClassifyHTTPStatus(status int, header http.Header, err error, now time.Time) error {
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		if d, ok := ParseRetryAfter(header.Get("Retry-After"), now); ok {
			return jobpilot.TransientAfter(err, d)
		}
		return jobpilot.Transient(err)
	case status >= 500 && status != http.StatusNotImplemented,
		status == http.StatusRequestTimeout, status == http.StatusConflict:
		return jobpilot.Transient(err)
	default:
		return jobpilot.Permanent(err)
	}
}

// maxRetryAfter bounds a believable Retry-After; a larger one is malformed.
const maxRetryAfter = 365 * 24 * time.Hour

// ParseRetryAfter reads an HTTP Retry-After value: delay-seconds ("120";
// decimals such as "0.5" are accepted too) or an HTTP-date ("Wed, 21 Oct
// 2015 07:28:00 GMT", relative to now). It returns false for an empty,
// malformed, negative or absurd (over a year) value; a date in the past
// gives 0 and true (retry now). Callers pass the result to
// jobpilot.TransientAfter; the retry loop caps it at MaxDelay.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || secs > maxRetryAfter.Seconds() {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d > maxRetryAfter {
		// A date decades away would snooze a job (engine: TransientAfter
		// that outlasts the retries) for as long.
		return 0, false
	}
	return max(d, 0), true
}
