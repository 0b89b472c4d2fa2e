package jobpilot

import "time"

// TaskKind names a durable job kind. The engine maps each to a River worker.
type TaskKind string

const (
	TaskFetchPostings   TaskKind = "fetch_postings"
	TaskAutomationRun   TaskKind = "automation_run"
	TaskProcessPosting  TaskKind = "process_posting"
	TaskSendApplication TaskKind = "send_application"
	TaskFollowUps       TaskKind = "follow_ups"
	TaskCleanup         TaskKind = "cleanup"
)

// Task is a request for durable work, recorded in the database in the same
// transaction as the state change that causes it (see Change.Tasks).
type Task struct {
	Kind          TaskKind
	ApplicationID int64     // process_posting, send_application
	ProfileID     int64     // process_posting
	PostingID     int64     // process_posting
	RunID         int64     // the automation run that asked for it, if any
	Source        string    // fetch_postings: one source, or all when empty
	ScheduledAt   time.Time // zero: as soon as possible
}
