package jobpilot

import (
	"context"
	"time"
)

// SchedulerStatus is the job engine's state (in /health and the API).
type SchedulerStatus struct {
	Running   bool      `json:"running"`
	Jobs      int       `json:"jobs"` // number of periodic jobs
	Restarts  int       `json:"restarts"`
	LastCheck time.Time `json:"last_check"`
	NodeID    string    `json:"node_id"`
}

// PeriodicJob is one scheduled job kind.
type PeriodicJob struct {
	Name       string    `json:"name"`     // the task kind
	Schedule   string    `json:"schedule"` // "every 6h0m0s" or "cron 0 10 * * * (Europe/Paris)"
	RunOnStart bool      `json:"run_on_start"`
	NextRun    time.Time `json:"next_run"` // per the schedule from now; the leader enqueues it
}

// Scheduler is the durable job engine as operators see it.
type Scheduler interface {
	Status() SchedulerStatus
	// PeriodicJobs lists the schedule with each job's next run from now.
	PeriodicJobs() []PeriodicJob
	// Trigger runs a periodic kind now; any other kind is EINVALID.
	Trigger(ctx context.Context, kind TaskKind) error
	// Restart replaces the engine's queue client now (as its supervisor
	// does after a failed health check); ECONFLICT when it is not running.
	Restart(ctx context.Context) error
}

// JobCount is the number of durable jobs in one state of one kind.
type JobCount struct {
	State string `json:"state"`
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// JobResult is the latest job of a kind that ran.
type JobResult struct {
	Kind    string    `json:"kind"`
	State   string    `json:"state"` // completed, retryable, discarded, cancelled, running …
	At      time.Time `json:"at,omitzero"`
	Attempt int       `json:"attempt"`
}

// JobQueue reads the durable job queue, whichever node wrote it.
type JobQueue interface {
	// Counts returns the number of jobs per (state, kind).
	Counts(ctx context.Context) ([]JobCount, error)
	// Last returns, per job kind, the most recent job that was attempted.
	Last(ctx context.Context) (map[string]JobResult, error)
}
