package resilience_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 1500 * time.Millisecond, true},
		{"NaN", 0, false},
		{"99999999999", 0, false},
		// A date as absurd as a delay of decades (found by FuzzParseRetryAfter).
		{"Fri, 31 Dec 2100 23:59:59 GMT", 0, false},
	}
	for _, c := range cases {
		got, ok := resilience.ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// One rule for every HTTP dependency: the class of each status, and the
// statuses whose Retry-After is honoured.
func TestClassifyHTTPStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	wait := http.Header{"Retry-After": {"7"}}
	cases := []struct {
		status    int
		transient bool
		after     time.Duration // the delay kept from Retry-After, 0 = none
	}{
		{429, true, 7 * time.Second},
		{503, true, 7 * time.Second},
		{500, true, 0},
		{502, true, 0},
		{504, true, 0},
		{408, true, 0},
		{409, true, 0},
		{501, false, 0},
		{400, false, 0},
		{401, false, 0},
		{403, false, 0},
		{404, false, 0},
		{422, false, 0},
	}
	for _, c := range cases {
		err := resilience.ClassifyHTTPStatus(c.status, wait, errors.New("status"), now)
		after, paced := jobpilot.RetryAfter(err)
		if errors.Is(err, jobpilot.ErrTransient) != c.transient || errors.Is(err, jobpilot.ErrPermanent) == c.transient ||
			after != c.after || paced != (c.after > 0) {
			t.Errorf("%d: %v (after %s), want transient=%v after %s", c.status, err, after, c.transient, c.after)
		}
	}
	if _, paced := jobpilot.RetryAfter(resilience.ClassifyHTTPStatus(429, nil, errors.New("429"), now)); paced {
		t.Error("429 without Retry-After carries a delay")
	}
}
