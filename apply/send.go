package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// errNotApproved marks an attempt that could not begin because the
// application was no longer approved when it looked.
var errNotApproved = errors.New("marking the application sending")

// stateWriteTimeout bounds the status writes made after an attempt, which
// run even when the attempt's own context has been cancelled by its timeout:
// the record of what happened must not be lost with the attempt.
const stateWriteTimeout = 10 * time.Second

// SendApplication emails an approved application through the email policy
// (retries 2, 4, 8 s; the "email" breaker; EMAIL_TIMEOUT per attempt).
//
// Each attempt moves the application approved → sending just before the SMTP
// transaction and, when the server refused the message (a known outcome),
// back to approved with the error. So:
//   - a job that finds the application sending knows the process died during
//     a transaction whose outcome is unknown: it marks it needs_review and
//     sends nothing;
//   - an attempt that timed out before the message was handed over is a known
//     failure and is retried; one that failed after (jobpilot.ErrOutcomeUnknown)
//     becomes needs_review;
//   - an open breaker returns its *resilience.OpenError with the application
//     still approved: the engine snoozes the job until the breaker half-opens,
//     without burning an attempt;
//   - a permanent refusal (SMTP 5xx, an invalid header) marks it failed with
//     the server's text;
//   - transient failures after the last retry return the error and the engine
//     retries the job later.
func (s *Service) SendApplication(ctx context.Context, t jobpilot.Task) error {
	app, err := s.Store.Application(ctx, t.ApplicationID)
	if err != nil {
		return err
	}
	switch app.Status {
	case jobpilot.StatusApproved:
	case jobpilot.StatusSending:
		_, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
			From:   []jobpilot.Status{jobpilot.StatusSending},
			Reason: "the send was interrupted during the SMTP transaction; whether the employer received it is unknown, so it is not sent again without you",
		})
		if isConflict(err) {
			return nil
		}
		return err
	default:
		s.log().Info("send skipped: application is not approved", "application", app.ID, "status", app.Status)
		return nil
	}
	msg, err := s.applicationMessage(ctx, app)
	if err != nil {
		switch code := jobpilot.ErrorCode(err); {
		case errors.Is(err, jobpilot.ErrPermanent), code == jobpilot.EINVALID, code == jobpilot.ENOTFOUND:
			return s.failSend(ctx, app.ID, jobpilot.StatusApproved, err)
		}
		return err // the store is unreachable, or we are shutting down: retried later
	}

	attempt := 0
	// unknown keeps the error of an attempt whose outcome is unknown. The
	// per-attempt timeout reports its own (transient) error in its place, so
	// the retry loop may run one more attempt, which finds the application
	// still sending and stops; the reason recorded must be the real one.
	var unknown error
	err = s.Email.Do(ctx, func(ctx context.Context) error {
		attempt++
		if _, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusSending, jobpilot.Change{
			From:        []jobpilot.Status{jobpilot.StatusApproved},
			Reason:      fmt.Sprintf("sending to %s (attempt %d)", msg.To, attempt),
			MessageID:   ptr(msg.MessageID),
			IncAttempts: true,
		}); err != nil {
			// Not a dependency failure: stop retrying (the store refused, or
			// an earlier attempt abandoned by its timeout is still finishing).
			// What happens next is decided below from the recorded status.
			return jobpilot.Permanent(fmt.Errorf("%w: %w", errNotApproved, err))
		}
		sendErr := s.Mailer.Send(ctx, msg)
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stateWriteTimeout)
		defer cancel()
		switch {
		case sendErr == nil:
			_, err := s.Store.Transition(wctx, app.ID, jobpilot.StatusSent, jobpilot.Change{
				From: []jobpilot.Status{jobpilot.StatusSending}, Reason: "accepted by the mail server",
				SentAt: ptr(s.now()), Error: ptr(""),
			})
			if err != nil {
				// The mail left; only the record failed. Never retry the send.
				return jobpilot.Permanent(fmt.Errorf("%w: the message was accepted but its status was not recorded: %v", jobpilot.ErrOutcomeUnknown, err))
			}
			return nil
		case errors.Is(sendErr, jobpilot.ErrOutcomeUnknown):
			unknown = sendErr
			return jobpilot.Permanent(sendErr) // leave it sending; handled below
		default:
			if _, err := s.Store.Transition(wctx, app.ID, jobpilot.StatusApproved, jobpilot.Change{
				From: []jobpilot.Status{jobpilot.StatusSending}, Reason: "not delivered: " + reason(sendErr),
				Error: ptr(reason(sendErr)),
			}); err != nil {
				return jobpilot.Permanent(fmt.Errorf("%w: recording a failed attempt: %v", jobpilot.ErrOutcomeUnknown, err))
			}
			return sendErr
		}
	})
	if err == nil {
		s.log().Info("Email sent successfully", "application", app.ID, "to", msg.To, "message_id", msg.MessageID)
		return nil
	}
	// Decide from the recorded state, not only from the error: a policy
	// (the per-attempt timeout) may report its own error in place of the
	// attempt's, but each attempt recorded what it knew before returning.
	cur, rerr := s.Store.Application(context.WithoutCancel(ctx), app.ID)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	switch cur.Status {
	case jobpilot.StatusSending:
		// The message was handed over but no reply came, or the outcome
		// could not be recorded: a person decides.
		if unknown != nil {
			err = unknown
		}
		_, terr := s.Store.Transition(context.WithoutCancel(ctx), app.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusSending}, Reason: reason(err), Error: ptr(reason(err)),
		})
		if terr != nil && !isConflict(terr) {
			return terr
		}
		return nil
	case jobpilot.StatusApproved:
		switch {
		case isOpen(err):
			return err // the engine snoozes until the breaker half-opens
		case errors.Is(err, errNotApproved):
			// An abandoned attempt finished with a known failure after the
			// next one had looked: nothing was sent, so try again later.
			return jobpilot.Transient(err)
		case errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) == jobpilot.EINVALID:
			return s.failSend(ctx, app.ID, jobpilot.StatusApproved, err)
		default:
			return err // transient after the retries: the engine retries the job later
		}
	default:
		return nil // sent, or moved on by someone else: nothing left to do
	}
}

func (s *Service) failSend(ctx context.Context, id int64, from jobpilot.Status, err error) error {
	s.log().Error("application failed", "application", id, "err", err)
	_, terr := s.Store.Transition(context.WithoutCancel(ctx), id, jobpilot.StatusFailed, jobpilot.Change{
		From: []jobpilot.Status{from}, Reason: reason(err), Error: ptr(reason(err)),
	})
	if terr != nil && !isConflict(terr) {
		return terr
	}
	return nil
}

// applicationMessage builds the email of an application: a short note, the
// resume and the cover letter as PDFs, and the Message-ID derived from the
// application so every attempt and every restart sends the same message.
func (s *Service) applicationMessage(ctx context.Context, app *jobpilot.Application) (*jobpilot.Message, error) {
	p, err := s.Store.Profile(ctx, app.ProfileID)
	if err != nil {
		return nil, err
	}
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return nil, err
	}
	if post.ContactEmail == "" {
		return nil, jobpilot.Permanent(jobpilot.Errorf(jobpilot.EINVALID, "posting %d has no contact email; apply via %s", post.ID, firstNonEmpty(post.ApplyURL, post.URL)))
	}
	docs, err := s.Store.Documents(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	from := s.sender(p)
	name := p.Name()
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s hiring team,\n\n", post.Company)
	fmt.Fprintf(&b, "Please find attached my application for the %s position", post.Title)
	if post.URL != "" {
		fmt.Fprintf(&b, " (%s)", post.URL)
	}
	b.WriteString(": my resume and a cover letter.\n\nThank you for your time and consideration.\n\nKind regards,\n")
	b.WriteString(name + "\n")
	for _, line := range []string{p.Resume.Basics.Email, p.Resume.Basics.Phone} {
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	return &jobpilot.Message{
		MessageID: jobpilot.MessageID(app.ID, domainOf(from)),
		From:      from,
		FromName:  name,
		To:        post.ContactEmail,
		ReplyTo:   p.Resume.Basics.Email,
		Subject:   fmt.Sprintf("Application for %s – %s", post.Title, name),
		Body:      b.String(),
		Date:      s.now(),
		Attachments: []jobpilot.Attachment{
			{Filename: fileName(name, "Resume"), ContentType: "application/pdf", Data: docs.ResumePDF},
			{Filename: fileName(name, "Cover Letter"), ContentType: "application/pdf", Data: docs.CoverLetterPDF},
		},
	}, nil
}

func (s *Service) sender(p *jobpilot.Profile) string {
	if s.From != "" {
		return s.From
	}
	return p.Resume.Basics.Email
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimSuffix(addr[i+1:], ">")
	}
	return ""
}

func fileName(name, what string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(clean+" - "+what) + ".pdf"
}

// Approve approves ready applications and queues their sends, each in its
// own transaction. An application that is not ready, or has no contact email
// (apply via URL), is refused with ECONFLICT.
func (s *Service) Approve(ctx context.Context, id int64) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.ApplyVia != jobpilot.ApplyViaEmail {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d has no contact email: apply via the posting's link with the prepared documents", id)
	}
	return s.Store.Transition(ctx, id, jobpilot.StatusApproved, jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusReady},
		Reason: "approved by the candidate",
		Tasks:  []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: id}},
	})
}

// Reopen actions for a needs_review application.
const (
	ReopenSendAgain = "send_again" // the candidate checked: it did not arrive; send it again
	ReopenMarkSent  = "mark_sent"  // the candidate checked: it arrived
)

// Reopen resolves a needs_review application by the candidate's explicit
// decision: send it again, or record it as sent.
func (s *Service) Reopen(ctx context.Context, id int64, action string) (*jobpilot.Application, error) {
	from := []jobpilot.Status{jobpilot.StatusNeedsReview}
	switch action {
	case ReopenSendAgain:
		return s.Store.Transition(ctx, id, jobpilot.StatusApproved, jobpilot.Change{
			From: from, Reason: "the candidate asked to send it again",
			Tasks: []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: id}},
		})
	case ReopenMarkSent:
		return s.Store.Transition(ctx, id, jobpilot.StatusSent, jobpilot.Change{
			From: from, Reason: "the candidate confirmed it was delivered", SentAt: ptr(s.now()),
		})
	default:
		return nil, jobpilot.FieldError("action", "must be %s or %s", ReopenSendAgain, ReopenMarkSent)
	}
}

// SetManualStatus records the candidate's own news: interviewing, rejected or
// offered.
func (s *Service) SetManualStatus(ctx context.Context, id int64, status jobpilot.Status) (*jobpilot.Application, error) {
	if !status.Manual() {
		return nil, jobpilot.FieldError("status", "must be interviewing, rejected or offered")
	}
	return s.Store.Transition(ctx, id, status, jobpilot.Change{Reason: "set by the candidate"})
}
