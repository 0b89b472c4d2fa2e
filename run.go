package jobpilot

import "time"

// Run kinds.
const (
	RunAutomation = "automation"
	RunFetch      = "fetch"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunTimedOut  = "timed_out"
)

// Run is one automation or fetch pass, with what it did.
type Run struct {
	ID         int64          `json:"id"`
	Kind       string         `json:"kind"`
	Status     string         `json:"status"`
	Counts     map[string]int `json:"counts,omitempty"` // e.g. postings, matched, skipped, enqueued, new, updated, closed
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
}
