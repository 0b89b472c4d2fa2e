package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// NotifyDigestArgs sends the digest (periodic, NOTIFY_CRON).
type NotifyDigestArgs struct{}

func (NotifyDigestArgs) Kind() string                  { return string(jobpilot.TaskNotifyDigest) }
func (NotifyDigestArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskNotifyDigest} }
func (*NotifyDigestArgs) FromTask(jobpilot.Task) error { return nil }

// NotifyInterviewArgs tells the candidate of one interview invitation at
// once. Unique by application.
type NotifyInterviewArgs struct {
	ApplicationID int64 `json:"application_id" river:"unique"`
}

func (NotifyInterviewArgs) Kind() string { return string(jobpilot.TaskNotifyInterview) }

func (a NotifyInterviewArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskNotifyInterview, ApplicationID: a.ApplicationID}
}

// FromTask needs an application (EINVALID otherwise).
func (a *NotifyInterviewArgs) FromTask(t jobpilot.Task) error {
	if t.ApplicationID == 0 {
		return jobpilot.FieldError("application_id", "notify_interview needs an application")
	}
	*a = NotifyInterviewArgs{ApplicationID: t.ApplicationID}
	return nil
}

// BreakerOpenLong is how long a circuit breaker must have been open to be
// named in the digest: a short outage heals by itself.
const BreakerOpenLong = 30 * time.Minute

// digestRun is the run kind that remembers when the last digest went out.
const digestRun = "notify_digest"

// NotifyDigest sends each profile a digest of what needs the candidate:
// applications ready for review, replies and bounces since the last
// digest, and circuit breakers open for longer than BreakerOpenLong. An
// empty digest is not sent. A channel that fails is logged and recorded,
// never retried by the job and never an error of the job: a notice must
// not hold anything else up.
func (s *Service) NotifyDigest(ctx context.Context, t jobpilot.Task) error {
	if len(s.Notifiers) == 0 {
		return nil
	}
	since := s.lastDigest(ctx)
	run, err := s.Store.StartRun(ctx, digestRun)
	if err != nil {
		return err
	}
	now := s.now()
	profiles, err := s.Store.Profiles(ctx)
	if err != nil {
		return err
	}
	news, err := s.mailNews(ctx, since)
	if err != nil {
		return err
	}
	breakers, err := s.longOpenBreakers(ctx, now)
	if err != nil {
		return err
	}
	sent := 0
	for _, p := range profiles {
		var items []jobpilot.NoticeItem
		f := jobpilot.ApplicationFilter{ProfileID: p.ID, Statuses: []jobpilot.Status{jobpilot.StatusReady}}
		for app, err := range store.AllApplications(ctx, s.Store, f) {
			if err != nil {
				return err
			}
			text := s.describe(ctx, app) + " is ready for review"
			if app.Guard.Hold != "" {
				text += " (held: " + app.Guard.Hold + ")"
			}
			items = append(items, jobpilot.NoticeItem{Kind: "ready", ApplicationID: app.ID, Text: text})
		}
		for _, it := range news {
			if it.profile == p.ID {
				items = append(items, it.NoticeItem)
			}
		}
		items = append(items, breakers...)
		if len(items) == 0 {
			continue
		}
		n := &jobpilot.Notice{Kind: jobpilot.NoticeDigest, ProfileID: p.ID, To: p.Resume.Basics.Email,
			Title: fmt.Sprintf("%d thing(s) need you", len(items)), Items: items, CreatedAt: now}
		sent += s.notify(ctx, n)
	}
	run.Status = jobpilot.RunSucceeded
	run.Counts = map[string]int{"delivered": sent}
	return s.Store.FinishRun(context.WithoutCancel(ctx), run)
}

// NotifyInterview tells the candidate of an interview invitation at once.
func (s *Service) NotifyInterview(ctx context.Context, t jobpilot.Task) error {
	if len(s.Notifiers) == 0 {
		return nil
	}
	app, err := s.Store.Application(ctx, t.ApplicationID)
	if err != nil {
		return err
	}
	p, err := s.Store.Profile(ctx, app.ProfileID)
	if err != nil {
		return err
	}
	text := s.describe(ctx, app) + ": an interview or next step"
	if ev := s.lastReply(ctx, app.ID); ev != nil {
		text += fmt.Sprintf(" — %s wrote %q", ev.Data["from"], ev.Data["subject"])
	}
	n := &jobpilot.Notice{Kind: jobpilot.NoticeInterview, ProfileID: p.ID, To: p.Resume.Basics.Email,
		Title: "Interview invitation", Items: []jobpilot.NoticeItem{{Kind: "interview", ApplicationID: app.ID, Text: text}}, CreatedAt: s.now()}
	s.notify(ctx, n)
	return nil
}

// notify delivers n on every channel under the notify policy and returns
// how many took it.
func (s *Service) notify(ctx context.Context, n *jobpilot.Notice) int {
	ok := 0
	for _, ch := range s.Notifiers {
		err := s.NotifyPolicy(ch.Name()).Do(ctx, func(ctx context.Context) error { return ch.Notify(ctx, n) })
		if err != nil {
			s.log().Warn("notification not delivered", "channel", ch.Name(), "kind", n.Kind, "err", err)
			s.event(ctx, 0, jobpilot.EventError, fmt.Sprintf("%s notification via %s not delivered: %s", n.Kind, ch.Name(), reason(err)),
				map[string]string{"channel": ch.Name(), "kind": n.Kind})
			continue
		}
		ok++
	}
	return ok
}

// lastDigest is when the last digest run started, or a day ago.
func (s *Service) lastDigest(ctx context.Context) time.Time {
	runs, err := s.Store.Runs(ctx, 200)
	if err == nil {
		for _, r := range runs {
			if r.Kind == digestRun && r.Status == jobpilot.RunSucceeded {
				return r.StartedAt
			}
		}
	}
	return s.now().Add(-24 * time.Hour)
}

type profileItem struct {
	jobpilot.NoticeItem
	profile int64
}

// mailNews are the replies and bounces recorded since t, newest first.
func (s *Service) mailNews(ctx context.Context, t time.Time) ([]profileItem, error) {
	var out []profileItem
	f := jobpilot.EventFilter{Kinds: []string{jobpilot.EventReply, jobpilot.EventBounce}, Limit: 200}
	for {
		evs, err := s.Store.Events(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if !e.CreatedAt.After(t) {
				return out, nil
			}
			app, err := s.Store.Application(ctx, e.ApplicationID)
			if err != nil {
				continue // an event of a deleted application
			}
			kind := "reply"
			if e.Kind == jobpilot.EventBounce {
				kind = "bounce"
			}
			out = append(out, profileItem{profile: app.ProfileID,
				NoticeItem: jobpilot.NoticeItem{Kind: kind, ApplicationID: app.ID, Text: s.describe(ctx, app) + ": " + e.Message}})
		}
		if len(evs) < f.Limit {
			return out, nil
		}
		f.BeforeID = evs[len(evs)-1].ID
	}
}

// longOpenBreakers are the breakers open now whose last opening was
// recorded more than BreakerOpenLong ago.
func (s *Service) longOpenBreakers(ctx context.Context, now time.Time) ([]jobpilot.NoticeItem, error) {
	if s.Breakers == nil {
		return nil, nil
	}
	open := map[string]bool{}
	for _, b := range s.Breakers() {
		if b.State == jobpilot.BreakerOpen {
			open[b.Name] = true
		}
	}
	if len(open) == 0 {
		return nil, nil
	}
	evs, err := s.Store.Events(ctx, jobpilot.EventFilter{Kinds: []string{jobpilot.EventBreaker}, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []jobpilot.NoticeItem
	for _, e := range evs { // newest first: the last opening of each
		name := e.Data["breaker"]
		if !open[name] || e.Data["to"] != jobpilot.BreakerOpen {
			continue
		}
		delete(open, name)
		if since := now.Sub(e.CreatedAt); since >= BreakerOpenLong {
			out = append(out, jobpilot.NoticeItem{Kind: "breaker",
				Text: fmt.Sprintf("the %s circuit breaker has been open for %s: its work waits", name, since.Round(time.Minute))})
		}
	}
	return out, nil
}

func (s *Service) lastReply(ctx context.Context, appID int64) *jobpilot.Event {
	evs, err := s.Store.Events(ctx, jobpilot.EventFilter{ApplicationID: appID, Kinds: []string{jobpilot.EventReply}, Limit: 1})
	if err != nil || len(evs) == 0 {
		return nil
	}
	return evs[0]
}

// describe names an application for a notice: "Backend Engineer at Acme
// (application 7)".
func (s *Service) describe(ctx context.Context, app *jobpilot.Application) string {
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return fmt.Sprintf("application %d", app.ID)
	}
	return fmt.Sprintf("%s at %s (application %d)", post.Title, post.Company, app.ID)
}
