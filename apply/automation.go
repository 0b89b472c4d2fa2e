package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/match"
	"github.com/jobpilot/jobpilot/store"
)

// FetchPostings imports postings from every source, or from t.Source only,
// and records a fetch run with the counts. A failing source is reported in
// the run and the logs; the others still import. When new or changed postings
// arrived, an automation run is requested so they are scored without waiting
// for the next hourly tick.
func (s *Service) FetchPostings(ctx context.Context, t jobpilot.Task) error {
	if s.Fetch == nil {
		return nil
	}
	sources := s.Sources
	if t.Source != "" {
		sources = nil
		for _, src := range s.Sources {
			if src.Name() == t.Source {
				sources = append(sources, src)
			}
		}
		if len(sources) == 0 {
			return jobpilot.Permanent(jobpilot.Errorf(jobpilot.ENOTFOUND, "source %q is not configured", t.Source))
		}
	}
	if len(sources) == 0 {
		return nil
	}
	run, err := s.Store.StartRun(ctx, jobpilot.RunFetch)
	if err != nil {
		return err
	}
	run.Counts = map[string]int{}
	var failed []string
	for _, r := range s.Fetch(ctx, sources) {
		run.Counts["fetched"] += r.Fetched
		run.Counts["new"] += r.Result.New
		run.Counts["updated"] += r.Result.Updated
		run.Counts["closed"] += r.Result.Closed
		if r.Err != nil {
			run.Counts["failed_sources"]++
			failed = append(failed, fmt.Sprintf("%s: %v", r.Source, r.Err))
		}
	}
	run.Status = jobpilot.RunSucceeded
	if len(failed) > 0 {
		run.Error = fmt.Sprint(failed)
		if len(failed) == len(sources) {
			run.Status = jobpilot.RunFailed
		}
	}
	if err := s.finishRun(ctx, run); err != nil {
		return err
	}
	if run.Counts["new"]+run.Counts["updated"] > 0 && s.Enqueue != nil {
		if err := s.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
			s.log().Warn("automation run not requested after fetch", "err", err)
		}
	}
	return nil
}

// AutomationRun scores every open posting against every profile. A posting a
// profile has no application for (by fingerprint) gets one, matched or
// skipped with the score's explanation; a matched one is queued for
// processing in the same transaction. A skipped application is re-scored only
// when its posting or its profile changed since. Applications stuck in
// matched or drafting (their job was lost or gave up) are queued again.
//
// The run is recorded with its counts. If AUTOMATION_TIMEOUT cuts it short,
// it ends as timed_out with the counts reached so far; what it created is
// durable and the next run continues.
func (s *Service) AutomationRun(ctx context.Context, t jobpilot.Task) error {
	_, err := s.Automate(ctx)
	return err
}

// Automate is AutomationRun for callers that want the run it recorded (the
// run command reports its own run, not whichever started last). The run is
// nil only when it could not be recorded at all.
func (s *Service) Automate(ctx context.Context) (*jobpilot.Run, error) {
	run, err := s.Store.StartRun(ctx, jobpilot.RunAutomation)
	if err != nil {
		return nil, err
	}
	run.Counts = map[string]int{}
	err = s.automate(ctx, run)
	switch {
	case err == nil:
		run.Status = jobpilot.RunSucceeded
	case errors.Is(err, context.DeadlineExceeded):
		run.Status = jobpilot.RunTimedOut
		run.Error = "automation run exceeded its timeout"
		s.log().Error("automation run timed out", "run", run.ID, "counts", run.Counts)
	default:
		run.Status = jobpilot.RunFailed
		run.Error = reason(err)
	}
	if ferr := s.finishRun(ctx, run); ferr != nil {
		return run, errors.Join(err, ferr)
	}
	if run.Status == jobpilot.RunTimedOut {
		return run, nil // recorded; retrying a run that ran out of time would only time out again
	}
	return run, err
}

func (s *Service) finishRun(ctx context.Context, run *jobpilot.Run) error {
	return s.Store.FinishRun(context.WithoutCancel(ctx), run)
}

func (s *Service) automate(ctx context.Context, run *jobpilot.Run) error {
	profiles, err := s.Store.Profiles(ctx)
	if err != nil {
		return err
	}
	postings, err := s.allOpenPostings(ctx)
	if err != nil {
		return err
	}
	run.Counts["postings"] = len(postings)
	for _, p := range profiles {
		if err := s.automateProfile(ctx, run, p, postings); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) allOpenPostings(ctx context.Context) ([]*jobpilot.Posting, error) {
	return store.Collect(store.AllPostings(ctx, s.Store, jobpilot.PostingFilter{OpenOnly: true}))
}

// profileApplications indexes a profile's applications by fingerprint and by
// posting. Both are needed: a posting whose description changed has a new
// fingerprint while its application keeps the one it was created with, and
// it must still find that application (to re-score it, or to leave a ready
// one alone) instead of getting a second one.
func (s *Service) profileApplications(ctx context.Context, profileID int64) (byFingerprint map[string]*jobpilot.Application, byPosting map[int64]*jobpilot.Application, err error) {
	byFingerprint = map[string]*jobpilot.Application{}
	byPosting = map[int64]*jobpilot.Application{}
	for a, err := range store.AllApplications(ctx, s.Store, jobpilot.ApplicationFilter{ProfileID: profileID}) {
		if err != nil {
			return nil, nil, err
		}
		byFingerprint[a.Fingerprint] = a
		if byPosting[a.PostingID] == nil {
			byPosting[a.PostingID] = a // the oldest, should there be several
		}
	}
	return byFingerprint, byPosting, nil
}

func (s *Service) automateProfile(ctx context.Context, run *jobpilot.Run, p *jobpilot.Profile, postings []*jobpilot.Posting) error {
	existing, byPosting, err := s.profileApplications(ctx, p.ID)
	if err != nil {
		return err
	}
	// A posting's current fingerprint leads to its application even when the
	// description changed since the application was created (with the old
	// one): indexed before the loop, so another listing of the same job that
	// comes first in the run finds it too, and no second application is made.
	for _, post := range postings {
		if app, own := byPosting[post.ID]; own {
			existing[post.Fingerprint] = app
		}
	}
	blocked, err := s.blockedCompanies(ctx, p.ID)
	if err != nil {
		return err
	}
	scorer := match.NewScorer(p, match.At(s.now()))
	sims := s.similarities(ctx, p, postings)
	score := func(post *jobpilot.Posting) jobpilot.Match {
		if b, ok := blocked[jobpilot.CompanyKey(post.Company)]; ok {
			return blockedMatch(b)
		}
		m := scorer.Score(post)
		if sim, ok := sims[post.ID]; ok {
			m = match.Blend(m, sim)
		}
		return m
	}
	now := s.now()
	for _, post := range postings {
		if err := ctx.Err(); err != nil {
			return err
		}
		app, own := byPosting[post.ID]
		if !own {
			app = existing[post.Fingerprint]
		}
		if app == nil {
			if err := s.createApplication(ctx, run, p, post, score(post)); err != nil {
				return err
			}
			continue
		}
		switch app.Status {
		case jobpilot.StatusSkipped:
			if app.ProfileVersion == p.Version && app.PostingHash == post.ContentHash {
				continue // nothing changed since it was scored
			}
			m := score(post)
			if !own && !passes(p, m) {
				// Another listing of the same job (another city) that does
				// not pass either: the application stays as its own posting
				// scored it. Re-scoring it with each listing in turn would
				// rewrite it on every run.
				continue
			}
			if err := s.rescore(ctx, run, p, post, app, m); err != nil {
				return err
			}
		case jobpilot.StatusMatched, jobpilot.StatusDrafting:
			// A safety net, not the normal path: the job that was queued with
			// the application is unique per (profile, posting), so queueing it
			// again is a no-op while it is alive and revives it when it was
			// discarded after its last attempt.
			if s.StaleAfter > 0 && now.Sub(app.UpdatedAt) > s.StaleAfter {
				if _, err := s.Store.Update(ctx, app.ID, jobpilot.Change{Tasks: []jobpilot.Task{processTask(run, app)}}); err != nil {
					return err
				}
				run.Counts["requeued"]++
			}
		}
	}
	return nil
}

// blockedCompanies indexes a profile's blocked companies by CompanyKey.
func (s *Service) blockedCompanies(ctx context.Context, profileID int64) (map[string]jobpilot.BlockedCompany, error) {
	list, err := s.Store.BlockedCompanies(ctx, profileID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]jobpilot.BlockedCompany, len(list))
	for _, b := range list {
		out[jobpilot.CompanyKey(b.Company)] = b
	}
	return out, nil
}

// blockedMatch is the score of a posting from a blocked company: excluded,
// with the candidate's reason.
func blockedMatch(b jobpilot.BlockedCompany) jobpilot.Match {
	why := "[blocked] you blocked " + b.Company
	if b.Reason != "" {
		why += ": " + b.Reason
	}
	return jobpilot.Match{Excluded: true, Against: []string{why}}
}

func processTask(run *jobpilot.Run, app *jobpilot.Application) jobpilot.Task {
	t := jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ApplicationID: app.ID, ProfileID: app.ProfileID, PostingID: app.PostingID}
	if run != nil {
		t.RunID = run.ID
	}
	return t
}

// passes reports whether a score clears the profile's threshold.
func passes(p *jobpilot.Profile, m jobpilot.Match) bool {
	return !m.Excluded && m.Score >= p.Preferences.EffectiveMinScore()
}

func (s *Service) createApplication(ctx context.Context, run *jobpilot.Run, p *jobpilot.Profile, post *jobpilot.Posting, m jobpilot.Match) error {
	app := &jobpilot.Application{
		ProfileID:      p.ID,
		PostingID:      post.ID,
		Fingerprint:    post.Fingerprint,
		Score:          m.Score,
		Explanation:    m,
		ApplyVia:       jobpilot.ApplyViaURL,
		ProfileVersion: p.Version,
		PostingHash:    post.ContentHash,
		Example:        post.Example || p.Example,
		Status:         jobpilot.StatusSkipped,
		Recipient:      CheckRecipient(post),
	}
	if post.ContactEmail != "" {
		app.ApplyVia = jobpilot.ApplyViaEmail
		// An address that bounced hard is not written to again.
		if err := s.checkRecipient(ctx, post.ContactEmail); err != nil {
			if !errors.Is(err, jobpilot.ErrPermanent) {
				return err
			}
			app.ApplyVia = jobpilot.ApplyViaURL
		}
	}
	if passes(p, m) {
		app.Status = jobpilot.StatusMatched
	}
	// The process task needs the application's id, which exists only after
	// the insert; the store fills it in before it enqueues (ApplicationID 0
	// means "the application being created").
	var tasks []jobpilot.Task
	if app.Status == jobpilot.StatusMatched {
		tasks = append(tasks, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: p.ID, PostingID: post.ID, RunID: run.ID})
	}
	created, err := s.Store.CreateApplication(ctx, app, tasks...)
	if err != nil {
		return err
	}
	if !created {
		return nil // another run got there first
	}
	run.Counts[string(app.Status)]++
	s.log().Info("posting scored", "application", app.ID, "profile", p.ID, "posting", post.ID,
		"company", post.Company, "title", post.Title, "score", m.Score, "status", app.Status, "example", app.Example)
	return nil
}

func (s *Service) rescore(ctx context.Context, run *jobpilot.Run, p *jobpilot.Profile, post *jobpilot.Posting, app *jobpilot.Application, m jobpilot.Match) error {
	change := jobpilot.Change{
		From:           []jobpilot.Status{jobpilot.StatusSkipped},
		Score:          ptr(m.Score),
		Explanation:    &m,
		ProfileVersion: ptr(p.Version),
		PostingHash:    ptr(post.ContentHash),
		Recipient:      CheckRecipient(post),
	}
	if !passes(p, m) {
		// Still below the threshold: remember what it was scored on so it is
		// not scored again until something changes.
		_, err := s.Store.Update(ctx, app.ID, change)
		return err
	}
	change.Reason = fmt.Sprintf("re-scored %d after the posting or the profile changed", m.Score)
	change.Tasks = []jobpilot.Task{processTask(run, app)}
	if _, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusMatched, change); err != nil {
		if isConflict(err) {
			return nil
		}
		return err
	}
	// Another listing of the same job later in this run finds the
	// application as it now is, not as the run read it.
	app.Status = jobpilot.StatusMatched
	run.Counts["matched"]++
	return nil
}
