package jobpilot

import (
	"context"
	"time"
)

// Store persists the domain. Implementations enforce status transitions
// (Transitions), write an event for every transition, and enqueue a Change's
// Tasks in the same transaction. Lookups of missing rows return ENOTFOUND.
type Store interface {
	Ping(ctx context.Context) error

	// CreateProfile stores a new profile and sets its ID and Version (1).
	CreateProfile(ctx context.Context, p *Profile) error
	// ReplaceProfile replaces a profile's resume and preferences and bumps its
	// Version, so skipped applications get re-scored.
	ReplaceProfile(ctx context.Context, p *Profile) error
	Profile(ctx context.Context, id int64) (*Profile, error)
	Profiles(ctx context.Context) ([]*Profile, error)

	// UpsertPostings imports one source's postings: new ones are inserted,
	// changed ones (ContentHash) updated and reopened. With closeMissing, the
	// source's open postings absent from ps are marked closed, never deleted.
	UpsertPostings(ctx context.Context, source string, ps []Posting, closeMissing bool) (UpsertResult, error)
	Posting(ctx context.Context, id int64) (*Posting, error)
	Postings(ctx context.Context, f PostingFilter) ([]*Posting, error)

	// CreateApplication inserts app unless the profile already has one for
	// the same posting fingerprint; then app is filled with the existing one
	// and created is false. Tasks are enqueued only when created.
	CreateApplication(ctx context.Context, app *Application, tasks ...Task) (created bool, err error)
	Application(ctx context.Context, id int64) (*Application, error)
	Applications(ctx context.Context, f ApplicationFilter) ([]*Application, error)
	// Queue is the review queue: applications with their posting's summary,
	// by score (highest first) then ID, filtered and a page at a time.
	Queue(ctx context.Context, f QueueFilter) (*QueuePage, error)
	// Transition moves an application to status to, applying c, writing a
	// status event and enqueueing c.Tasks, all in one transaction. An invalid
	// move returns ECONFLICT and changes nothing.
	Transition(ctx context.Context, id int64, to Status, c Change) (*Application, error)
	// Update applies c without a status change (score, error, attempts), and
	// enqueues c.Tasks in the same transaction.
	Update(ctx context.Context, id int64, c Change) (*Application, error)
	CountByStatus(ctx context.Context, profileID int64) (map[Status]int, error)
	// SentSince counts a profile's applications sent at or after t (the
	// direct-mode daily cap).
	SentSince(ctx context.Context, profileID int64, t time.Time) (int, error)

	// BlockCompany blocks a company for a profile (by CompanyKey); blocking
	// it again replaces the reason. BlockedCompanies lists a profile's.
	BlockCompany(ctx context.Context, b *BlockedCompany) error
	BlockedCompanies(ctx context.Context, profileID int64) ([]BlockedCompany, error)

	SaveDocuments(ctx context.Context, d *Documents) error
	Documents(ctx context.Context, applicationID int64) (*Documents, error)

	AddEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, f EventFilter) ([]*Event, error)

	StartRun(ctx context.Context, kind string) (*Run, error)
	FinishRun(ctx context.Context, r *Run) error
	Runs(ctx context.Context, limit int) ([]*Run, error)
}

// Source is a job board or feed.
type Source interface {
	// Name is the configured name, e.g. "greenhouse:acme"; postings carry it.
	Name() string
	// Fetch returns the board's current open postings, normalised.
	Fetch(ctx context.Context) ([]Posting, error)
}

// Removal is one claim the fabrication guard took out of a draft.
type Removal struct {
	Kind   string `json:"kind,omitempty"` // what it was: "employer", "skill", "number", "name" … ("length": a size cut)
	Field  string `json:"field"`          // where it was, e.g. "work[0].name", "cover_letter"
	Value  string `json:"value"`          // what was removed
	Reason string `json:"reason"`         // why, e.g. "employer not in profile"
}

// Tailored is a resume written for one posting.
type Tailored struct {
	Resume   Resume    `json:"resume"`
	Writer   string    `json:"writer"`
	Removals []Removal `json:"removals,omitempty"`
}

// CoverLetter is a cover letter written for one posting.
type CoverLetter struct {
	Text     string    `json:"text"`
	Writer   string    `json:"writer"`
	Removals []Removal `json:"removals,omitempty"`
}

// Writer writes the documents of an application: an LLM, or the template
// writer when none is configured. Every claim it returns exists in the
// profile (the fabrication guard runs inside).
type Writer interface {
	Name() string
	TailorResume(ctx context.Context, p *Profile, post *Posting) (*Tailored, error)
	WriteCoverLetter(ctx context.Context, p *Profile, post *Posting, t *Tailored) (*CoverLetter, error)
}

// Renderer turns documents into PDF bytes.
type Renderer interface {
	RenderResume(r *Resume) ([]byte, error)
	RenderCoverLetter(p *Profile, post *Posting, text string) ([]byte, error)
}

// Attachment is a file attached to an email.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is an email to send.
type Message struct {
	MessageID string // with angle brackets, e.g. "<application-7@example.com>"
	From      string // address
	FromName  string
	To        string
	// Bcc receives a blind copy (the candidate's own address, so the
	// mailbox reader can prove the message left); never a header.
	Bcc         []string
	ReplyTo     string
	Subject     string
	Body        string // plain text
	InReplyTo   string // for follow-ups: the original Message-ID
	References  []string
	Attachments []Attachment
	Date        time.Time
}

// Executor runs one unit of dependency work under one service's resilience
// policy (package resilience: retry around the service's circuit breaker
// around its per-attempt timeout). fn receives the attempt's context and must
// pass it to its I/O: the timeout cancels that context, which is the only way
// the work itself stops.
//
// Do returns nil, fn's own error when it is not worth retrying (Permanent),
// an error matching ErrCircuitOpen when the breaker refused the call (fn was
// not run; it is never retried by the policy), the last attempt's error
// (classification kept) once the retries are spent, or the caller's ctx error
// when ctx ended first (shutdown).
type Executor interface {
	Do(ctx context.Context, fn func(ctx context.Context) error) error
}

// Mailer sends email. Send returns a Transient error for 4xx replies and
// network failures, and a Permanent one for 5xx replies and invalid messages.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}
