package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// ProcessPosting prepares one application: tailored resume (the resume
// policy), cover letter (the cover-letter policy), both rendered to PDF, then
// ready. In direct mode an application with a contact email is approved and
// its send queued at once, within the profile's daily cap.
//
// Failures are sorted by kind. An open breaker or a transient error after the
// policy's retries returns the error: the engine snoozes or retries the job
// later and the application stays drafting. That includes a key the LLM
// endpoint refuses (401, 403): a configuration error pauses the "openai"
// breaker, so the application waits for the key to be fixed rather than
// failing. A permanent error (a request the endpoint rejects, documents
// that cannot be rendered) marks the application failed with the reason
// and completes the job.
func (s *Service) ProcessPosting(ctx context.Context, t jobpilot.Task) error {
	app, err := s.Store.Application(ctx, t.ApplicationID)
	if err != nil {
		return err
	}
	switch app.Status {
	case jobpilot.StatusMatched:
		app, err = s.Store.Transition(ctx, app.ID, jobpilot.StatusDrafting, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusMatched}, Reason: "drafting documents"})
		if err != nil {
			if isConflict(err) {
				return nil // another worker took it
			}
			return err
		}
	case jobpilot.StatusDrafting:
		// A retry, or a job rescued after a crash: drafting again is safe,
		// documents are only saved as a whole.
	case jobpilot.StatusReady:
		// The documents are ready, but in direct mode the process may have
		// died between the ready transition and the approval (two
		// transactions): a job run again after that crash must still queue
		// the send, or the application would sit ready for ever. The
		// approval is a compare-and-swap from ready, so doing it twice is
		// harmless.
		if app.ApplyVia != jobpilot.ApplyViaEmail {
			return nil
		}
		p, err := s.Store.Profile(ctx, app.ProfileID)
		if err != nil {
			return err
		}
		if s.modeFor(p) != jobpilot.ApplyDirect {
			return nil
		}
		return s.autoApprove(ctx, p, app)
	default:
		return nil // already prepared, skipped or failed: nothing left to do
	}

	err = s.draft(ctx, app)
	if err == nil {
		return nil
	}
	if isOpen(err) || !errors.Is(err, jobpilot.ErrPermanent) && jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		// Transient (or the breaker is open): the engine retries or snoozes.
		if _, uerr := s.Store.Update(context.WithoutCancel(ctx), app.ID, jobpilot.Change{Error: ptr(reason(err))}); uerr != nil {
			s.log().Warn("error not recorded", "application", app.ID, "err", uerr)
		}
		return err
	}
	s.log().Error("application failed", "application", app.ID, "err", err)
	if _, terr := s.Store.Transition(context.WithoutCancel(ctx), app.ID, jobpilot.StatusFailed, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusDrafting}, Reason: reason(err), Error: ptr(reason(err)),
	}); terr != nil && !isConflict(terr) {
		return terr
	}
	return nil
}

func (s *Service) draft(ctx context.Context, app *jobpilot.Application) error {
	p, err := s.Store.Profile(ctx, app.ProfileID)
	if err != nil {
		return err
	}
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return err
	}
	d, err := s.write(ctx, p, post)
	if err != nil {
		return err
	}
	if err := d.verify(p, post); err != nil {
		return err
	}
	resumePDF, err := s.Renderer.RenderResume(&d.tailored.Resume)
	if err != nil {
		return jobpilot.Permanent(fmt.Errorf("rendering the resume: %w", err))
	}
	letterPDF, err := s.Renderer.RenderCoverLetter(p, post, d.letter.Text)
	if err != nil {
		return jobpilot.Permanent(fmt.Errorf("rendering the cover letter: %w", err))
	}
	if err := s.Store.SaveDocuments(ctx, &jobpilot.Documents{
		ApplicationID:  app.ID,
		Resume:         d.tailored.Resume,
		ResumePDF:      resumePDF,
		CoverLetter:    d.letter.Text,
		CoverLetterPDF: letterPDF,
		Writer:         d.writer,
		Removals:       d.removals,
	}); err != nil {
		return err
	}
	for _, r := range d.removals {
		if s.OnGuardRemoval != nil {
			s.OnGuardRemoval(r)
		}
	}
	return s.ready(ctx, p, post, app, d)
}

// ready moves the drafted application to ready with the guard's report. In
// direct mode it is approved at once, unless the guard holds it: then it
// waits for the candidate with the reason.
func (s *Service) ready(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting, app *jobpilot.Application, d *drafted) error {
	report := d.report()
	change := jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusDrafting},
		Writer: ptr(d.writer),
		Error:  ptr(""),
		Guard:  &report,
		Reason: "documents ready (" + d.writer + ")",
	}
	if report.Hold != "" {
		change.Reason += "; held for review: " + report.Hold
	}
	if app.ApplyVia == jobpilot.ApplyViaURL {
		change.Reason += "; apply via URL: " + firstNonEmpty(post.ApplyURL, post.URL)
	}
	// The address is checked again on the posting as it is now.
	rcpt := CheckRecipient(post)
	if rcpt != nil {
		change.Recipient = rcpt
	}
	if rcpt.Flagged() {
		change.Reason += "; recipient " + rcpt.Address + " held for review: " + strings.Join(rcpt.Flags, "; ")
	}
	to := jobpilot.StatusReady
	if app.ApplyVia == jobpilot.ApplyViaEmail && s.modeFor(p) == jobpilot.ApplyDirect && report.Hold == "" && !rcpt.Flagged() {
		// Direct mode approves in the same transaction as the documents
		// become ready, so no observer (jobpilot run waiting for the
		// pipeline to drain, a crash) ever sees a direct-mode application
		// sitting ready between two steps.
		ok, err := s.withinDailyCap(ctx, p, app.ID)
		if err != nil {
			return err
		}
		if ok {
			to = jobpilot.StatusApproved
			change.Reason += "; approved automatically (direct mode)"
			change.Tasks = []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}}
		}
	}
	app, err := s.Store.Transition(ctx, app.ID, to, change)
	if err != nil {
		if isConflict(err) {
			return nil
		}
		return err
	}
	s.log().Info("application ready", "application", app.ID, "company", post.Company, "title", post.Title,
		"writer", d.writer, "apply_via", app.ApplyVia, "status", to, "removals", report.Removed, "held", report.Hold != "")
	return nil
}

// autoApprove queues the send of a ready application in direct mode, unless
// the guard holds it (Guard.Hold) or the profile's daily cap is reached; then
// it stays ready for the candidate.
func (s *Service) autoApprove(ctx context.Context, p *jobpilot.Profile, app *jobpilot.Application) error {
	if app.Guard.Hold != "" || app.Recipient.Flagged() {
		// Never sent automatically: the candidate reads it first.
		return nil
	}
	ok, err := s.withinDailyCap(ctx, p, app.ID)
	if err != nil || !ok {
		return err
	}
	_, err = s.Store.Transition(ctx, app.ID, jobpilot.StatusApproved, jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusReady},
		Reason: "approved automatically (direct mode)",
		Tasks:  []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}},
	})
	if isConflict(err) {
		return nil
	}
	return err
}

// withinDailyCap reports whether one more application of p may be sent
// today in direct mode; when not, it notes on application appID that it is
// left ready for approval.
func (s *Service) withinDailyCap(ctx context.Context, p *jobpilot.Profile, appID int64) (bool, error) {
	now := s.now()
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	sent, err := s.Store.SentSince(ctx, p.ID, dayStart)
	if err != nil {
		return false, err
	}
	counts, err := s.Store.CountByStatus(ctx, p.ID)
	if err != nil {
		return false, err
	}
	inFlight := counts[jobpilot.StatusApproved] + counts[jobpilot.StatusSending]
	if limit := p.Preferences.EffectiveDailyCap(); sent+inFlight >= limit {
		s.event(ctx, appID, jobpilot.EventNote,
			fmt.Sprintf("daily cap of %d applications reached; left ready for approval", limit), nil)
		return false, nil
	}
	return true, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
