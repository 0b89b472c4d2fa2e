package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

var _ jobpilot.Review = (*Service)(nil)

// Approve approves a ready application and queues its send in the same
// transaction. An application that is not ready, or has no contact email
// (apply via URL), is refused with ECONFLICT.
//
// With SendDelay the send waits out the undo window: SendAfter is stored on
// the application and the job is scheduled for that time, both durable, so
// a restart in the window neither loses the email nor sends it early, and
// Cancel takes it back until then.
func (s *Service) Approve(ctx context.Context, id int64) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.ApplyVia != jobpilot.ApplyViaEmail {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d has no contact email: apply via the posting's link with the prepared documents, then mark it applied", id)
	}
	change := jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusReady},
		Reason: "approved by the candidate",
	}
	if post, err := s.Store.Posting(ctx, app.PostingID); err == nil {
		if rcpt := CheckRecipient(post); rcpt != nil {
			change.Recipient = rcpt
			change.Reason += " for " + rcpt.Address
			if rcpt.Flagged() {
				change.Reason += " despite: " + strings.Join(rcpt.Flags, "; ")
			}
		}
	}
	task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: id}
	if s.SendDelay > 0 {
		after := s.now().Add(s.SendDelay)
		change.SendAfter, task.ScheduledAt = &after, after
		change.Reason += fmt.Sprintf("; sending after %s unless cancelled", after.UTC().Format(time.TimeOnly+" MST"))
	}
	change.Tasks = []jobpilot.Task{task}
	return s.Store.Transition(ctx, id, jobpilot.StatusApproved, change)
}

// Cancel takes an approved application back to ready before its email goes
// out; its queued send then finds it not approved and does nothing. Once
// the send has begun (sending) it is too late: ECONFLICT.
func (s *Service) Cancel(ctx context.Context, id int64) (*jobpilot.Application, error) {
	return s.Store.Transition(ctx, id, jobpilot.StatusReady, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusApproved}, ClearSendAfter: true,
		Reason: "sending cancelled by the candidate",
	})
}

// dismissable are the statuses an application may be dismissed from.
var dismissable = []jobpilot.Status{jobpilot.StatusMatched, jobpilot.StatusReady, jobpilot.StatusFailed, jobpilot.StatusSkipped}

// Dismiss sets an application aside with an optional reason (kept as its
// note). A dismissed application is never drafted, sent or re-scored again
// unless the candidate restores it.
func (s *Service) Dismiss(ctx context.Context, id int64, why string) (*jobpilot.Application, error) {
	why = strings.TrimSpace(why)
	if len(why) > jobpilot.MaxNoteLen {
		return nil, jobpilot.FieldError("reason", "must be at most %d characters", jobpilot.MaxNoteLen)
	}
	msg := "dismissed by the candidate"
	if why != "" {
		msg += ": " + why
	}
	return s.Store.Transition(ctx, id, jobpilot.StatusDismissed, jobpilot.Change{
		From: dismissable, Reason: msg, Note: &why, StatusAt: ptr(s.now()),
	})
}

// Restore takes a dismissed application back to the status it was
// dismissed from, read from its history: skipped and failed return as they
// were (a failed one keeps its error for Retry); ready and matched return to
// review when the documents exist and are drafted again otherwise. The
// dismissal's note is cleared; a company blocked with it stays blocked (the
// block is the profile's, not the application's). Anything but a dismissed
// application is ECONFLICT.
func (s *Service) Restore(ctx context.Context, id int64) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.Status != jobpilot.StatusDismissed {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d is %s: only a dismissed application can be restored", id, app.Status)
	}
	before, err := s.statusBefore(ctx, id, jobpilot.StatusDismissed)
	if err != nil {
		return nil, err
	}
	change := jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusDismissed}, Note: ptr("")}
	switch before {
	case jobpilot.StatusSkipped, jobpilot.StatusFailed:
		change.Reason = "restored by the candidate; " + string(before) + " again, as before the dismissal"
		return s.Store.Transition(ctx, id, before, change)
	}
	switch _, err := s.Store.Documents(ctx, id); {
	case err == nil:
		change.Reason = "restored by the candidate; back to review"
		return s.Store.Transition(ctx, id, jobpilot.StatusReady, change)
	case jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND:
		return nil, err
	}
	change.Reason = "restored by the candidate; drafting again"
	change.Tasks = []jobpilot.Task{processTask(nil, app)}
	return s.Store.Transition(ctx, id, jobpilot.StatusMatched, change)
}

// statusBefore is the status an application had when it last moved to
// status, from its history; "" when the history does not say (an event
// older than the from/to data, or none).
func (s *Service) statusBefore(ctx context.Context, id int64, status jobpilot.Status) (jobpilot.Status, error) {
	var before int64
	for {
		evs, err := s.Store.Events(ctx, jobpilot.EventFilter{ApplicationID: id, Kinds: []string{jobpilot.EventStatus}, BeforeID: before})
		if err != nil {
			return "", err
		}
		for _, e := range evs {
			if e.Data["to"] == string(status) {
				return jobpilot.Status(e.Data["from"]), nil
			}
		}
		if len(evs) == 0 {
			return "", nil
		}
		before = evs[len(evs)-1].ID
	}
}

// BlockCompany blocks the application's company for its profile (later
// postings from it are skipped with the reason) and dismisses the
// application when it is still open. The block stands even when the
// application has gone further (sent, say) and stays as it is.
func (s *Service) BlockCompany(ctx context.Context, id int64, why string) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return nil, err
	}
	why = strings.TrimSpace(why)
	if err := s.Store.BlockCompany(ctx, &jobpilot.BlockedCompany{ProfileID: app.ProfileID, Company: post.Company, Reason: why}); err != nil {
		return nil, err
	}
	note := "company blocked"
	if why != "" {
		note += ": " + why
	}
	out, err := s.Dismiss(ctx, id, note)
	if isConflict(err) {
		s.event(ctx, id, jobpilot.EventNote, fmt.Sprintf("%s %s; this application stays %s", post.Company, note, app.Status), nil)
		return s.Store.Application(ctx, id)
	}
	return out, err
}

// MarkApplied records that the candidate applied through the posting's link
// on the given day (zero: now). A day in the future is refused.
func (s *Service) MarkApplied(ctx context.Context, id int64, at time.Time) (*jobpilot.Application, error) {
	now := s.now()
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(24 * time.Hour)) {
		return nil, jobpilot.FieldError("date", "is in the future")
	}
	return s.Store.Transition(ctx, id, jobpilot.StatusApplied, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusReady}, Reason: "applied by the candidate through the posting's link on " + at.Format(time.DateOnly),
		SentAt: &at, StatusAt: &at, Delivery: ptr(jobpilot.DeliveryManual),
	})
}

// Retry takes a failed application up again. With documents it goes back
// to ready (the candidate approves it again, after fixing what failed);
// without, it is drafted again. The last error stays on the application
// until a draft or a send succeeds.
func (s *Service) Retry(ctx context.Context, id int64) (*jobpilot.Application, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.Status != jobpilot.StatusFailed {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d is %s: only a failed application can be retried", id, app.Status)
	}
	from := []jobpilot.Status{jobpilot.StatusFailed}
	_, err = s.Store.Documents(ctx, id)
	switch {
	case err == nil:
		return s.Store.Transition(ctx, id, jobpilot.StatusReady, jobpilot.Change{
			From: from, Reason: "retried by the candidate after: " + app.Error + "; back to review",
		})
	case jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND:
		return nil, err
	}
	return s.Store.Transition(ctx, id, jobpilot.StatusMatched, jobpilot.Change{
		From: from, Reason: "retried by the candidate after: " + app.Error + "; drafting again",
		Tasks: []jobpilot.Task{processTask(nil, app)},
	})
}

// SetStatus records the candidate's news after sending: interviewing,
// offered, rejected, withdrawn or no_reply, with the day it happened (zero:
// now) and a note. Moving past sent ends follow-ups.
func (s *Service) SetStatus(ctx context.Context, id int64, u jobpilot.StatusUpdate) (*jobpilot.Application, error) {
	if !u.Status.Manual() {
		return nil, jobpilot.FieldError("status", "must be one of interviewing, offered, rejected, withdrawn, no_reply")
	}
	u.Note = strings.TrimSpace(u.Note)
	if len(u.Note) > jobpilot.MaxNoteLen {
		return nil, jobpilot.FieldError("note", "must be at most %d characters", jobpilot.MaxNoteLen)
	}
	now := s.now()
	if u.At.IsZero() {
		u.At = now
	}
	if u.At.After(now.Add(24 * time.Hour)) {
		return nil, jobpilot.FieldError("at", "is in the future")
	}
	msg := "set by the candidate (" + u.At.Format(time.DateOnly) + ")"
	if u.Note != "" {
		msg += ": " + u.Note
	}
	return s.Store.Transition(ctx, id, u.Status, jobpilot.Change{Reason: msg, Note: &u.Note, StatusAt: &u.At})
}

// SetManualStatus is SetStatus with no note, dated now.
func (s *Service) SetManualStatus(ctx context.Context, id int64, status jobpilot.Status) (*jobpilot.Application, error) {
	return s.SetStatus(ctx, id, jobpilot.StatusUpdate{Status: status})
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
