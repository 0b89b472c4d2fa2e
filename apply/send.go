package apply

import (
	"context"
	"errors"
	"fmt"
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
//   - an open breaker returns its error (jobpilot.ErrCircuitOpen, carrying
//     when to come back) with the application still approved: the engine snoozes the job until the breaker half-opens,
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
	if proceed, err := s.claimSend(ctx, app); !proceed {
		return err
	}
	msg, err := s.applicationMessage(ctx, app)
	if err != nil {
		switch code := jobpilot.ErrorCode(err); {
		case errors.Is(err, jobpilot.ErrPermanent), code == jobpilot.EINVALID, code == jobpilot.ENOTFOUND:
			return s.failSend(ctx, app.ID, jobpilot.StatusApproved, err)
		}
		return err // the store is unreachable, or we are shutting down: retried later
	}
	attempts := &sendAttempts{}
	err = s.Email.Do(ctx, func(ctx context.Context) error { return s.attemptSend(ctx, app.ID, msg, attempts) })
	if err == nil {
		s.log().Info("Email sent successfully", "application", app.ID, "to", msg.To, "message_id", msg.MessageID)
		return nil
	}
	return s.settleSend(ctx, app.ID, err, attempts.unknown)
}

// claimSend decides whether an application is to be sent now: yes when it
// is approved; when it is still sending, a previous process died during a
// transaction whose outcome is unknown, so it goes to needs_review and
// nothing is sent; any other status has nothing left to send.
func (s *Service) claimSend(ctx context.Context, app *jobpilot.Application) (proceed bool, err error) {
	switch app.Status {
	case jobpilot.StatusApproved:
		if app.SendAfter == nil {
			return true, nil
		}
		if wait := app.SendAfter.Sub(s.now()); wait > 0 {
			// The undo window is still open (a job from an earlier approval
			// that was cancelled and approved again, or a clock ahead of
			// the database's): come back when it closes, without burning an
			// attempt.
			return false, jobpilot.TransientAfter(fmt.Errorf("application %d: undo window open until %s", app.ID, app.SendAfter.UTC().Format(time.RFC3339)), wait)
		}
		return true, nil
	case jobpilot.StatusSending:
		_, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
			From:   []jobpilot.Status{jobpilot.StatusSending},
			Reason: "the send was interrupted during the SMTP transaction; whether the employer received it is unknown, so it is not sent again without you",
		})
		if isConflict(err) {
			return false, nil
		}
		return false, err
	default:
		s.log().Info("send skipped: application is not approved", "application", app.ID, "status", app.Status)
		return false, nil
	}
}

// sendAttempts is what one SendApplication keeps across its attempts.
type sendAttempts struct {
	n int
	// unknown keeps the error of an attempt whose outcome is unknown. The
	// per-attempt timeout reports its own (transient) error in its place,
	// so the retry loop may run one more attempt, which finds the
	// application still sending and stops; the reason recorded must be the
	// real one.
	unknown error
}

// attemptSend is one SMTP attempt under the email policy: approved →
// sending, the transaction, then sent, or back to approved with the
// server's refusal. A failure that must not be retried (the store refused
// a status write, the outcome is unknown) is returned permanent.
func (s *Service) attemptSend(ctx context.Context, appID int64, msg *jobpilot.Message, st *sendAttempts) error {
	st.n++
	if _, err := s.Store.Transition(ctx, appID, jobpilot.StatusSending, jobpilot.Change{
		From:        []jobpilot.Status{jobpilot.StatusApproved},
		Reason:      fmt.Sprintf("sending to %s (attempt %d)", msg.To, st.n),
		MessageID:   ptr(msg.MessageID),
		IncAttempts: true,
	}); err != nil {
		// Not a dependency failure: stop retrying (the store refused, or
		// an earlier attempt abandoned by its timeout is still finishing).
		// What happens next is decided from the recorded status.
		return jobpilot.Permanent(fmt.Errorf("%w: %w", errNotApproved, err))
	}
	sendErr := s.Mailer.Send(ctx, msg)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stateWriteTimeout)
	defer cancel()
	switch {
	case sendErr == nil:
		delivery, why := s.delivered(msg)
		_, err := s.Store.Transition(wctx, appID, jobpilot.StatusSent, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusSending}, Reason: why,
			SentAt: ptr(s.now()), Error: ptr(""), Delivery: &delivery, ClearSendAfter: true,
		})
		if err != nil {
			// The mail left; only the record failed. Never retry the send.
			return jobpilot.Permanent(fmt.Errorf("%w: the message was accepted but its status was not recorded: %v", jobpilot.ErrOutcomeUnknown, err))
		}
		return nil
	case errors.Is(sendErr, jobpilot.ErrOutcomeUnknown):
		st.unknown = sendErr
		return jobpilot.Permanent(sendErr) // leave it sending; settled by settleSend
	default:
		if _, err := s.Store.Transition(wctx, appID, jobpilot.StatusApproved, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusSending}, Reason: "not delivered: " + reason(sendErr),
			Error: ptr(reason(sendErr)),
		}); err != nil {
			return jobpilot.Permanent(fmt.Errorf("%w: recording a failed attempt: %v", jobpilot.ErrOutcomeUnknown, err))
		}
		return sendErr
	}
}

// delivered is how a message handed to the Mailer went out, and the words
// that say so truthfully.
func (s *Service) delivered(msg *jobpilot.Message) (delivery, why string) {
	if s.Delivery == jobpilot.DeliveryOutbox {
		return jobpilot.DeliveryOutbox, "saved to the outbox, not sent: no SMTP server is configured (" + msg.To + ")"
	}
	return jobpilot.DeliverySMTP, "accepted by the mail server for " + msg.To
}

// settleSend decides what a failed send leaves behind, from the recorded
// state rather than only from the error: a policy (the per-attempt timeout)
// may report its own error in place of the attempt's, but each attempt
// recorded what it knew before returning. unknown is the error of an
// attempt whose outcome is unknown, if any.
func (s *Service) settleSend(ctx context.Context, appID int64, err, unknown error) error {
	cur, rerr := s.Store.Application(context.WithoutCancel(ctx), appID)
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
		_, terr := s.Store.Transition(context.WithoutCancel(ctx), appID, jobpilot.StatusNeedsReview, jobpilot.Change{
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
			return s.failSend(ctx, appID, jobpilot.StatusApproved, err)
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
