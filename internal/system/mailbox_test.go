package system_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakeimap"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/resilience"
)

// mailboxServers runs fn on both databases against go-imap's in-memory
// server and against Dovecot (skipped, saying why, without it).
func mailboxServers(t *testing.T, fn func(t *testing.T, db dbtest.Backend, m fakeimap.Mailbox)) {
	dbtest.Run(t, func(t *testing.T, db dbtest.Backend) {
		t.Run("memory", func(t *testing.T) { fn(t, db, fakeimap.StartTest(t)) })
		t.Run("dovecot", func(t *testing.T) { fn(t, db, fakeimap.StartDovecot(t)) })
	})
}

// rawMail builds a message as an employer's (or a mailer daemon's) server
// would deliver it.
func rawMail(headers map[string]string, body string) []byte {
	var b strings.Builder
	for _, k := range []string{"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted", "MIME-Version", "Content-Type"} {
		if v, ok := headers[k]; ok {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

func reply(from, inReplyTo, subject, body string, date time.Time, extra map[string]string) []byte {
	h := map[string]string{
		"From": from, "To": candidateEmail, "Subject": subject, "Date": date.Format(time.RFC1123Z),
		"Message-ID": fmt.Sprintf("<reply-%d@employer.example>", date.UnixNano()), "In-Reply-To": inReplyTo, "References": inReplyTo,
	}
	for k, v := range extra {
		h[k] = v
	}
	return rawMail(h, body)
}

func dsn(recipient, original string, date time.Time) []byte {
	return rawMail(map[string]string{
		"From": "MAILER-DAEMON@mx.example.net (Mail Delivery System)", "To": "jobs@example.com",
		"Subject": "Undelivered Mail Returned to Sender", "Date": date.Format(time.RFC1123Z),
		"Message-ID": "<dsn-1@mx.example.net>", "MIME-Version": "1.0",
		"Content-Type": `multipart/report; report-type=delivery-status; boundary="b"`,
	}, `--b
Content-Type: text/plain

Your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; `+recipient+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <`+recipient+`>: User unknown

--b
Content-Type: text/rfc822-headers

Message-ID: `+original+`
To: `+recipient+`

--b--
`)
}

// TestInboxLoop is the mailbox loop end to end, on real IMAP servers: a
// reply stops the follow-up and moves the tracker; an auto-reply does not;
// a bounce marks the application bounced and the address bad; a
// needs_review application whose copy arrived becomes sent; one whose copy
// never arrived stays in review, "no copy arrived", after the grace period
// and is never resent by itself.
func TestInboxLoop(t *testing.T) {
	t.Parallel()
	mailboxServers(t, func(t *testing.T, db dbtest.Backend, mb fakeimap.Mailbox) {
		ctx := context.Background()
		start := time.Now().UTC().Truncate(time.Second)
		clk := newClock(start)
		h := newHarness(t, harnessOpts{db: db, postings: 3, now: clk, mailbox: mb,
			env: map[string]string{"UNCERTAIN_GRACE": "30m"}})
		h.automate()
		h.waitStatus(3, 90*time.Second, jobpilot.StatusSent)
		// The blind copies reached the candidate's mailbox; the employer never saw them.
		for _, m := range h.smtp.Messages() {
			if len(m.RcptTo) != 2 || m.RcptTo[1] != candidateEmail || strings.Contains(string(m.Raw), candidateEmail+">\r\nBcc") {
				t.Fatalf("%s went to %v, want the employer and a blind copy to %s", m.MessageID, m.RcptTo, candidateEmail)
			}
		}
		// Two more, whose transactions are cut after the final dot: needs_review.
		h.smtp.SetSchedule(fakesmtp.MustParseSchedule("cut always"))
		h.addPostingsFrom(3, 2)
		h.automate()
		h.waitStatus(2, 90*time.Second, jobpilot.StatusNeedsReview)
		apps := h.apps()
		if len(apps) != 5 {
			t.Fatalf("%d applications, want 5", len(apps))
		}
		replied, auto, bounced, copied, lost := apps[0], apps[1], apps[2], apps[3], apps[4]
		if copied.Status != jobpilot.StatusNeedsReview || lost.Status != jobpilot.StatusNeedsReview {
			t.Fatalf("applications 4 and 5 are %s and %s, want needs_review", copied.Status, lost.Status)
		}

		at := start.Add(time.Hour)
		for _, raw := range [][]byte{
			reply("Hiring One <hiring1@example.com>", msgID(replied.ID), "Re: Application", "Hi Lena,\nwe would like to invite you to an interview. What is your availability next week?\n", at, nil),
			reply("hiring2@example.com", msgID(auto.ID), "Automatic reply: Application", "I am out of the office until Monday.\n", at, map[string]string{"Auto-Submitted": "auto-replied"}),
			dsn("hiring3@example.com", msgID(bounced.ID), at),
			// The copy of application 4: the server had accepted it before the connection died.
			rawMail(map[string]string{"From": "jobs@example.com", "To": "hiring4@example.com", "Subject": "Application",
				"Date": start.Format(time.RFC1123Z), "Message-ID": msgID(copied.ID)}, "Dear hiring team,\n"),
		} {
			if err := mb.Append(ctx, "INBOX", raw); err != nil {
				t.Fatal(err)
			}
		}

		// Within the grace period nothing is said about the missing copy.
		clk.set(start.Add(10 * time.Minute))
		readMailbox(t, h)
		want := map[int64]jobpilot.Status{replied.ID: jobpilot.StatusInterviewing, auto.ID: jobpilot.StatusSent,
			bounced.ID: jobpilot.StatusBounced, copied.ID: jobpilot.StatusSent, lost.ID: jobpilot.StatusNeedsReview}
		checkStatuses(t, h, want)
		if got := app(t, h, lost.ID); strings.Contains(got.Error, jobpilot.NoCopyArrived) {
			t.Errorf("application %d marked %q within the grace period", lost.ID, got.Error)
		}
		b := app(t, h, bounced.ID)
		if !strings.Contains(b.Error, "5.1.1") || !strings.Contains(b.Error, "User unknown") {
			t.Errorf("bounce reason %q lacks the status code and the diagnostic", b.Error)
		}
		if bad, err := h.sys.Store.BadAddress(ctx, "hiring3@example.com"); err != nil || bad.ApplicationID != bounced.ID {
			t.Errorf("hard bounce did not mark the address bad: %+v, %v", bad, err)
		}
		if !hasEvent(t, h, copied.ID, jobpilot.EventCopy, "copy arrived in the mailbox") {
			t.Errorf("application %d settled without evidence:%s", copied.ID, h.history(copied.ID))
		}
		if !hasEvent(t, h, auto.ID, jobpilot.EventReply, "automatic reply from hiring2@example.com") {
			t.Errorf("the auto-reply was not recorded:%s", h.history(auto.ID))
		}
		ev := replyEvent(t, h, replied.ID)
		if ev == nil || ev.Data["from"] != "hiring1@example.com" || ev.Data["subject"] != "Re: Application" || ev.Data["class"] != "interview" ||
			ev.Data["match"] != "thread" || strings.Contains(ev.Message, "availability") {
			t.Errorf("reply event %+v: want sender, date, subject and class, never the body", ev)
		}

		// Reading again changes nothing: the cursor moved past them.
		readMailbox(t, h)
		if n := countEvents(t, h, auto.ID, jobpilot.EventReply); n != 1 {
			t.Errorf("%d reply events for the auto-reply after a second read, want 1", n)
		}

		// After the grace period the lost one stays in review, saying why.
		clk.set(start.Add(45 * time.Minute))
		readMailbox(t, h)
		got := app(t, h, lost.ID)
		if got.Status != jobpilot.StatusNeedsReview || !strings.HasPrefix(got.Error, jobpilot.NoCopyArrived) {
			t.Errorf("application %d: %s %q, want needs_review with %q", lost.ID, got.Status, got.Error, jobpilot.NoCopyArrived)
		}

		// Follow-ups go only to the auto-replied and the settled application.
		before := len(h.smtp.Messages())
		h.smtp.SetSchedule(fakesmtp.MustParseSchedule("accept"))
		clk.set(start.Add(4 * 24 * time.Hour))
		if err := h.sys.Apply.FollowUps(ctx, jobpilot.Task{Kind: jobpilot.TaskFollowUps}); err != nil {
			t.Fatal(err)
		}
		var followed []string
		for _, m := range h.smtp.Messages()[before:] {
			if strings.Contains(m.MessageID, "-followup@") { // not the interview notice
				followed = append(followed, m.MessageID)
			}
		}
		wantFollowed := []string{jobpilot.FollowUpMessageID(auto.ID, "example.com"), jobpilot.FollowUpMessageID(copied.ID, "example.com")}
		if strings.Join(followed, " ") != strings.Join(wantFollowed, " ") {
			t.Errorf("follow-ups %v, want only %v (not to the one who replied, the bounced or the uncertain)", followed, wantFollowed)
		}
		// Nothing was ever resent: each application's message went out once at most.
		if d := h.smtp.Duplicates(); d != 0 {
			t.Errorf("%d duplicate sends", d)
		}
		if got := app(t, h, lost.ID); got.Status != jobpilot.StatusNeedsReview {
			t.Errorf("the uncertain application moved to %s by itself", got.Status)
		}
		// One action sends it again.
		if _, err := h.sys.Apply.Reopen(ctx, lost.ID, "send_again"); err != nil {
			t.Fatal(err)
		}
		// Asked at once, while the first send's job may still be finishing:
		// the request is not lost (engine/rerun.go).
		h.waitFor("the application sent again", 30*time.Second, func() bool { return app(t, h, lost.ID).Status == jobpilot.StatusSent })
		if got := app(t, h, lost.ID); !strings.Contains(h.history(lost.ID), "needs_review → approved") || got.SentAt == nil {
			t.Errorf("application %d sent again without its record:%s", lost.ID, h.history(lost.ID))
		}
	})
}

// TestMailboxDownOpensBreaker: with the IMAP server down the mailbox
// breaker opens, /health shows it, and the job asks to come back later;
// the reply that arrived meanwhile is handled once the server is back.
func TestMailboxDownOpensBreaker(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, db dbtest.Backend) {
		ctx := context.Background()
		srv := fakeimap.StartTest(t)
		h := newHarness(t, harnessOpts{db: db, postings: 1, mailbox: srv})
		h.automate()
		h.waitStatus(1, 90*time.Second, jobpilot.StatusSent)
		sent := h.apps()[0]
		readMailbox(t, h)

		srv.Down()
		err := h.sys.Apply.ReadMailbox(ctx, jobpilot.Task{Kind: jobpilot.TaskReadMailbox})
		if err == nil {
			t.Fatal("reading a mailbox that is down succeeded")
		}
		var mailboxBreaker jobpilot.BreakerSnapshot
		for _, b := range h.sys.Resilience.Breakers.Snapshot() {
			if b.Name == resilience.BreakerMailbox {
				mailboxBreaker = b
			}
		}
		if mailboxBreaker.State != jobpilot.BreakerOpen {
			t.Fatalf("mailbox breaker %+v after the server went down, want open", mailboxBreaker)
		}
		health := h.sys.Health(ctx)
		if health.CircuitBreakers["mailbox"].State != jobpilot.BreakerOpen || health.Status != jobpilot.HealthDegraded {
			t.Errorf("health %+v: want the mailbox breaker open and the service degraded", health)
		}
		err = h.sys.Apply.ReadMailbox(ctx, jobpilot.Task{Kind: jobpilot.TaskReadMailbox})
		if !isCircuitOpen(err) {
			t.Errorf("read with the breaker open: %v, want the circuit-open error the engine snoozes on", err)
		}

		// Mail keeps arriving while the reader cannot see it.
		if err := srv.Deliver(reply("hiring1@example.com", msgID(sent.ID), "Re: Application", "Thanks, we will review it.\n", time.Now(), nil)); err != nil {
			t.Fatal(err)
		}
		if err := srv.Up(); err != nil {
			t.Fatal(err)
		}
		h.waitFor("the mailbox read after the breaker half-opens", 30*time.Second, func() bool {
			return h.sys.Apply.ReadMailbox(ctx, jobpilot.Task{Kind: jobpilot.TaskReadMailbox}) == nil
		})
		if got := app(t, h, sent.ID); got.Status != jobpilot.StatusReplied {
			t.Errorf("application %d is %s after the server came back, want replied:%s", sent.ID, got.Status, h.history(sent.ID))
		}
	})
}

func isCircuitOpen(err error) bool { return errors.Is(err, jobpilot.ErrCircuitOpen) }

func readMailbox(t *testing.T, h *harness) {
	t.Helper()
	if err := h.sys.Apply.ReadMailbox(context.Background(), jobpilot.Task{Kind: jobpilot.TaskReadMailbox}); err != nil {
		t.Fatal(err)
	}
}

func app(t *testing.T, h *harness, id int64) *jobpilot.Application {
	t.Helper()
	a, err := h.sys.Store.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func checkStatuses(t *testing.T, h *harness, want map[int64]jobpilot.Status) {
	t.Helper()
	for id, s := range want {
		if got := app(t, h, id); got.Status != s {
			t.Errorf("application %d is %s, want %s:%s", id, got.Status, s, h.history(id))
		}
	}
}

func hasEvent(t *testing.T, h *harness, appID int64, kind, text string) bool {
	t.Helper()
	for _, e := range h.sendEvents(appID) {
		if e.Kind == kind && strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}

func countEvents(t *testing.T, h *harness, appID int64, kind string) int {
	t.Helper()
	n := 0
	for _, e := range h.sendEvents(appID) {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func replyEvent(t *testing.T, h *harness, appID int64) *jobpilot.Event {
	t.Helper()
	for _, e := range h.sendEvents(appID) {
		if e.Kind == jobpilot.EventReply {
			return e
		}
	}
	return nil
}

// TestReplyMatchedBySender: a reply outside the thread (no In-Reply-To or
// References naming our Message-ID) is tied to its application by the
// address it was sent to, or else by that address's domain, and recorded
// as the weaker match it is; a free-mail sender that is not the recipient,
// a reply older than the application or one long after the window, and
// the candidate's own mail are tied to nothing.
func TestReplyMatchedBySender(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, db dbtest.Backend) {
		ctx := context.Background()
		start := time.Now().UTC().Truncate(time.Second)
		clk := newClock(start)
		mb := fakeimap.StartTest(t)
		h := newHarness(t, harnessOpts{db: db, now: clk, mailbox: mb})
		contacts := []string{"hiring@initech.example", "jobs@globex.example", "talent.umbrella@gmail.com"}
		var ps []jobpilot.Posting
		for i, to := range contacts {
			ps = append(ps, jobpilot.Posting{
				ExternalID: fmt.Sprintf("sender-%d", i), Company: strings.Split(strings.Split(to, "@")[1], ".")[0],
				Title: "Senior Backend Engineer (Go)", Location: "Remote", Remote: true,
				Description:  "We build Go services on PostgreSQL with Kubernetes, and value reliability and observability.",
				URL:          fmt.Sprintf("https://jobs.example.com/sender-%d", i),
				ContactEmail: to, PublishedAt: start.Add(-time.Hour),
			})
		}
		if _, err := h.sys.Store.UpsertPostings(ctx, "system-test", ps, false); err != nil {
			t.Fatal(err)
		}
		h.automate()
		h.waitStatus(4, 90*time.Second, jobpilot.StatusSent) // the harness's own posting, and these three
		byTo := map[string]*jobpilot.Application{}
		for _, a := range h.apps() {
			byTo[a.Recipient.Address] = a
		}
		initech, globex, umbrella := byTo[contacts[0]], byTo[contacts[1]], byTo[contacts[2]]
		if initech == nil || globex == nil || umbrella == nil {
			t.Fatalf("applications by recipient: %v", byTo)
		}

		at := start.Add(2 * time.Hour)
		for _, raw := range [][]byte{
			// The address we wrote to answers in a new thread.
			rawMail(map[string]string{"From": "Pat <hiring@initech.example>", "To": candidateEmail, "Subject": "Your application",
				"Date": at.Format(time.RFC1123Z), "Message-ID": "<s1@initech.example>"}, "Hello Lena, could you do a call on Tuesday for an interview?\n"),
			// A colleague at the same company, from another address.
			rawMail(map[string]string{"From": "recruiting@globex.example", "To": candidateEmail, "Subject": "Backend role",
				"Date": at.Format(time.RFC1123Z), "Message-ID": "<s2@globex.example>"}, "Thank you for applying. We have decided not to move forward with your application.\n"),
			// Free mail: anyone can write from there.
			rawMail(map[string]string{"From": "someone.else@gmail.com", "To": candidateEmail, "Subject": "Re: your application",
				"Date": at.Format(time.RFC1123Z), "Message-ID": "<s3@gmail.com>"}, "We would like to invite you to an interview.\n"),
			// Written before anything was sent, and long after the window.
			rawMail(map[string]string{"From": "hr@globex.example", "To": candidateEmail, "Subject": "Newsletter",
				"Date": start.Add(-48 * time.Hour).Format(time.RFC1123Z), "Message-ID": "<s4@globex.example>"}, "Our news.\n"),
			rawMail(map[string]string{"From": "hr@globex.example", "To": candidateEmail, "Subject": "Another role",
				"Date": start.Add(apply.ReplyWindow + 48*time.Hour).Format(time.RFC1123Z), "Message-ID": "<s5@globex.example>"}, "We would like to invite you to an interview.\n"),
			// The candidate's own mail, from the candidate's address.
			rawMail(map[string]string{"From": candidateEmail, "To": "jobs@globex.example", "Subject": "Question",
				"Date": at.Format(time.RFC1123Z), "Message-ID": "<s6@example.com>"}, "Could we schedule an interview?\n"),
		} {
			if err := mb.Append(ctx, "INBOX", raw); err != nil {
				t.Fatal(err)
			}
		}
		clk.set(at.Add(time.Minute))
		readMailbox(t, h)

		checkStatuses(t, h, map[int64]jobpilot.Status{initech.ID: jobpilot.StatusInterviewing,
			globex.ID: jobpilot.StatusRejected, umbrella.ID: jobpilot.StatusSent})
		for _, c := range []struct {
			app   *jobpilot.Application
			match string
			from  string
		}{{initech, apply.MatchSender, "hiring@initech.example"}, {globex, apply.MatchDomain, "recruiting@globex.example"}} {
			if n := countEvents(t, h, c.app.ID, jobpilot.EventReply); n != 1 {
				t.Errorf("application %d has %d reply events, want 1:%s", c.app.ID, n, h.history(c.app.ID))
			}
			ev := replyEvent(t, h, c.app.ID)
			if ev == nil || ev.Data["match"] != c.match || ev.Data["from"] != c.from || !strings.Contains(ev.Message, c.match) {
				t.Errorf("application %d reply event %+v, want match %q from %s, said in the event", c.app.ID, ev, c.match, c.from)
			}
		}
		if n := countEvents(t, h, umbrella.ID, jobpilot.EventReply); n != 0 {
			t.Errorf("a free-mail stranger's message was taken for the reply to application %d:%s", umbrella.ID, h.history(umbrella.ID))
		}
	})
}

// TestCopyReadWhileSending: the copy of an application arrives and is read
// while its send is still recorded as in flight (the server's reply was
// lost, or the process was killed before recording it). The mailbox will
// not show that message again, so the evidence is kept: when the
// application reaches review it is settled as sent from it, never marked
// "no copy arrived".
func TestCopyReadWhileSending(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, db dbtest.Backend) {
		ctx := context.Background()
		start := time.Now().UTC().Truncate(time.Second)
		clk := newClock(start)
		mb := fakeimap.StartTest(t)
		h := newHarness(t, harnessOpts{db: db, now: clk, mailbox: mb, mode: "review", env: map[string]string{"UNCERTAIN_GRACE": "30m"}})
		h.automate()
		h.waitStatus(1, 2*time.Minute, jobpilot.StatusReady)
		a := h.apps()[0]
		// As a send whose reply is lost: approved, then sending with its
		// Message-ID (no job: the test plays the sender).
		for _, step := range []struct {
			to   jobpilot.Status
			from jobpilot.Status
		}{{jobpilot.StatusApproved, jobpilot.StatusReady}, {jobpilot.StatusSending, jobpilot.StatusApproved}} {
			if _, err := h.sys.Store.Transition(ctx, a.ID, step.to, jobpilot.Change{From: []jobpilot.Status{step.from}, MessageID: ptrTo(msgID(a.ID))}); err != nil {
				t.Fatal(err)
			}
		}
		copyOf := rawMail(map[string]string{"From": "jobs@example.com", "To": "hiring1@example.com", "Subject": "Application",
			"Date": start.Format(time.RFC1123Z), "Message-ID": msgID(a.ID)}, "Dear hiring team,\n")
		if err := mb.Append(ctx, "INBOX", copyOf); err != nil {
			t.Fatal(err)
		}
		readMailbox(t, h)
		if got := app(t, h, a.ID); got.Status != jobpilot.StatusSending {
			t.Fatalf("application %d is %s after its copy was read in flight, want still sending", a.ID, got.Status)
		}
		// The process that sent it died: the restart finds it sending.
		if _, err := h.sys.Store.Transition(ctx, a.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusSending}, Reason: "the send was interrupted"}); err != nil {
			t.Fatal(err)
		}
		clk.set(start.Add(time.Hour)) // past the grace period
		readMailbox(t, h)
		got := app(t, h, a.ID)
		if got.Status != jobpilot.StatusSent || strings.HasPrefix(got.Error, jobpilot.NoCopyArrived) {
			t.Fatalf("application %d: %s %q, want sent from the copy read while sending:%s", a.ID, got.Status, got.Error, h.history(a.ID))
		}
		if !hasEvent(t, h, a.ID, jobpilot.EventCopy, "settled from the mailbox") {
			t.Errorf("settled without its evidence:%s", h.history(a.ID))
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
