package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jobpilot/jobpilot"
)

// readyApplications waits for the start-up automation run to prepare at
// least n ready applications by email and one by link.
func (e *env) readyApplications(t *testing.T, n int) (byEmail []*jobpilot.Application, byURL *jobpilot.Application) {
	t.Helper()
	waitFor(t, 30*time.Second, "ready applications by email and by link", func() bool {
		apps, err := e.sys.Store.Applications(context.Background(), jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady}})
		if err != nil {
			t.Fatal(err)
		}
		byEmail, byURL = nil, nil
		for _, a := range apps {
			if a.ApplyVia == jobpilot.ApplyViaEmail {
				byEmail = append(byEmail, a)
			} else {
				byURL = a
			}
		}
		return len(byEmail) >= n && byURL != nil
	})
	return byEmail, byURL
}

// pdfText is the text of a PDF, by poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not found: install Debian's poppler-utils")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// label reads a status badge's words as the page has them (its text
// content: the badge's first letter is capitalised by CSS only).
func label(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return strings.TrimSpace(s)
}

// stageCount reads a funnel stage's count on the admin page.
func stageCount(t *testing.T, ctx context.Context, serverURL, stage string) int {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(serverURL+"/admin"), chromedp.WaitVisible(chromedp.ID("funnel"))); err != nil {
		t.Fatalf("admin page: %v", err)
	}
	n, err := strconv.Atoi(text(t, ctx, chromedp.CSS("#stage-"+stage+" b")))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReviewActionsInBrowser drives the candidate's actions beyond approve
// and dismiss in real headless Chromium: editing the cover letter (a
// sentence the profile lacks refused with the guard's verdict and the text
// kept; the candidate's own words saved, shown and rendered into the PDF
// again), the undo strip after an approval, marking a link-only
// application applied, the tracker (an email saved to the outbox moved to
// interviewing with a note, the funnel's counts following) and restoring a
// dismissed application. Screenshots go to artifacts/.
func TestReviewActionsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium(t)
	e := newEnv(t)
	ctx := context.Background()
	byEmail, byURL := e.readyApplications(t, 3)
	edited, undone, tracked := byEmail[0], byEmail[1], byEmail[2]

	// One application goes out first (SEND_DELAY is 0 in this system, and
	// the mailer is the outbox); then the undo window opens for the rest.
	e.api(t, "POST", fmt.Sprintf("/api/v1/applications/%d/approve", tracked.ID), nil, 200, nil)
	waitFor(t, 30*time.Second, "the approved application sent", func() bool { return e.status(t, tracked.ID) == jobpilot.StatusSent })
	e.sys.Apply.SendDelay = time.Hour

	bctx, _ := browser(t, exe)
	if err := chromedp.Do(bctx, append(signIn(e.srv.URL), chromedp.WaitVisible(chromedp.ID("review")))...); err != nil {
		t.Fatalf("login: %v", err)
	}
	detail := func(id int64) string { return fmt.Sprintf("%s/applications/%d", e.srv.URL, id) }

	// Edit: a sentence the profile lacks is refused, naming it, and the
	// candidate's text stays in the form.
	before, err := e.sys.Store.Documents(ctx, edited.ID)
	if err != nil {
		t.Fatal(err)
	}
	invented := strings.Replace(before.CoverLetter, "\n\n", "\n\nAt Google I led a team of forty engineers.\n\n", 1)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(detail(edited.ID)),
		chromedp.WaitVisible(chromedp.ID("letter-edit")),
		chromedp.SetValue(chromedp.ID("letter-edit"), invented),
		chromedp.Click(chromedp.ID("save-letter")),
		chromedp.WaitVisible(chromedp.CSS(".flash.err")),
	); err != nil {
		t.Fatalf("refused edit: %v", err)
	}
	verdict := text(t, bctx, chromedp.CSS(".flash.err"))
	kept, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("letter-edit")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(verdict, "Google") || !strings.Contains(verdict, "not in your profile") || !strings.Contains(kept, "At Google I led") {
		t.Fatalf("refused edit: verdict %q, form keeps %q", verdict, kept)
	}
	if now, _ := e.sys.Store.Documents(ctx, edited.ID); now.CoverLetter != before.CoverLetter {
		t.Fatal("a refused edit changed the letter")
	}
	shot(t, bctx, "review-edit-refused.png")

	// The candidate's own words (a highlight of their profile) pass: the
	// page shows the new letter, the history the guard's check, and the
	// PDF is rendered again with them.
	p, err := e.sys.Store.Profile(ctx, edited.ProfileID)
	if err != nil {
		t.Fatal(err)
	}
	own := p.Resume.Work[1].Highlights[0]
	letter := strings.Replace(before.CoverLetter, "\n\n", "\n\n"+own+"\n\n", 1)
	if err := chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("letter-edit"), letter),
		chromedp.Click(chromedp.ID("save-letter")),
		chromedp.WaitVisible(chromedp.CSS(".flash:not(.err)")),
	); err != nil {
		t.Fatalf("edit: %v", err)
	}
	flash, shown, history := text(t, bctx, chromedp.CSS(".flash")), text(t, bctx, chromedp.ID("letter")), text(t, bctx, chromedp.ID("history"))
	if !strings.Contains(flash, "fabrication guard found nothing") || !strings.Contains(shown, own) ||
		!strings.Contains(history, "edited by the candidate: cover letter; checked by the fabrication guard and rendered again") {
		t.Fatalf("after the edit: flash %q, letter %q, history %q", flash, shown, history)
	}
	docs, err := e.sys.Store.Documents(ctx, edited.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pdf := pdfText(t, docs.CoverLetterPDF); !strings.Contains(pdf, strings.Join(strings.Fields(own), " ")[:30]) {
		t.Fatalf("the letter's PDF lacks the edit %q:\n%s", own, pdf)
	}
	shot(t, bctx, "review-edit.png")

	// Undo: approve from the queue's card; the strip says when it goes
	// out and takes it back.
	card := fmt.Sprint("app-", undone.ID)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.Click(chromedp.ID(fmt.Sprint("approve-", undone.ID))),
		chromedp.WaitVisible(chromedp.ID("undo-strip")),
	); err != nil {
		t.Fatalf("approve: %v", err)
	}
	if s := text(t, bctx, chromedp.ID("undo-label")); !strings.Contains(s, "sending after") || !strings.Contains(s, "unless cancelled") {
		t.Fatalf("undo strip: %q", s)
	}
	if s := e.status(t, undone.ID); s != jobpilot.StatusApproved {
		t.Fatalf("approved application is %s", s)
	}
	shot(t, bctx, "review-undo.png")
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("undo")),
		chromedp.WaitVisible(chromedp.ID(card)),
	); err != nil {
		t.Fatalf("undo: %v", err)
	}
	if flash := text(t, bctx, chromedp.CSS(".flash")); !strings.Contains(flash, "Cancelled: nothing was sent") {
		t.Fatalf("undo flash %q", flash)
	}
	if a, err := e.sys.Store.Application(ctx, undone.ID); err != nil || a.Status != jobpilot.StatusReady || a.SendAfter != nil {
		t.Fatalf("after undo: %+v %v", a, err)
	}
	if label(t, bctx, fmt.Sprint("label-", undone.ID)) != "ready" {
		t.Fatal("the card is not back as ready")
	}

	// Mark applied: a link-only application, on the day given.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(detail(byURL.ID)),
		chromedp.WaitVisible(chromedp.ID("applied-form")),
		chromedp.SetValue(chromedp.ID("applied-date"), "2026-11-30"),
		chromedp.Click(chromedp.ID("mark-applied")),
		chromedp.WaitVisible(chromedp.ID("tracker-form")),
	); err != nil {
		t.Fatalf("mark applied: %v", err)
	}
	if s := label(t, bctx, "status"); s != "applied" {
		t.Fatalf("marked applied, the page says %q", s)
	}
	if a, err := e.sys.Store.Application(ctx, byURL.ID); err != nil || a.Status != jobpilot.StatusApplied || a.SentAt.Format(time.DateOnly) != "2026-11-30" {
		t.Fatalf("marked applied: %+v %v", a, err)
	}
	shot(t, bctx, "review-applied.png")

	// The tracker: the email saved to the outbox says so, then moves to
	// interviewing with a note; the funnel counts one more interview and
	// one more reply, and the same number sent.
	sent0, replied0, interviewing0 := stageCount(t, bctx, e.srv.URL, jobpilot.StageSent), stageCount(t, bctx, e.srv.URL, jobpilot.StageReplied),
		stageCount(t, bctx, e.srv.URL, jobpilot.StageInterviewing)
	if err := chromedp.Do(bctx, chromedp.Navigate(detail(tracked.ID)), chromedp.WaitVisible(chromedp.ID("tracker-form"))); err != nil {
		t.Fatalf("tracked application: %v", err)
	}
	if s := label(t, bctx, "status"); s != "saved to outbox (no SMTP server configured)" {
		t.Fatalf("an email saved to the outbox reads %q", s)
	}
	if err := chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("tracker-status"), "interviewing"),
		chromedp.SetValue(chromedp.ID("tracker-date"), "2026-12-03"),
		chromedp.SendKeys(chromedp.ID("tracker-note"), "call with Dana on Tuesday"),
		chromedp.Click(chromedp.ID("set-status")),
		chromedp.WaitVisible(chromedp.ID("note")),
	); err != nil {
		t.Fatalf("tracker: %v", err)
	}
	if s, note := label(t, bctx, "status"), text(t, bctx, chromedp.ID("note")); s != "interviewing" ||
		!strings.Contains(note, "call with Dana on Tuesday") || !strings.Contains(note, "2026-12-03") {
		t.Fatalf("tracked: status %q, note %q", s, note)
	}
	shot(t, bctx, "review-tracker.png")
	sent1, replied1, interviewing1 := stageCount(t, bctx, e.srv.URL, jobpilot.StageSent), stageCount(t, bctx, e.srv.URL, jobpilot.StageReplied),
		stageCount(t, bctx, e.srv.URL, jobpilot.StageInterviewing)
	if sent1 != sent0 || replied1 != replied0+1 || interviewing1 != interviewing0+1 {
		t.Fatalf("funnel sent/replied/interviewing went from %d/%d/%d to %d/%d/%d", sent0, replied0, interviewing0, sent1, replied1, interviewing1)
	}
	shot(t, bctx, "review-funnel.png")

	// Restore: dismissed from its detail page, found under the dismissed
	// filter, restored to review with the history saying so.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(detail(undone.ID)),
		chromedp.SendKeys(chromedp.ID("dismiss-reason"), "too far"),
		chromedp.Click(chromedp.ID("dismiss")),
		chromedp.WaitVisible(chromedp.ID("review")),
		chromedp.Navigate(e.srv.URL+"/?status=dismissed"),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprint("restore-", undone.ID))),
	); err != nil {
		t.Fatalf("dismiss: %v", err)
	}
	if s := e.status(t, undone.ID); s != jobpilot.StatusDismissed {
		t.Fatalf("dismissed application is %s", s)
	}
	shot(t, bctx, "review-dismissed.png")
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.ID(fmt.Sprint("restore-", undone.ID))),
		chromedp.WaitVisible(chromedp.ID("summary")),
	); err != nil {
		t.Fatalf("restore: %v", err)
	}
	flash, status, history := text(t, bctx, chromedp.CSS(".flash")), label(t, bctx, "status"), text(t, bctx, chromedp.ID("history"))
	if !strings.Contains(flash, "Restored") || status != "ready" || !strings.Contains(history, "restored by the candidate; back to review") {
		t.Fatalf("restored: flash %q, status %q, history %q", flash, status, history)
	}
	if s := e.status(t, undone.ID); s != jobpilot.StatusReady {
		t.Fatalf("restored application is %s", s)
	}
	shot(t, bctx, "review-restored.png")
	if err := chromedp.Do(bctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID(card))); err != nil {
		t.Fatalf("the restored application is not in the queue: %v", err)
	}
}
