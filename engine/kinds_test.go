package engine

import "github.com/jobpilot/jobpilot"

// The test kinds: the shapes of apply's (same kind names, JSON fields and
// unique fields), defined here so the engine is tested on its own.

type processArgs struct {
	ProfileID     int64 `json:"profile_id" river:"unique"`
	PostingID     int64 `json:"posting_id" river:"unique"`
	ApplicationID int64 `json:"application_id"`
	RunID         int64 `json:"run_id,omitempty"`
}

func (processArgs) Kind() string { return string(jobpilot.TaskProcessPosting) }
func (a processArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: a.ProfileID, PostingID: a.PostingID, ApplicationID: a.ApplicationID, RunID: a.RunID}
}
func (a *processArgs) FromTask(t jobpilot.Task) error {
	if t.ProfileID == 0 || t.PostingID == 0 {
		return jobpilot.FieldError("profile_id", "process_posting needs a profile and a posting")
	}
	*a = processArgs{ProfileID: t.ProfileID, PostingID: t.PostingID, ApplicationID: t.ApplicationID, RunID: t.RunID}
	return nil
}

type sendArgs struct {
	ApplicationID int64 `json:"application_id" river:"unique"`
}

func (sendArgs) Kind() string { return string(jobpilot.TaskSendApplication) }
func (a sendArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ApplicationID}
}
func (a *sendArgs) FromTask(t jobpilot.Task) error {
	if t.ApplicationID == 0 {
		return jobpilot.FieldError("application_id", "send_application needs an application")
	}
	*a = sendArgs{ApplicationID: t.ApplicationID}
	return nil
}

type fetchArgs struct {
	Source string `json:"source,omitempty"`
}

func (fetchArgs) Kind() string { return string(jobpilot.TaskFetchPostings) }
func (a fetchArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskFetchPostings, Source: a.Source}
}
func (a *fetchArgs) FromTask(t jobpilot.Task) error { *a = fetchArgs{Source: t.Source}; return nil }

type automationArgs struct {
	RunID int64 `json:"run_id,omitempty"`
}

func (automationArgs) Kind() string { return string(jobpilot.TaskAutomationRun) }
func (a automationArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskAutomationRun, RunID: a.RunID}
}
func (a *automationArgs) FromTask(t jobpilot.Task) error {
	*a = automationArgs{RunID: t.RunID}
	return nil
}

type followUpsArgs struct{}

func (followUpsArgs) Kind() string                  { return string(jobpilot.TaskFollowUps) }
func (followUpsArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskFollowUps} }
func (*followUpsArgs) FromTask(jobpilot.Task) error { return nil }

type cleanupArgs struct{}

func (cleanupArgs) Kind() string                  { return string(jobpilot.TaskCleanup) }
func (cleanupArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskCleanup} }
func (*cleanupArgs) FromTask(jobpilot.Task) error { return nil }
