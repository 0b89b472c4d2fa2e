package apply

import "github.com/jobpilot/jobpilot"

// Job arguments of the kinds this package handles, one type per
// jobpilot.TaskKind, in River's manner (engine.Args): Kind names the kind,
// Task is what the handler receives and FromTask builds the arguments from a
// task enqueued through the store. They are stored as JSON in River's job
// table: field names are an on-disk format, rename with care. Fields tagged
// `river:"unique"` make two jobs of a unique kind the same job. The kinds'
// options (attempts, priority, timeouts, schedule) are given where they are
// registered, in internal/system.

// ProcessPostingArgs processes one posting for one profile. Unique by
// (profile_id, posting_id): inserting it twice while the first is not
// finalized runs it once.
type ProcessPostingArgs struct {
	ProfileID     int64 `json:"profile_id" river:"unique"`
	PostingID     int64 `json:"posting_id" river:"unique"`
	ApplicationID int64 `json:"application_id"`
	RunID         int64 `json:"run_id,omitempty"`
}

func (ProcessPostingArgs) Kind() string { return string(jobpilot.TaskProcessPosting) }

func (a ProcessPostingArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: a.ProfileID, PostingID: a.PostingID, ApplicationID: a.ApplicationID, RunID: a.RunID}
}

// FromTask needs a profile and a posting (EINVALID otherwise).
func (a *ProcessPostingArgs) FromTask(t jobpilot.Task) error {
	if t.ProfileID == 0 || t.PostingID == 0 {
		return jobpilot.FieldError("profile_id", "process_posting needs a profile and a posting")
	}
	*a = ProcessPostingArgs{ProfileID: t.ProfileID, PostingID: t.PostingID, ApplicationID: t.ApplicationID, RunID: t.RunID}
	return nil
}

// SendApplicationArgs sends one application. Unique by application_id, so
// a double approval never queues two sends.
type SendApplicationArgs struct {
	ApplicationID int64 `json:"application_id" river:"unique"`
}

func (SendApplicationArgs) Kind() string { return string(jobpilot.TaskSendApplication) }

func (a SendApplicationArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ApplicationID}
}

// FromTask needs an application (EINVALID otherwise).
func (a *SendApplicationArgs) FromTask(t jobpilot.Task) error {
	if t.ApplicationID == 0 {
		return jobpilot.FieldError("application_id", "send_application needs an application")
	}
	*a = SendApplicationArgs{ApplicationID: t.ApplicationID}
	return nil
}

// AutomationRunArgs is one automation pass; RunID is set when a run record
// was created before enqueueing (a manual run), zero for periodic runs.
type AutomationRunArgs struct {
	RunID int64 `json:"run_id,omitempty"`
}

func (AutomationRunArgs) Kind() string { return string(jobpilot.TaskAutomationRun) }

func (a AutomationRunArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskAutomationRun, RunID: a.RunID}
}

func (a *AutomationRunArgs) FromTask(t jobpilot.Task) error {
	*a = AutomationRunArgs{RunID: t.RunID}
	return nil
}

// FetchPostingsArgs fetches one source, or all when Source is empty.
type FetchPostingsArgs struct {
	Source string `json:"source,omitempty"`
}

func (FetchPostingsArgs) Kind() string { return string(jobpilot.TaskFetchPostings) }

func (a FetchPostingsArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskFetchPostings, Source: a.Source}
}

func (a *FetchPostingsArgs) FromTask(t jobpilot.Task) error {
	*a = FetchPostingsArgs{Source: t.Source}
	return nil
}

// FollowUpsArgs sends the due follow-ups.
type FollowUpsArgs struct{}

func (FollowUpsArgs) Kind() string                  { return string(jobpilot.TaskFollowUps) }
func (FollowUpsArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskFollowUps} }
func (*FollowUpsArgs) FromTask(jobpilot.Task) error { return nil }

// CleanupArgs prunes old data.
type CleanupArgs struct{}

func (CleanupArgs) Kind() string                  { return string(jobpilot.TaskCleanup) }
func (CleanupArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskCleanup} }
func (*CleanupArgs) FromTask(jobpilot.Task) error { return nil }
