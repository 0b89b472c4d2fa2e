package jobpilot

import "time"

// Event kinds. Application events carry an ApplicationID; service-wide ones
// (breaker transitions, scheduler restarts) carry 0.
const (
	EventStatus       = "status"        // a status transition: "ready → approved"
	EventRetry        = "retry"         // an attempt failed and will be retried
	EventGiveUp       = "give_up"       // retries exhausted
	EventTimeout      = "timeout"       // an attempt or a job exceeded its time
	EventBreaker      = "breaker"       // a circuit breaker changed state
	EventGuardRemoval = "guard_removal" // the fabrication guard removed a claim
	EventError        = "error"         // a permanent failure
	EventScheduler    = "scheduler"     // supervisor restarts, job isolation
	EventNote         = "note"          // anything else worth showing the candidate
	EventReply        = "reply"         // an answer found in the mailbox: sender, date, subject, class (never the body)
	EventBounce       = "bounce"        // a delivery failure report found in the mailbox
	EventCopy         = "copy"          // our own copy of a sent message found in the mailbox
)

// Event is one entry of the history: of an application, or of the service.
type Event struct {
	ID            int64             `json:"id"`
	ApplicationID int64             `json:"application_id,omitempty"`
	Kind          string            `json:"kind"`
	Message       string            `json:"message"`
	Data          map[string]string `json:"data,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
}

// EventFilter selects events in Store.Events, newest first.
type EventFilter struct {
	ApplicationID int64
	Kinds         []string
	BeforeID      int64 // keyset pagination, newest first: events with ID < BeforeID
	Limit         int   // 0 means the store's default (100)
}
