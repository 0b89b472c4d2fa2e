package apply

import (
	"context"

	"github.com/jobpilot/jobpilot"
)

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

// RetryFailedSend sends a failed application again, by the candidate's
// decision: failed → approved with its send queued in the same
// transaction, keeping its documents, Message-ID and history. Only an
// application to be sent by email whose documents exist can be; any other
// is ECONFLICT (a failure while drafting is retried by drafting again).
func (s *Service) RetryFailedSend(ctx context.Context, id int64) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.Status != jobpilot.StatusFailed {
		return nil, jobpilot.ErrInvalidTransition(id, app.Status, jobpilot.StatusApproved)
	}
	if app.ApplyVia != jobpilot.ApplyViaEmail {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d has no contact email: there is nothing to send again", id)
	}
	if _, err := s.Store.Documents(ctx, id); err != nil {
		if jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND {
			return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d failed before its documents were written: draft it again instead", id)
		}
		return nil, err
	}
	return s.Store.Transition(ctx, id, jobpilot.StatusApproved, jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusFailed},
		Reason: "the candidate asked to send it again after: " + app.Error,
		Tasks:  []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: id}},
	})
}
