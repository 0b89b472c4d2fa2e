// Package apply is the journey of a posting: the automation run that scores
// postings against each profile, the processing of one posting (tailored
// resume, cover letter, PDFs), approval, sending, follow-ups and cleanup.
//
// Service implements the engine's handlers, one method per durable job kind.
// Every handler is idempotent: it reads the application's status first and
// does only the work that status still asks for, because the engine may run a
// job again after a crash, a timeout or a restart. Status changes go through
// the store's compare-and-swap transitions (Change.From), so two runs racing
// each other cannot both win.
//
// The rule that matters most is in SendApplication: an application is marked
// sending before each SMTP attempt and moved back to approved when the attempt
// fails with a known outcome. A send job that finds its application still
// sending therefore knows the process died mid-transaction; it marks the
// application needs_review and never sends silently a second time.
package apply

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Service runs the pipeline. Its zero value is not usable; fill the
// dependencies and call the handlers.
type Service struct {
	Store   jobpilot.Store
	Sources []jobpilot.Source
	Writer  jobpilot.Writer
	// Fallback writes the documents when Writer's draft is unusable; nil is
	// the template writer.
	Fallback jobpilot.Writer
	Renderer jobpilot.Renderer
	Mailer   jobpilot.Mailer
	// Email runs each SMTP attempt of sends and follow-ups under the email
	// policy (the resilience service "email": retries 2, 4, 8 s, the
	// "email" breaker, EMAIL_TIMEOUT per attempt). Required to send.
	Email jobpilot.Executor
	// Fetch imports postings from Sources into Store; source.FetchAll in
	// production. Nil disables fetching.
	Fetch FetchFunc
	// Enqueue asks the engine for work outside a transaction (an automation
	// run after a fetch found new postings). Optional.
	Enqueue func(ctx context.Context, tasks ...jobpilot.Task) error

	Mode         jobpilot.ApplyMode // service-wide default; a profile may override
	FollowUpDays int                // days after sending; 0 = jobpilot.DefaultFollowUpDays
	// From is the sender address (SMTP_FROM); empty means the profile's email.
	From string
	// Delivery is what Mailer does with a message: jobpilot.DeliverySMTP
	// (default) or jobpilot.DeliveryOutbox (no SMTP server: an .eml file).
	// It is recorded on each sent application and worded in its history,
	// so an email saved to the outbox never reads as sent.
	Delivery string
	// SendDelay is the undo window (SEND_DELAY): how long an application
	// the candidate approved waits before it is sent; 0 sends at once.
	SendDelay time.Duration
	// StaleAfter is how long an application may sit in matched, drafting or
	// approved before the automation run (hourly; drafting only) and the
	// daily cleanup queue its work again (REQUEUE_STUCK_AFTER, default
	// JOB_TIMEOUT + 1 h = 70 min).
	StaleAfter time.Duration

	Logger *slog.Logger
	Now    func() time.Time
	// OnGuardRemoval is called for every claim the fabrication guard removed
	// (metrics). Optional.
	OnGuardRemoval func(r jobpilot.Removal)
	// Embedder, when set, blends the semantic similarity of profile and
	// posting into the score (OPENAI_EMBEDDINGS_MODEL); EmbeddingCache keeps
	// the vectors by content. Both optional: without them the deterministic
	// score stands alone, and an embeddings failure falls back to it.
	Embedder       jobpilot.Embedder
	EmbeddingCache jobpilot.EmbeddingCache
	// Inbox reads the candidate's mailbox (IMAP_HOST); nil when it is not
	// configured: then no reply, bounce or copy is ever seen.
	Inbox *Inbox
	// Notifiers tell the candidate what needs them (NOTIFY_*), each call
	// under its channel's policy (NotifyPolicy(name): the "notify:<name>"
	// service, a breaker per channel); none means no notices.
	Notifiers    []jobpilot.Notifier
	NotifyPolicy func(channel string) jobpilot.Executor
	// Breakers reads the circuit breakers for the digest; optional.
	Breakers func() []jobpilot.BreakerSnapshot
	// BCCSelf sends each application email with a blind copy to the
	// candidate's own address (BCC_SELF), the evidence that settles an
	// uncertain send.
	BCCSelf bool
}

// FetchFunc imports the given sources' postings and returns one report per
// source; a failing source is reported, never fatal to the others.
type FetchFunc func(ctx context.Context, sources []jobpilot.Source) []FetchReport

// FetchReport is what one source's import did.
type FetchReport struct {
	Source  string
	Fetched int
	Result  jobpilot.UpsertResult
	Err     error
	Elapsed time.Duration
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Service) modeFor(p *jobpilot.Profile) jobpilot.ApplyMode {
	if p.Preferences.ApplyMode != "" {
		return p.Preferences.ApplyMode
	}
	if s.Mode != "" {
		return s.Mode
	}
	return jobpilot.ApplyReview
}

// event stores an event, logging instead of failing when the store refuses:
// losing a history line must never fail the work it describes.
func (s *Service) event(ctx context.Context, appID int64, kind, msg string, data map[string]string) {
	e := &jobpilot.Event{ApplicationID: appID, Kind: kind, Message: msg, Data: data}
	if err := s.Store.AddEvent(context.WithoutCancel(ctx), e); err != nil {
		s.log().Warn("event not stored", "application", appID, "kind", kind, "err", err)
	}
}

// isConflict reports a lost compare-and-swap: someone else moved the
// application first, which handlers treat as "nothing left to do".
func isConflict(err error) bool {
	return jobpilot.ErrorCode(err) == jobpilot.ECONFLICT
}

func ptr[T any](v T) *T { return &v }

// reason shortens an error for storing on the application.
func reason(err error) string {
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return strings.TrimSpace(msg)
}

// isOpen reports an open circuit breaker: the work is rescheduled, not failed.
func isOpen(err error) bool { return errors.Is(err, jobpilot.ErrCircuitOpen) }

// permanentf builds a permanent error that cancels the job.
func permanentf(format string, args ...any) error {
	return jobpilot.Permanent(fmt.Errorf(format, args...))
}
