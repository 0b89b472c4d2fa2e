package system_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/resilience"
)

// transition is one email breaker transition and what the server had seen
// at that moment.
type transition struct {
	from, to           string
	accepted, rejected int
}

// TestBreaker: a dead server opens the email breaker after 5 attempts; the
// queued sends snooze without burning attempts; once the server is back and
// the recovery time passed, one probe goes first, then every application
// arrives exactly once.
//
// WORKERS=1 makes the count at the opening exact (5 refusals, no attempt in
// flight beside them); the half-open probe's exclusivity under concurrency
// is the resilience package's own test. The applications are prepared and
// approved first (review mode), so every send job is queued before the
// breaker opens and the snoozes are observed within its recovery time
// however slowly the machine drafts.
func TestBreaker(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		const n = 4
		h := newHarness(t, harnessOpts{db: b, postings: n, schedule: "421 always", noStart: true, mode: "review",
			// Recovery 5 s scaled: ample room to observe the snoozed jobs first.
			env: map[string]string{"WORKERS": "1", "EMAIL_RECOVERY_TIMEOUT": "500"}})
		var (
			tmu         sync.Mutex
			transitions []transition
		)
		opened := make(chan struct{})
		h.onEvent = func(ev resilience.Event) {
			if ev.Kind != "breaker" || ev.Breaker != resilience.BreakerEmail {
				return
			}
			st := h.smtp.Stats()
			tmu.Lock()
			transitions = append(transitions, transition{ev.From, ev.To, st.Accepted, st.Rejected})
			tmu.Unlock()
			if ev.To == "open" && ev.From == "closed" {
				// The server comes back at once; the breaker must still
				// wait out its recovery time before the probe.
				h.smtp.SetSchedule(fakesmtp.MustParseSchedule("accept"))
				close(opened)
			}
		}
		if err := h.sys.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.automate()
		h.waitStatus(n, 2*time.Minute, jobpilot.StatusReady)
		for _, app := range h.apps() {
			if _, err := h.sys.Apply.Approve(context.Background(), app.ID); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-opened:
		case <-time.After(2 * time.Minute):
			t.Fatalf("the email breaker never opened; server %+v", h.smtp.Stats())
		}

		if st := h.smtp.Stats(); st.Accepted != 0 {
			t.Errorf("%d messages accepted before the breaker's recovery", st.Accepted)
		}

		h.waitStatus(n, 2*time.Minute, jobpilot.StatusSent)
		for _, app := range h.apps() {
			if got := messagesFor(h.smtp, msgID(app.ID)); len(got) != 1 {
				t.Errorf("application %d: %d messages, want 1", app.ID, len(got))
			}
		}
		if d := h.smtp.Duplicates(); d != 0 {
			t.Errorf("%d duplicates", d)
		}
		st := h.smtp.Stats()
		if st.Rejected != 5 {
			t.Errorf("server refused %d attempts, want exactly 5 (none while the breaker was open)", st.Rejected)
		}
		h.waitFor("send jobs completed", 10*time.Second, func() bool {
			for _, j := range h.sendJobs() {
				if j.State != "completed" {
					return false
				}
			}
			return true
		})
		// While open, every queued send was snoozed until the breaker would
		// half-open, and a snooze gives the attempt back: River counts it in
		// the job's metadata, and each job's attempts are its real errors
		// plus the one that sent. One job ran its attempts before the
		// breaker opened (a real, retried failure); the others hit the open
		// breaker and burned nothing. Read once everything settled, so no
		// window of the recovery time has to be caught.
		total, snoozed := 0, 0
		for _, j := range h.sendJobs() {
			total += j.Errors
			if j.Snoozes > 0 {
				snoozed++
			}
			if j.Attempt != j.Errors+1 {
				t.Errorf("job %d (application %d): %d errors, attempt %d: a snooze burned an attempt", j.ID, j.AppID, j.Errors, j.Attempt)
			}
		}
		if total > 1 {
			t.Errorf("send jobs recorded %d errors, want at most 1 (the one before the breaker opened): %+v", total, h.sendJobs())
		}
		if snoozed < n-1 {
			t.Errorf("%d of %d send jobs were snoozed by the open breaker, want at least %d: %+v", snoozed, n, n-1, h.sendJobs())
		}

		tmu.Lock()
		defer tmu.Unlock()
		count := map[string]int{}
		for _, tr := range transitions {
			count[tr.from+"→"+tr.to]++
		}
		want := map[string]int{"closed→open": 1, "open→half_open": 1, "half_open→closed": 1}
		for k, v := range want {
			if count[k] != v {
				t.Errorf("%s transitions: %d, want %d (all: %+v)", k, count[k], v, transitions)
			}
		}
		if count["half_open→open"] != 0 {
			t.Errorf("the probe failed: %+v", transitions)
		}
		for _, tr := range transitions {
			switch tr.from + "→" + tr.to {
			case "closed→open":
				if tr.rejected != 5 || tr.accepted != 0 {
					t.Errorf("opened after %d refusals (%d accepted), want after 5", tr.rejected, tr.accepted)
				}
			case "half_open→closed":
				if tr.accepted != 1 {
					t.Errorf("closed after %d accepted messages, want exactly one probe first", tr.accepted)
				}
			}
		}
	})
}

// TestTimeoutInData: a server that stalls in DATA past EMAIL_TIMEOUT. The
// application message (two small PDFs) is fully written before the client
// waits for the reply, so the outcome is unknown (mail.ErrOutcomeUnknown):
// the application becomes needs_review and is never sent again by itself;
// the stalled message is never delivered later.
func TestTimeoutInData(t *testing.T) {
	t.Parallel()
	// 5 s per attempt scaled: short enough to wait out the stall, long
	// enough that the later, healthy transaction never meets it, however
	// loaded the machine (300 ms was not).
	h := newHarness(t, harnessOpts{schedule: "hang in data", env: map[string]string{"EMAIL_TIMEOUT": "500"}})
	h.automate()
	h.waitStatus(1, 2*time.Minute, jobpilot.StatusNeedsReview, jobpilot.StatusSent, jobpilot.StatusFailed)
	app := h.apps()[0]
	if app.Status != jobpilot.StatusNeedsReview {
		t.Fatalf("status %s (%s), want needs_review; history:%s", app.Status, app.Error, h.history(app.ID))
	}
	if !strings.Contains(app.Error, "outcome unknown") {
		t.Errorf("error %q does not say the outcome is unknown", app.Error)
	}
	if to := h.resEvents("email", "timeout"); len(to) != 1 {
		t.Errorf("%d timeout events, want 1", len(to))
	}
	// The timeout cut a transaction whose outcome is unknown: no retry is
	// announced, since none can be made.
	if r := h.resEvents("email", "retry"); len(r) != 0 {
		t.Errorf("a send whose outcome is unknown was announced as retried: %+v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if st, err := h.smtp.WaitStats(ctx, func(s fakesmtp.Stats) bool { return s.HangsEnded >= 1 }); err != nil {
		t.Fatalf("the stalled session never ended: %+v", st)
	}
	h.smtp.SetSchedule(fakesmtp.MustParseSchedule("accept"))

	// A later application goes through the same server: when it has arrived,
	// the stalled one would have too if anything were still pending.
	h.addPostingsFrom(100, 1)
	h.automate()
	h.waitFor("the later application sent", 20*time.Second, func() bool {
		for _, a := range h.apps() {
			if a.ID != app.ID && a.Status == jobpilot.StatusSent {
				return true
			}
		}
		return false
	})
	if got := messagesFor(h.smtp, msgID(app.ID)); len(got) != 0 {
		t.Errorf("the timed-out message was delivered later: %d copies", len(got))
	}
	if a := h.smtp.Attempts(msgID(app.ID)); a != 1 {
		t.Errorf("%d attempts for the timed-out message, want 1", a)
	}
	again, err := h.sys.Store.Application(context.Background(), app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != jobpilot.StatusNeedsReview {
		t.Errorf("status moved on to %s by itself", again.Status)
	}
}

// TestHeaderInjection: a posting title corrupted with CR/LF in the database
// is refused before any connection; the application fails with the reason.
func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{mode: "review"})
	h.automate()
	h.waitStatus(1, 2*time.Minute, jobpilot.StatusReady)
	app := h.apps()[0]
	q := h.sys.Store.SQL()
	stmt := `UPDATE postings SET title = ? WHERE id = ?`
	if h.sys.Store.Postgres() {
		stmt = `UPDATE postings SET title = $1 WHERE id = $2`
	}
	if _, err := q.ExecContext(context.Background(), stmt, "Engineer\r\nBcc: everyone@example.net", app.PostingID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sys.Apply.Approve(context.Background(), app.ID); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(1, 2*time.Minute, jobpilot.StatusFailed, jobpilot.StatusSent, jobpilot.StatusNeedsReview)
	got, err := h.sys.Store.Application(context.Background(), app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != jobpilot.StatusFailed || !strings.Contains(got.Error, "subject") {
		t.Fatalf("status %s error %q, want failed naming the subject", got.Status, got.Error)
	}
	if st := h.smtp.Stats(); st.Connections != 0 {
		t.Errorf("the server saw %d connections, want none", st.Connections)
	}
	if r := h.resEvents("email", "retry"); len(r) != 0 {
		t.Errorf("an invalid message was retried: %+v", r)
	}
}
