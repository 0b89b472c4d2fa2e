package jobpilot

import (
	"context"
	"database/sql"
	"time"
)

// TaskKind names a durable job kind. The engine runs each registered kind
// with its handler (engine.AddKind).
type TaskKind string

const (
	TaskFetchPostings   TaskKind = "fetch_postings"
	TaskAutomationRun   TaskKind = "automation_run"
	TaskProcessPosting  TaskKind = "process_posting"
	TaskSendApplication TaskKind = "send_application"
	TaskFollowUps       TaskKind = "follow_ups"
	TaskCleanup         TaskKind = "cleanup"
	TaskReadMailbox     TaskKind = "read_mailbox"
	TaskNotifyDigest    TaskKind = "notify_digest"
	TaskNotifyInterview TaskKind = "notify_interview"
)

// Task is a request for durable work, recorded in the database in the same
// transaction as the state change that causes it (see Change.Tasks).
type Task struct {
	Kind          TaskKind
	ApplicationID int64     // process_posting, send_application, notify_interview
	ProfileID     int64     // process_posting
	PostingID     int64     // process_posting
	RunID         int64     // the automation run that asked for it, if any
	Source        string    // fetch_postings: one source, or all when empty
	ScheduledAt   time.Time // zero: as soon as possible
}

// TaskInserter enqueues durable tasks inside a transaction of the caller's,
// so a task exists exactly when the state change that causes it commits.
// The engine implements it; internal/system registers it with the store,
// which calls it for Change.Tasks and CreateApplication's tasks. All tasks
// are validated before any is inserted: an unknown kind or a task without
// the ids its kind needs is EINVALID and inserts nothing. A task that
// duplicates a unique job still queued or running is skipped silently.
type TaskInserter interface {
	InsertTasks(ctx context.Context, tx *sql.Tx, tasks []Task) error
}
