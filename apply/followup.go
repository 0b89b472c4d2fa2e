package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// FollowUps handles applications sent more than FOLLOW_UP_DAYS days ago that
// still have no news (status sent; a manual status ends follow-ups).
//
// In direct mode each gets one polite follow-up email in the same thread
// (In-Reply-To and References name the original Message-ID). In review mode
// the candidate gets one digest email listing them as reminders, sent to
// their own address (or the outbox).
//
// Either way it happens once per application and is never repeated: the
// application moves to followed_up (a compare-and-swap from sent) before the
// email goes out. A follow-up that then fails to send is recorded as an
// event and not retried on later days — a missing reminder is better than a
// second one.
func (s *Service) FollowUps(ctx context.Context, t jobpilot.Task) error {
	days := s.FollowUpDays
	if days <= 0 {
		days = jobpilot.DefaultFollowUpDays
	}
	now := s.now()
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	profiles, err := s.Store.Profiles(ctx)
	if err != nil {
		return err
	}
	for _, p := range profiles {
		due, err := s.dueFollowUps(ctx, p.ID, cutoff)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			continue
		}
		if s.modeFor(p) == jobpilot.ApplyDirect {
			for _, app := range due {
				if err := s.followUpEmail(ctx, p, app, now); err != nil {
					return err
				}
			}
			continue
		}
		if err := s.digest(ctx, p, due, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) dueFollowUps(ctx context.Context, profileID int64, cutoff time.Time) ([]*jobpilot.Application, error) {
	var due []*jobpilot.Application
	f := jobpilot.ApplicationFilter{ProfileID: profileID, Statuses: []jobpilot.Status{jobpilot.StatusSent}}
	for a, err := range store.AllApplications(ctx, s.Store, f) {
		if err != nil {
			return nil, err
		}
		if a.SentAt != nil && a.SentAt.Before(cutoff) && a.FollowedUpAt == nil {
			due = append(due, a)
		}
	}
	return due, nil
}

// claimFollowUp moves an application to followed_up; false when another run
// (or the candidate) got there first.
func (s *Service) claimFollowUp(ctx context.Context, app *jobpilot.Application, now time.Time, why string) (bool, error) {
	_, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusFollowedUp, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusSent}, Reason: why, FollowedUpAt: &now,
	})
	if isConflict(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) followUpEmail(ctx context.Context, p *jobpilot.Profile, app *jobpilot.Application, now time.Time) error {
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return err
	}
	if post.ContactEmail == "" {
		return nil
	}
	claimed, err := s.claimFollowUp(ctx, app, now, "follow-up email")
	if err != nil || !claimed {
		return err
	}
	from := s.sender(p)
	original := app.MessageID
	if original == "" {
		original = jobpilot.MessageID(app.ID, domainOf(from))
	}
	name := p.Name()
	body := fmt.Sprintf("Dear %s hiring team,\n\n"+
		"I applied for the %s position on %s and wanted to follow up politely. "+
		"I remain very interested in the role and would be glad to answer any questions or share more about my experience.\n\n"+
		"Thank you for your time.\n\nKind regards,\n%s\n",
		post.Company, post.Title, app.SentAt.Format("2 January 2006"), name)
	msg := &jobpilot.Message{
		MessageID:  jobpilot.FollowUpMessageID(app.ID, domainOf(from)),
		From:       from,
		FromName:   name,
		To:         post.ContactEmail,
		ReplyTo:    p.Resume.Basics.Email,
		Subject:    fmt.Sprintf("Re: Application for %s – %s", post.Title, name),
		Body:       body,
		InReplyTo:  original,
		References: []string{original},
		Date:       now,
	}
	if err := s.Email.Do(ctx, func(ctx context.Context) error { return s.Mailer.Send(ctx, msg) }); err != nil {
		s.log().Error("follow-up not sent", "application", app.ID, "err", err)
		s.event(ctx, app.ID, jobpilot.EventError, "follow-up could not be sent and will not be repeated: "+reason(err), nil)
		return nil
	}
	s.event(ctx, app.ID, jobpilot.EventNote, "follow-up sent to "+post.ContactEmail, map[string]string{"message_id": msg.MessageID})
	return nil
}

func (s *Service) digest(ctx context.Context, p *jobpilot.Profile, due []*jobpilot.Application, now time.Time) error {
	to := p.Resume.Basics.Email
	if to == "" {
		return nil // nowhere to remind; the dashboard still lists them
	}
	var lines []string
	for _, app := range due {
		post, err := s.Store.Posting(ctx, app.PostingID)
		if err != nil {
			return err
		}
		claimed, err := s.claimFollowUp(ctx, app, now, "reminder in the daily digest")
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		lines = append(lines, fmt.Sprintf("- %s at %s, sent %s to %s (application %d)",
			post.Title, post.Company, app.SentAt.Format("2 Jan"), post.ContactEmail, app.ID))
	}
	if len(lines) == 0 {
		return nil
	}
	from := s.sender(p)
	body := "Hello " + p.Name() + ",\n\n" +
		"these applications were sent a few days ago and have no answer yet. A short, friendly follow-up often helps:\n\n" +
		strings.Join(lines, "\n") + "\n\n" +
		"Record any news (interviewing, rejected, offered) in jobpilot so it stops reminding you.\n"
	msg := &jobpilot.Message{
		MessageID: fmt.Sprintf("<digest-%d-%s@%s>", p.ID, now.Format("20060102"), firstNonEmpty(domainOf(from), "jobpilot.local")),
		From:      from,
		FromName:  "jobpilot",
		To:        to,
		Subject:   fmt.Sprintf("jobpilot: %d application(s) to follow up", len(lines)),
		Body:      body,
		Date:      now,
	}
	if err := s.Email.Do(ctx, func(ctx context.Context) error { return s.Mailer.Send(ctx, msg) }); err != nil {
		s.log().Error("follow-up digest not sent", "profile", p.ID, "err", err)
		s.event(ctx, 0, jobpilot.EventError, "follow-up digest could not be sent: "+reason(err), map[string]string{"profile": fmt.Sprint(p.ID)})
	}
	return nil
}

// Cleanup is the daily housekeeping job: it queues again the work of
// applications stuck for longer than StaleAfter in matched or drafting
// (processing) or approved (sending) because their job was discarded after
// its last attempt, so nothing waits forever. The jobs are unique per
// application, so a job still alive is not doubled. River prunes its own
// finished jobs.
func (s *Service) Cleanup(ctx context.Context, t jobpilot.Task) error {
	if s.StaleAfter <= 0 {
		return nil
	}
	cutoff := s.now().Add(-s.StaleAfter)
	f := jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusMatched, jobpilot.StatusDrafting, jobpilot.StatusApproved}}
	requeued := 0
	for app, err := range store.AllApplications(ctx, s.Store, f) {
		if err != nil {
			return err
		}
		if !app.UpdatedAt.Before(cutoff) {
			continue
		}
		task := processTask(nil, app)
		if app.Status == jobpilot.StatusApproved {
			task = jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}
		}
		if _, err := s.Store.Update(ctx, app.ID, jobpilot.Change{Tasks: []jobpilot.Task{task}}); err != nil {
			return err
		}
		requeued++
	}
	if requeued > 0 {
		s.log().Warn("cleanup requeued stuck applications", "count", requeued)
	}
	return nil
}
