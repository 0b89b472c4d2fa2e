package system_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// sd scales a guide duration the way the harness configures the system.
func sd(d time.Duration) time.Duration { return time.Duration(float64(d) * scale) }

// TestGuideEmailFlow is the stability guide's scenario through the real
// engine: 421, wait 2, 421, wait 4, accepted. One message per application,
// with both PDFs and the derived Message-ID.
func TestGuideEmailFlow(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		const n = 2
		h := newHarness(t, harnessOpts{db: b, postings: n, schedule: "first 2 attempts of each message 421"})
		h.automate()
		h.waitStatus(n, 2*time.Minute, jobpilot.StatusSent, jobpilot.StatusFailed, jobpilot.StatusNeedsReview)

		apps := h.apps()
		if len(apps) != n {
			t.Fatalf("%d applications, want %d", len(apps), n)
		}
		for _, app := range apps {
			if app.Status != jobpilot.StatusSent || app.SentAt == nil {
				t.Fatalf("application %d: %s (%s), want sent; history:%s", app.ID, app.Status, app.Error, h.history(app.ID))
			}
			id := msgID(app.ID)
			if app.MessageID != id {
				t.Errorf("application %d: Message-ID %q, want %q", app.ID, app.MessageID, id)
			}
			if app.Attempts != 3 {
				t.Errorf("application %d: %d send attempts recorded, want 3", app.ID, app.Attempts)
			}
			got := messagesFor(h.smtp, id)
			if len(got) != 1 {
				t.Fatalf("application %d: %d messages arrived, want exactly 1", app.ID, len(got))
			}
			m := got[0]
			if a := h.smtp.Attempts(id); a != 3 || m.Attempt != 3 {
				t.Errorf("application %d: server saw %d attempts (accepted #%d), want 3", app.ID, a, m.Attempt)
			}
			names := decodeNames(t, m.Attachments)
			if len(names) != 2 || names[0] != "Lena Novák - Resume.pdf" || names[1] != "Lena Novák - Cover Letter.pdf" {
				t.Errorf("application %d: attachments %q, want the resume and the cover letter PDFs", app.ID, names)
			}
			if m.MailFrom != "jobs@example.com" || !strings.Contains(m.Subject, "Senior Backend Engineer") {
				t.Errorf("application %d: from %q subject %q", app.ID, m.MailFrom, m.Subject)
			}
		}
		if d := h.smtp.Duplicates(); d != 0 {
			t.Errorf("%d duplicate messages", d)
		}

		// The delays the policy applied: 2 s then 4 s, scaled, per message.
		retries := h.resEvents("email", "retry")
		if len(retries) != 2*n {
			t.Fatalf("%d email retry events, want %d: %+v", len(retries), 2*n, retries)
		}
		byAttempt := map[int]int{}
		for _, e := range retries {
			want := map[int]time.Duration{1: sd(2 * time.Second), 2: sd(4 * time.Second)}[e.Attempt]
			if e.Delay != want || e.MaxAttempts != 4 {
				t.Errorf("retry after attempt %d/%d waited %s, want %s of 4", e.Attempt, e.MaxAttempts, e.Delay, want)
			}
			byAttempt[e.Attempt]++
		}
		if byAttempt[1] != n || byAttempt[2] != n {
			t.Errorf("retries by attempt %v, want %d each of 1 and 2", byAttempt, n)
		}
		if g := h.resEvents("email", "give_up"); len(g) != 0 {
			t.Errorf("give-up events: %+v", g)
		}

		// The same events are kept as service events in the store, with the
		// guide's message shape.
		h.waitFor("stored retry events", 5*time.Second, func() bool {
			evs, err := h.sys.Store.Events(context.Background(), jobpilot.EventFilter{Kinds: []string{jobpilot.EventRetry}, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var a1, a2 int
			for _, e := range evs {
				switch {
				case strings.HasPrefix(e.Message, "send_email failed (attempt 1/4)") && strings.Contains(e.Message, "Retrying in 0.02s"):
					a1++
				case strings.HasPrefix(e.Message, "send_email failed (attempt 2/4)") && strings.Contains(e.Message, "Retrying in 0.04s"):
					a2++
				}
			}
			return a1 == n && a2 == n
		})
	})
}

// TestPermanentFailure: a 550 is not retried; the application fails with
// the server's text.
func TestPermanentFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{schedule: `550 "5.1.1 mailbox unavailable: no such recruiter" always`})
	h.automate()
	h.waitStatus(1, 2*time.Minute, jobpilot.StatusFailed, jobpilot.StatusSent, jobpilot.StatusNeedsReview)
	app := h.apps()[0]
	if app.Status != jobpilot.StatusFailed {
		t.Fatalf("status %s, want failed", app.Status)
	}
	if !strings.Contains(app.Error, "550") || !strings.Contains(app.Error, "no such recruiter") {
		t.Errorf("error %q lacks the server's reply", app.Error)
	}
	if a := h.smtp.Attempts(msgID(app.ID)); a != 1 {
		t.Errorf("%d attempts at the server, want 1", a)
	}
	if r := h.resEvents("email", "retry"); len(r) != 0 {
		t.Errorf("a permanent refusal was retried: %+v", r)
	}
	if len(h.smtp.Messages()) != 0 {
		t.Errorf("a message was accepted")
	}
	// The job is finished (cancelled), not waiting to retry.
	h.waitFor("the send job to be finalized", 5*time.Second, func() bool {
		js := h.sendJobs()
		return len(js) == 1 && (js[0].State == "cancelled" || js[0].State == "completed")
	})
}

// decodeNames decodes RFC 2047 attachment names as a mail client would.
func decodeNames(t *testing.T, raw []string) []string {
	var dec mime.WordDecoder
	out := make([]string, len(raw))
	for i, r := range raw {
		s, err := dec.DecodeHeader(r)
		if err != nil {
			t.Fatalf("attachment name %q: %v", r, err)
		}
		out[i] = s
	}
	return out
}
