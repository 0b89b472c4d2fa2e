package engine

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/jobpilot/jobpilot"
)

// Job arguments, one type per jobpilot.TaskKind. They are stored as JSON in
// river_job.args; field names are part of the on-disk format, so rename with care.

// ProcessPostingArgs processes one posting for one profile.
// Unique by (profile_id, posting_id) while the job is not finalized: inserting
// it twice runs it once.
type ProcessPostingArgs struct {
	ProfileID     int64 `json:"profile_id" river:"unique"`
	PostingID     int64 `json:"posting_id" river:"unique"`
	ApplicationID int64 `json:"application_id"`
	RunID         int64 `json:"run_id,omitempty"`
}

// SendApplicationArgs sends one application. Unique by application_id while
// not finalized, so a double approval never queues two sends.
type SendApplicationArgs struct {
	ApplicationID int64 `json:"application_id" river:"unique"`
}

// AutomationRunArgs is one automation pass; RunID is set when a run record
// was created before enqueueing (a manual run), zero for periodic runs.
type AutomationRunArgs struct {
	RunID int64 `json:"run_id,omitempty"`
}

// FetchPostingsArgs fetches one source, or all when Source is empty.
type FetchPostingsArgs struct {
	Source string `json:"source,omitempty"`
}

// FollowUpsArgs sends the due follow-ups.
type FollowUpsArgs struct{}

// CleanupArgs prunes old data.
type CleanupArgs struct{}

func (ProcessPostingArgs) Kind() string  { return string(jobpilot.TaskProcessPosting) }
func (SendApplicationArgs) Kind() string { return string(jobpilot.TaskSendApplication) }
func (AutomationRunArgs) Kind() string   { return string(jobpilot.TaskAutomationRun) }
func (FetchPostingsArgs) Kind() string   { return string(jobpilot.TaskFetchPostings) }
func (FollowUpsArgs) Kind() string       { return string(jobpilot.TaskFollowUps) }
func (CleanupArgs) Kind() string         { return string(jobpilot.TaskCleanup) }

// unfinalized are the states in which a unique job blocks a duplicate: once
// a job completed (or was cancelled/discarded) the same work may be queued again.
var unfinalized = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

func uniqueOpts(maxAttempts, priority int) river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: maxAttempts,
		Priority:    priority,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: unfinalized},
	}
}

// Priorities (1 is River's highest and default). A ready application's send
// goes before the drafting of others: otherwise, with many postings queued,
// finished applications wait for every older draft to be picked up first.
const (
	prioritySend    = 1
	priorityProcess = 2
)

// Max attempts per kind. A send gets more: its failures are mostly a mail
// server being away for a while, and a repeated attempt is safe (see the
// package doc on "sending"). Periodic kinds run again on the next tick anyway.
const (
	maxAttemptsProcess  = 5
	maxAttemptsSend     = 10
	maxAttemptsPeriodic = 3
)

func (ProcessPostingArgs) InsertOpts() river.InsertOpts {
	return uniqueOpts(maxAttemptsProcess, priorityProcess)
}
func (SendApplicationArgs) InsertOpts() river.InsertOpts {
	return uniqueOpts(maxAttemptsSend, prioritySend)
}

// Periodic kinds are deliberately not unique: a run stuck in "running" after
// a crash (until it is rescued) must not block the schedule's next ticks.
// Overlapping runs are the handlers' concern (they work from database state).
func (AutomationRunArgs) InsertOpts() river.InsertOpts { return periodicOpts }
func (FetchPostingsArgs) InsertOpts() river.InsertOpts { return periodicOpts }
func (FollowUpsArgs) InsertOpts() river.InsertOpts     { return periodicOpts }
func (CleanupArgs) InsertOpts() river.InsertOpts       { return periodicOpts }

var periodicOpts = river.InsertOpts{MaxAttempts: maxAttemptsPeriodic}

func (a ProcessPostingArgs) task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: a.ProfileID, PostingID: a.PostingID, ApplicationID: a.ApplicationID, RunID: a.RunID}
}
func (a SendApplicationArgs) task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ApplicationID}
}
func (a AutomationRunArgs) task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskAutomationRun, RunID: a.RunID}
}
func (a FetchPostingsArgs) task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskFetchPostings, Source: a.Source}
}
func (FollowUpsArgs) task() jobpilot.Task { return jobpilot.Task{Kind: jobpilot.TaskFollowUps} }
func (CleanupArgs) task() jobpilot.Task   { return jobpilot.Task{Kind: jobpilot.TaskCleanup} }

// argsFor turns a task into its job arguments; an unknown kind is EINVALID.
func argsFor(t jobpilot.Task) (river.JobArgs, error) {
	switch t.Kind {
	case jobpilot.TaskProcessPosting:
		if t.ProfileID == 0 || t.PostingID == 0 {
			return nil, jobpilot.FieldError("profile_id", "process_posting needs a profile and a posting")
		}
		return ProcessPostingArgs{ProfileID: t.ProfileID, PostingID: t.PostingID, ApplicationID: t.ApplicationID, RunID: t.RunID}, nil
	case jobpilot.TaskSendApplication:
		if t.ApplicationID == 0 {
			return nil, jobpilot.FieldError("application_id", "send_application needs an application")
		}
		return SendApplicationArgs{ApplicationID: t.ApplicationID}, nil
	case jobpilot.TaskAutomationRun:
		return AutomationRunArgs{RunID: t.RunID}, nil
	case jobpilot.TaskFetchPostings:
		return FetchPostingsArgs{Source: t.Source}, nil
	case jobpilot.TaskFollowUps:
		return FollowUpsArgs{}, nil
	case jobpilot.TaskCleanup:
		return CleanupArgs{}, nil
	}
	return nil, jobpilot.FieldError("kind", "unknown task kind %q", t.Kind)
}

// insertParams converts tasks to River insert parameters, validating all of
// them before anything is inserted.
func insertParams(tasks []jobpilot.Task) ([]river.InsertManyParams, error) {
	params := make([]river.InsertManyParams, 0, len(tasks))
	for _, t := range tasks {
		args, err := argsFor(t)
		if err != nil {
			return nil, err
		}
		p := river.InsertManyParams{Args: args}
		if !t.ScheduledAt.IsZero() {
			p.InsertOpts = &river.InsertOpts{ScheduledAt: t.ScheduledAt}
		}
		params = append(params, p)
	}
	return params, nil
}
