package system_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// TestFollowUps: with the clock injected, direct mode sends one threaded
// follow-up per sent application after FOLLOW_UP_DAYS, and nothing more on
// later days; review mode sends the candidate one digest, once.
func TestFollowUps(t *testing.T) {
	t.Parallel()
	day0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	followUps := func(h *harness, at time.Time) {
		t.Helper()
		h.clock.set(at)
		if err := h.sys.Apply.FollowUps(context.Background(), jobpilot.Task{Kind: jobpilot.TaskFollowUps}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("direct", func(t *testing.T) {
		const n = 2
		h := newHarness(t, harnessOpts{postings: n, now: newClock(day0)})
		h.automate()
		h.waitStatus(n, 2*time.Minute, jobpilot.StatusSent)

		followUps(h, day0.Add(2*24*time.Hour)) // too early
		if got := len(h.smtp.Messages()); got != n {
			t.Fatalf("%d messages after 2 days, want only the %d applications", got, n)
		}
		followUps(h, day0.Add(3*24*time.Hour+time.Hour))
		for _, app := range h.apps() {
			if app.Status != jobpilot.StatusFollowedUp || app.FollowedUpAt == nil {
				t.Errorf("application %d: %s, want followed_up", app.ID, app.Status)
			}
			fu := messagesFor(h.smtp, jobpilot.FollowUpMessageID(app.ID, "example.com"))
			if len(fu) != 1 {
				t.Fatalf("application %d: %d follow-ups, want 1", app.ID, len(fu))
			}
			orig := msgID(app.ID)
			hd := fu[0].Header
			if first(hd, "In-Reply-To") != orig || !strings.Contains(first(hd, "References"), orig) {
				t.Errorf("follow-up not threaded: In-Reply-To %q References %q, want %q", first(hd, "In-Reply-To"), first(hd, "References"), orig)
			}
			if len(fu[0].Attachments) != 0 {
				t.Errorf("follow-up carries attachments %v", fu[0].Attachments)
			}
		}
		followUps(h, day0.Add(4*24*time.Hour))
		followUps(h, day0.Add(10*24*time.Hour))
		if got := len(h.smtp.Messages()); got != 2*n {
			t.Errorf("%d messages after later days, want %d (no second follow-up)", got, 2*n)
		}
	})

	t.Run("review digest", func(t *testing.T) {
		const n = 2
		h := newHarness(t, harnessOpts{postings: n, mode: "review", now: newClock(day0)})
		h.automate()
		h.waitStatus(n, 2*time.Minute, jobpilot.StatusReady)
		for _, app := range h.apps() {
			if _, err := h.sys.Apply.Approve(context.Background(), app.ID); err != nil {
				t.Fatal(err)
			}
		}
		h.waitStatus(n, 2*time.Minute, jobpilot.StatusSent)
		followUps(h, day0.Add(4*24*time.Hour))
		followUps(h, day0.Add(5*24*time.Hour))
		var digests int
		for _, m := range h.smtp.Messages() {
			if strings.HasPrefix(m.MessageID, "<digest-") {
				digests++
				if len(m.RcptTo) != 1 || m.RcptTo[0] != h.profile.Resume.Basics.Email {
					t.Errorf("digest to %v, want the candidate %q", m.RcptTo, h.profile.Resume.Basics.Email)
				}
				for _, app := range h.apps() {
					if !strings.Contains(string(m.Raw), "application "+itoa(app.ID)) {
						t.Errorf("digest does not list application %d", app.ID)
					}
				}
			}
		}
		if digests != 1 {
			t.Errorf("%d digests, want 1", digests)
		}
		if got := len(h.smtp.Messages()); got != n+1 {
			t.Errorf("%d messages, want %d applications + 1 digest", got, n)
		}
		for _, app := range h.apps() {
			if app.Status != jobpilot.StatusFollowedUp {
				t.Errorf("application %d: %s, want followed_up", app.ID, app.Status)
			}
		}
	})
}

func first(h map[string][]string, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
