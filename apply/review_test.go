package apply_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// reviewEnv is the examples drafted by the template writer: every matched
// application processed, so the review queue holds ready ones by email and
// by link.
func reviewEnv(t *testing.T, b dbtest.Backend, mailer jobpilot.Mailer) *env {
	t.Helper()
	// EMAIL_TIMEOUT: 10 s once scaled, so a loaded machine does not time
	// out a send to the in-memory mailer.
	e := newEnv(t, b, map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template", "EMAIL_TIMEOUT": "10000"}, system.Options{Mailer: mailer})
	e.automate(t)
	for _, a := range e.apps(t, 1) {
		if a.Status == jobpilot.StatusMatched {
			if err := e.process(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

// ready returns the profile's ready applications applying via via.
func (e *env) ready(t *testing.T, via string) []*jobpilot.Application {
	t.Helper()
	var out []*jobpilot.Application
	for _, a := range e.apps(t, 1) {
		if a.Status == jobpilot.StatusReady && a.ApplyVia == via {
			out = append(out, a)
		}
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if jobpilot.ErrorCode(err) != code {
		t.Fatalf("got %v (%s), want %s", err, jobpilot.ErrorCode(err), code)
	}
}

func TestDismissBlockAppliedAndTracker(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := reviewEnv(t, b, &countingMailer{})
		svc := e.sys.Apply
		byEmail, byURL := e.ready(t, jobpilot.ApplyViaEmail), e.ready(t, jobpilot.ApplyViaURL)
		if len(byEmail) < 2 || len(byURL) < 1 {
			t.Fatalf("examples: %d ready by email, %d by link; want 2 and 1", len(byEmail), len(byURL))
		}

		// Dismiss, with its reason kept and shown in the history.
		got, err := svc.Dismiss(ctx, byEmail[0].ID, "they want on-site five days")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusDismissed || got.Note != "they want on-site five days" {
			t.Fatalf("dismissed: %+v", got)
		}
		if evs := e.statusEvents(t, got.ID); !strings.Contains(evs[len(evs)-1], "dismissed by the candidate: they want on-site five days") {
			t.Fatalf("history: %q", evs)
		}
		_, err = svc.Dismiss(ctx, byEmail[0].ID, "")
		wantCode(t, err, jobpilot.ECONFLICT)
		_, err = svc.Approve(ctx, byEmail[0].ID)
		wantCode(t, err, jobpilot.ECONFLICT)

		// A link-only job cannot be approved; it is marked applied on a day.
		_, err = svc.Approve(ctx, byURL[0].ID)
		if wantCode(t, err, jobpilot.ECONFLICT); !strings.Contains(err.Error(), "mark it applied") {
			t.Fatalf("approve by link: %v", err)
		}
		day := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		got, err = svc.MarkApplied(ctx, byURL[0].ID, day)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusApplied || got.SentAt == nil || !got.SentAt.Equal(day) || got.Delivery != jobpilot.DeliveryManual {
			t.Fatalf("applied: %+v", got)
		}
		_, err = svc.MarkApplied(ctx, byEmail[1].ID, time.Now().Add(72*time.Hour))
		wantCode(t, err, jobpilot.EINVALID)

		// The tracker: news after applying, dated, with a note; the
		// statuses it may not jump to are refused.
		got, err = svc.SetStatus(ctx, byURL[0].ID, jobpilot.StatusUpdate{Status: jobpilot.StatusInterviewing, Note: "call with Dana", At: day.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusInterviewing || got.Note != "call with Dana" || !got.StatusAt.Equal(day.Add(48*time.Hour)) {
			t.Fatalf("interviewing: %+v", got)
		}
		_, err = svc.SetStatus(ctx, byURL[0].ID, jobpilot.StatusUpdate{Status: jobpilot.StatusNoReply})
		wantCode(t, err, jobpilot.ECONFLICT)
		_, err = svc.SetStatus(ctx, byURL[0].ID, jobpilot.StatusUpdate{Status: jobpilot.StatusSent})
		wantCode(t, err, jobpilot.EINVALID)
		if _, err := svc.SetStatus(ctx, byURL[0].ID, jobpilot.StatusUpdate{Status: jobpilot.StatusOffered}); err != nil {
			t.Fatal(err)
		}

		// Blocking a company dismisses the application and skips the
		// company's later postings with the reason.
		blocked := byEmail[1]
		post, err := e.st.Posting(ctx, blocked.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		got, err = svc.BlockCompany(ctx, blocked.ID, "recruiter spam")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusDismissed || got.Note != "company blocked: recruiter spam" {
			t.Fatalf("blocked: %+v", got)
		}
		later := *post
		later.ID, later.ExternalID, later.Title = 0, "later-1", "Staff "+post.Title
		later.Description += " A new team."
		if _, err := e.st.UpsertPostings(ctx, post.Source, []jobpilot.Posting{later}, false); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		next := e.appFor(t, 1, post.Source, "later-1")
		if next.Status != jobpilot.StatusSkipped || !next.Explanation.Excluded ||
			!strings.Contains(strings.Join(next.Explanation.Against, " "), "you blocked "+post.Company+": recruiter spam") {
			t.Fatalf("a later posting of a blocked company: %s %+v", next.Status, next.Explanation)
		}

		// The funnel counts what went out and how far it got.
		f := jobpilot.FunnelOf(e.apps(t, 1))
		if f.Stages[0].Name != jobpilot.StageSent || f.Stages[0].Count != 1 || f.Stages[3].Count != 1 || f.Stages[3].Conversion != 1 {
			t.Fatalf("funnel: %+v", f.Stages)
		}
		if f.Statuses[jobpilot.StatusDismissed] != 2 || len(f.Weeks) != 1 || f.Weeks[0].Week != "2026-11-30" {
			t.Fatalf("funnel: %+v", f)
		}
	})
}

func TestRetryFailed(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := reviewEnv(t, b, &countingMailer{})
		svc := e.sys.Apply
		// A send refused for good: the documents exist, so a retry goes back
		// to review, the error still shown.
		a := e.ready(t, jobpilot.ApplyViaEmail)[0]
		if _, err := e.st.Transition(ctx, a.ID, jobpilot.StatusFailed, jobpilot.Change{Error: ptr("550 mailbox unavailable")}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Retry(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusReady || got.Error != "550 mailbox unavailable" {
			t.Fatalf("retried with documents: %+v", got)
		}
		_, err = svc.Retry(ctx, a.ID)
		wantCode(t, err, jobpilot.ECONFLICT)

		// A draft that failed: no documents, so it is drafted again.
		p, err := e.st.Posting(ctx, a.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		other := *p
		other.ID, other.ExternalID, other.Title, other.Description = 0, "retry-1", "Platform Engineer", p.Description+" Retry."
		if _, err := e.st.UpsertPostings(ctx, p.Source, []jobpilot.Posting{other}, false); err != nil {
			t.Fatal(err)
		}
		stored := e.posting(t, p.Source, "retry-1")
		fresh := &jobpilot.Application{ProfileID: 1, PostingID: stored.ID, Status: jobpilot.StatusMatched, ApplyVia: jobpilot.ApplyViaEmail}
		if _, err := e.st.CreateApplication(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.Transition(ctx, fresh.ID, jobpilot.StatusFailed, jobpilot.Change{Error: ptr("the LLM refused the key")}); err != nil {
			t.Fatal(err)
		}
		if got, err = svc.Retry(ctx, fresh.ID); err != nil || got.Status != jobpilot.StatusMatched {
			t.Fatalf("retried without documents: %+v %v", got, err)
		}
		if err := e.process(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got = e.app(t, fresh.ID); got.Status != jobpilot.StatusReady || got.Error != "" {
			t.Fatalf("after the new draft: %+v", got)
		}
	})
}

// Restore takes a dismissed application back to the status it was
// dismissed from: ready with its documents, failed with its error, skipped;
// a matched one without documents is drafted again. Restoring anything but
// a dismissed application is ECONFLICT.
func TestRestoreDismissed(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := reviewEnv(t, b, &countingMailer{})
		svc := e.sys.Apply
		byEmail := e.ready(t, jobpilot.ApplyViaEmail)
		if len(byEmail) < 2 {
			t.Fatalf("examples: %d ready by email, want 2", len(byEmail))
		}
		restore := func(id int64, want jobpilot.Status) *jobpilot.Application {
			t.Helper()
			got, err := svc.Restore(ctx, id)
			if err != nil {
				t.Fatalf("restore %d: %v", id, err)
			}
			if got.Status != want || got.Note != "" {
				t.Fatalf("restored %d: %s (note %q), want %s", id, got.Status, got.Note, want)
			}
			if evs := e.statusEvents(t, id); !strings.Contains(evs[len(evs)-1], "dismissed → "+string(want)+": restored by the candidate") {
				t.Fatalf("history of %d: %q", id, evs)
			}
			return got
		}

		// Ready: back to review, the dismissal's reason gone.
		ready := byEmail[0]
		_, err := svc.Restore(ctx, ready.ID)
		wantCode(t, err, jobpilot.ECONFLICT)
		if _, err := svc.Dismiss(ctx, ready.ID, "too far"); err != nil {
			t.Fatal(err)
		}
		restore(ready.ID, jobpilot.StatusReady)
		_, err = svc.Restore(ctx, ready.ID)
		if wantCode(t, err, jobpilot.ECONFLICT); !strings.Contains(err.Error(), "only a dismissed application can be restored") {
			t.Fatalf("restore of a ready application: %v", err)
		}
		if _, err := svc.Approve(ctx, ready.ID); err != nil {
			t.Fatalf("approve after restore: %v", err)
		}

		// Failed: failed again, its error kept for Retry.
		failed := byEmail[1]
		if _, err := e.st.Transition(ctx, failed.ID, jobpilot.StatusFailed, jobpilot.Change{Error: ptr("550 mailbox unavailable")}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Dismiss(ctx, failed.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got := restore(failed.ID, jobpilot.StatusFailed); got.Error != "550 mailbox unavailable" {
			t.Fatalf("restored failed application lost its error: %+v", got)
		}

		// Skipped: skipped again, not drafted.
		var skipped *jobpilot.Application
		for _, a := range e.apps(t, 1) {
			if a.Status == jobpilot.StatusSkipped {
				skipped = a
				break
			}
		}
		if skipped == nil {
			t.Fatal("the examples have no skipped application")
		}
		if _, err := svc.Dismiss(ctx, skipped.ID, "never"); err != nil {
			t.Fatal(err)
		}
		restore(skipped.ID, jobpilot.StatusSkipped)

		// Matched without documents: matched again and drafted.
		if _, err := e.st.Transition(ctx, skipped.ID, jobpilot.StatusMatched, jobpilot.Change{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Dismiss(ctx, skipped.ID, ""); err != nil {
			t.Fatal(err)
		}
		got := restore(skipped.ID, jobpilot.StatusMatched)
		if err := e.process(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got = e.app(t, skipped.ID); got.Status != jobpilot.StatusReady {
			t.Fatalf("restored matched application after drafting: %s", got.Status)
		}
	})
}

// The undo window: an approved email is not sent before SendAfter, can be
// cancelled until it is, and is sent once the window has passed, recorded
// truthfully as saved to the outbox when no SMTP server is configured.
func TestUndoWindow(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		mailer := &countingMailer{}
		e := reviewEnv(t, b, mailer)
		now := time.Now().Truncate(time.Microsecond) // as stored
		svc := *e.sys.Apply
		svc.SendDelay = time.Minute
		svc.Delivery = jobpilot.DeliveryOutbox
		svc.Now = func() time.Time { return now }
		a := e.ready(t, jobpilot.ApplyViaEmail)[0]
		task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ID}

		got, err := svc.Approve(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusApproved || got.SendAfter == nil || got.SendAfter.Sub(now) != time.Minute {
			t.Fatalf("approved: %+v", got)
		}
		// The job run early (a cancelled and re-approved application's old
		// job) waits for the window without sending or burning an attempt.
		err = svc.SendApplication(ctx, task)
		if after, ok := jobpilot.RetryAfter(err); !ok || !errors.Is(err, jobpilot.ErrTransient) || after != time.Minute {
			t.Fatalf("send inside the window: %v, want a transient error that says come back in 1m", err)
		}
		if mailer.sent.Load() != 0 || e.app(t, a.ID).Status != jobpilot.StatusApproved {
			t.Fatal("sent inside the undo window")
		}
		got, err = svc.Cancel(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusReady || got.SendAfter != nil {
			t.Fatalf("cancelled: %+v", got)
		}
		if err := svc.SendApplication(ctx, task); err != nil || mailer.sent.Load() != 0 {
			t.Fatalf("the cancelled application's job: %v, %d sent", err, mailer.sent.Load())
		}
		_, err = svc.Cancel(ctx, a.ID)
		wantCode(t, err, jobpilot.ECONFLICT)

		// Approved again; once the window has passed it goes out.
		if _, err := svc.Approve(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(61 * time.Second)
		if err := svc.SendApplication(ctx, task); err != nil {
			t.Fatal(err)
		}
		got = e.app(t, a.ID)
		if mailer.sent.Load() != 1 || got.Status != jobpilot.StatusSent || got.Delivery != jobpilot.DeliveryOutbox ||
			got.StatusLabel() != "saved to outbox (no SMTP server configured)" {
			t.Fatalf("after the window: %d sent, %+v", mailer.sent.Load(), got)
		}
		evs := e.statusEvents(t, a.ID)
		if last := evs[len(evs)-1]; !strings.Contains(last, "saved to the outbox, not sent") || strings.Contains(last, "accepted") {
			t.Fatalf("history says %q", last)
		}
		_, err = svc.Cancel(ctx, a.ID)
		wantCode(t, err, jobpilot.ECONFLICT)
	})
}

func TestEditDocuments(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := reviewEnv(t, b, &countingMailer{})
		svc := e.sys.Apply
		a := e.ready(t, jobpilot.ApplyViaEmail)[0]
		before, err := e.st.Documents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.st.Profile(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}

		// A fact the profile lacks is refused, naming it; nothing changes.
		invented := strings.Replace(before.CoverLetter, "\n\n", "\n\nAt Google I led a team of forty engineers.\n\n", 1)
		_, err = svc.EditDocuments(ctx, a.ID, jobpilot.DocumentEdit{CoverLetter: &invented})
		if wantCode(t, err, jobpilot.EINVALID); !strings.Contains(err.Error(), "Google") || !strings.Contains(err.Error(), "add these facts to the profile") {
			t.Fatalf("invented fact: %v", err)
		}
		if now, _ := e.st.Documents(ctx, a.ID); now.CoverLetter != before.CoverLetter {
			t.Fatal("a refused edit changed the letter")
		}

		// The candidate's own words from the profile pass, and the PDF is
		// rendered again with them.
		own := strings.Replace(before.CoverLetter, "\n\n", "\n\n"+p.Resume.Work[1].Highlights[0]+"\n\n", 1)
		// The resume: the third job first with its highlights reversed, then
		// the first with one highlight; the second left out.
		w0, w2 := p.Resume.Work[0], p.Resume.Work[2]
		sel := &jobpilot.ResumeSelection{Work: []jobpilot.WorkPick{{Index: 2, Highlights: []int{1, 0}}, {Index: 0, Highlights: []int{0}}}}
		got, err := svc.EditDocuments(ctx, a.ID, jobpilot.DocumentEdit{CoverLetter: &own, Resume: sel})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobpilot.StatusReady || !strings.HasSuffix(got.Writer, "(edited by the candidate)") {
			t.Fatalf("edited: %+v", got)
		}
		docs, err := e.st.Documents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		letter := pdfText(t, docs.CoverLetterPDF)
		if !strings.Contains(squash(letter), squash(p.Resume.Work[1].Highlights[0])) {
			t.Fatalf("the letter's PDF lacks the added sentence:\n%s", letter)
		}
		resume := squash(pdfText(t, docs.ResumePDF))
		i2, i0 := strings.Index(resume, squash(w2.Name)), strings.Index(resume, squash(w0.Name))
		h1, h0 := strings.Index(resume, squash(w2.Highlights[1])), strings.Index(resume, squash(w2.Highlights[0]))
		if i2 < 0 || i0 < 0 || i2 > i0 || strings.Contains(resume, squash(p.Resume.Work[1].Name)) || h1 < 0 || h0 < 0 || h1 > h0 ||
			strings.Contains(resume, squash(w0.Highlights[1])) {
			t.Fatalf("resume PDF does not follow the selection (%s at %d, %s at %d):\n%s", w2.Name, i2, w0.Name, i0, resume)
		}

		// Bad selections name the field.
		for _, bad := range []jobpilot.ResumeSelection{
			{Work: []jobpilot.WorkPick{{Index: 7}}},
			{Work: []jobpilot.WorkPick{{Index: 0}, {Index: 0}}},
			{Work: []jobpilot.WorkPick{{Index: 0, Highlights: []int{9}}}},
			{},
		} {
			_, err := svc.EditDocuments(ctx, a.ID, jobpilot.DocumentEdit{Resume: &bad})
			wantCode(t, err, jobpilot.EINVALID)
		}
		// Only a ready application's documents can be edited.
		if _, err := svc.Dismiss(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		_, err = svc.EditDocuments(ctx, a.ID, jobpilot.DocumentEdit{CoverLetter: &own})
		wantCode(t, err, jobpilot.ECONFLICT)
	})
}

// squash drops whitespace, so text wrapped across PDF lines compares.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func ptr[T any](v T) *T { return &v }

// Follow-ups are never sent for an application the candidate moved past
// sent (no reply, withdrawn, interviewing …), however long ago it went out.
func TestNoFollowUpPastSent(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		mailer := &countingMailer{}
		e := reviewEnv(t, b, mailer)
		long := time.Now().Add(-30 * 24 * time.Hour)
		var ids []int64
		for i, st := range []jobpilot.Status{jobpilot.StatusNoReply, jobpilot.StatusWithdrawn, jobpilot.StatusSent} {
			a := e.ready(t, jobpilot.ApplyViaEmail)[0]
			for _, to := range []jobpilot.Status{jobpilot.StatusApproved, jobpilot.StatusSending, jobpilot.StatusSent} {
				if _, err := e.st.Transition(ctx, a.ID, to, jobpilot.Change{SentAt: &long, MessageID: ptr(jobpilot.MessageID(a.ID, "example.com"))}); err != nil {
					t.Fatal(err)
				}
			}
			if i < 2 {
				if _, err := e.sys.Apply.SetStatus(ctx, a.ID, jobpilot.StatusUpdate{Status: st}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, a.ID)
		}
		if err := e.sys.Apply.FollowUps(ctx, jobpilot.Task{Kind: jobpilot.TaskFollowUps}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []jobpilot.Status{jobpilot.StatusNoReply, jobpilot.StatusWithdrawn, jobpilot.StatusFollowedUp} {
			if got := e.app(t, ids[i]); got.Status != want || (want != jobpilot.StatusFollowedUp) != (got.FollowedUpAt == nil) {
				t.Errorf("application %d: %s (followed up %v), want %s", ids[i], got.Status, got.FollowedUpAt, want)
			}
		}
		// Review mode: one digest to the candidate, listing only the one
		// still sent.
		if n := mailer.sent.Load(); n != 1 {
			t.Errorf("%d emails, want the one digest", n)
		}
	})
}
