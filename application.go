package jobpilot

import (
	"fmt"
	"net/mail"
	"slices"
	"time"
)

// Status is where an application stands. See Transitions for the allowed
// moves; the store refuses every other one.
type Status string

const (
	// StatusMatched: scored at or above the profile's threshold; drafting comes next.
	StatusMatched Status = "matched"
	// StatusDrafting: the resume and cover letter are being written.
	StatusDrafting Status = "drafting"
	// StatusReady: documents are ready; waits for approval (review mode), for
	// the sender (direct mode), or for the candidate to apply via URL.
	StatusReady Status = "ready"
	// StatusApproved: the candidate approved; a send job is queued.
	StatusApproved Status = "approved"
	// StatusSending: an SMTP transaction is (or was) in progress. Found so
	// after a crash, the outcome is unknown and it becomes needs_review.
	StatusSending Status = "sending"
	// StatusSent: the mail server accepted the message.
	StatusSent Status = "sent"
	// StatusFollowedUp: one follow-up went out (or was put in the digest).
	StatusFollowedUp Status = "followed_up"
	// StatusSkipped: below the profile's minimum score, or excluded.
	StatusSkipped Status = "skipped"
	// StatusFailed: a permanent error; Application.Error says why.
	StatusFailed Status = "failed"
	// StatusNeedsReview: the outcome of a send is unknown (the process died
	// during the SMTP transaction); never re-sent without the candidate.
	StatusNeedsReview Status = "needs_review"
	// StatusReplied: a person answered (found in the mailbox); follow-ups stop.
	StatusReplied Status = "replied"
	// StatusBounced: the message came back undelivered (a delivery status
	// notification); Application.Error holds the reason and status code.
	StatusBounced Status = "bounced"
	// StatusDismissed: the candidate does not want it (a bad match, a
	// company they blocked); Application.Note says why.
	StatusDismissed Status = "dismissed"
	// StatusApplied: the candidate applied themselves through the posting's
	// link (apply via URL); SentAt is the day they give.
	StatusApplied Status = "applied"
	// Manual statuses of the tracker, set by the candidate after sending,
	// each with a date (StatusAt) and a note.
	StatusInterviewing Status = "interviewing"
	StatusRejected     Status = "rejected"
	StatusOffered      Status = "offered"
	StatusWithdrawn    Status = "withdrawn"
	StatusNoReply      Status = "no_reply"
)

// Statuses lists every status in pipeline order.
var Statuses = []Status{
	StatusMatched, StatusDrafting, StatusReady, StatusApproved, StatusSending, StatusSent,
	StatusFollowedUp, StatusApplied, StatusSkipped, StatusFailed, StatusNeedsReview, StatusDismissed,
	StatusReplied, StatusBounced, StatusInterviewing, StatusOffered, StatusRejected, StatusWithdrawn, StatusNoReply,
}

// Transitions lists, for each status, the statuses it may move to.
var Transitions = map[Status][]Status{
	StatusMatched: {StatusDrafting, StatusSkipped, StatusFailed, StatusDismissed},
	// drafting → approved: direct mode approves with the documents, in one
	// transaction, when the daily cap allows.
	StatusDrafting: {StatusReady, StatusApproved, StatusFailed, StatusMatched},
	StatusReady:    {StatusApproved, StatusSending, StatusFailed, StatusSkipped, StatusDismissed, StatusApplied},
	// approved → ready: the candidate cancelled the send in its undo window.
	StatusApproved: {StatusSending, StatusFailed, StatusReady},
	// sending → approved: a transient failure whose outcome is known (the
	// server refused the message); the retry is queued and nothing was sent.
	StatusSending: {StatusSent, StatusFailed, StatusNeedsReview, StatusApproved},
	// sent → replied, bounced: the mailbox reader found an answer or a
	// bounce; the tracker's statuses are the candidate's news (or the
	// mailbox reader's, when a reply says so).
	StatusSent:       append([]Status{StatusFollowedUp, StatusReplied, StatusBounced}, trackerStatuses...),
	StatusFollowedUp: append([]Status{StatusReplied, StatusBounced}, trackerStatuses...),
	StatusApplied:    trackerStatuses,
	StatusSkipped:    {StatusMatched, StatusDismissed},              // re-scored after the posting or profile changed
	StatusFailed:     {StatusMatched, StatusReady, StatusDismissed}, // retried by the candidate: redrafted, or back to review when the documents exist
	// needs_review: "send again", "mark sent" (by the candidate, or by the
	// mailbox reader when a copy arrived), give up, or a bounce found.
	StatusNeedsReview: {StatusApproved, StatusSent, StatusFailed, StatusBounced},
	// dismissed: restored by the candidate to where it was before.
	StatusDismissed: {StatusReady, StatusMatched, StatusSkipped, StatusFailed},
	// replied: the candidate (or a later reply) tells what the answer meant.
	StatusReplied: {StatusInterviewing, StatusOffered, StatusRejected, StatusWithdrawn},
	StatusBounced: {}, // final: the address does not work
	// The tracker: the candidate's own news after sending.
	StatusInterviewing: {StatusOffered, StatusRejected, StatusWithdrawn},
	StatusNoReply:      {StatusReplied, StatusInterviewing, StatusOffered, StatusRejected, StatusWithdrawn}, // a late answer
	StatusOffered:      {StatusRejected, StatusWithdrawn},                                                   // an offer can still fall through, or be declined
	StatusRejected:     {},                                                                                  // final
	StatusWithdrawn:    {},                                                                                  // final
}

// trackerStatuses are where a sent (or applied) application may go next.
var trackerStatuses = []Status{StatusInterviewing, StatusOffered, StatusRejected, StatusWithdrawn, StatusNoReply}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := Transitions[s]
	return ok
}

// CanTransition reports whether an application may move from s to to.
func (s Status) CanTransition(to Status) bool {
	return slices.Contains(Transitions[s], to)
}

// Settled reports whether the application needs no more work from jobpilot:
// it reached a final state or waits on a person (needs_review, or ready for
// an apply-via-URL or an approval). The chaos harness counts a posting as lost
// when its application is not settled.
func (s Status) Settled() bool {
	switch s {
	case StatusSent, StatusFollowedUp, StatusApplied, StatusSkipped, StatusFailed, StatusNeedsReview, StatusDismissed,
		StatusReplied, StatusBounced, StatusInterviewing, StatusRejected, StatusOffered, StatusWithdrawn, StatusNoReply:
		return true
	}
	return false
}

// Manual reports whether s is a tracker status, one the candidate may set
// after an application went out (the mailbox reader sets them too when a
// reply says so): interviewing, offered, rejected, withdrawn or no_reply.
func (s Status) Manual() bool {
	return slices.Contains(trackerStatuses, s)
}

// PastSent reports whether the candidate moved the application on from sent
// (a tracker status): it gets no follow-up.
func (s Status) PastSent() bool {
	return s.Manual() || s == StatusReplied || s == StatusBounced
}

// ErrInvalidTransition returns the ECONFLICT error for a refused move.
func ErrInvalidTransition(id int64, from, to Status) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf("application %d: cannot move from %s to %s", id, from, to)}
}

// Application is one profile × one posting: its score, status and documents.
type Application struct {
	ID          int64  `json:"id"`
	ProfileID   int64  `json:"profile_id"`
	PostingID   int64  `json:"posting_id"`
	Fingerprint string `json:"fingerprint"` // the posting's; unique per profile
	Status      Status `json:"status"`
	Score       int    `json:"score"`
	Explanation Match  `json:"explanation"`
	// ApplyVia is "email" when the posting has a contact email, "url" otherwise.
	ApplyVia string `json:"apply_via"`
	// Writer names what produced the documents: "template" or "llm:<model>".
	Writer string `json:"writer,omitempty"`
	// ProfileVersion and PostingHash are what the score was computed on; a
	// skipped application is re-scored only when either changes.
	ProfileVersion int    `json:"profile_version"`
	PostingHash    string `json:"posting_hash"`
	Attempts       int    `json:"attempts"`        // send attempts
	Error          string `json:"error,omitempty"` // the last error, or the reason for failed
	// MessageID is derived from the application (see MessageID) and is the
	// same on every attempt and every restart.
	MessageID    string     `json:"message_id,omitempty"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
	FollowedUpAt *time.Time `json:"followed_up_at,omitempty"`
	Example      bool       `json:"example,omitempty"`
	// Guard is what the fabrication guard did to the documents; a non-empty
	// Guard.Hold keeps the application from being sent automatically.
	Guard GuardReport `json:"guard"`
	// SendAfter is the end of the undo window of an approved application:
	// its email is not sent before, and it may be cancelled until it is.
	SendAfter *time.Time `json:"send_after,omitempty"`
	// Delivery is how the email went out: DeliverySMTP (a mail server
	// accepted it) or DeliveryOutbox (no SMTP server is configured: it was
	// only saved as an .eml file). Empty until sent.
	Delivery string `json:"delivery,omitempty"`
	// Recipient is the contact address and what was checked about it; a
	// flagged one is never sent automatically.
	Recipient *Recipient `json:"recipient,omitempty"`
	// Note is the candidate's note on the last status they set (a dismissal
	// reason, the tracker's news); StatusAt the date they gave for it.
	Note      string     `json:"note,omitempty"`
	StatusAt  *time.Time `json:"status_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Delivery values: how a sent application's email went out.
const (
	DeliverySMTP   = "smtp"   // a mail server accepted it
	DeliveryOutbox = "outbox" // no SMTP server configured: saved as an .eml file only
	DeliveryManual = "manual" // the candidate applied themselves (MarkApplied)
)

// StatusLabel is the words a person reads for an application's status. It
// differs from the status itself where the status alone would mislead: an
// email saved to the outbox because no SMTP server is configured was not
// sent to anyone.
func (a *Application) StatusLabel() string {
	switch {
	case a.Status == StatusSent && a.Delivery == DeliveryOutbox:
		return "saved to outbox (no SMTP server configured)"
	case a.Status == StatusApproved && a.SendAfter != nil:
		return "approved, sending after " + a.SendAfter.UTC().Format("15:04:05 UTC") + " unless cancelled"
	case a.Status == StatusNoReply:
		return "no reply"
	}
	return string(a.Status)
}

// ApplyVia values.
const (
	ApplyViaEmail = "email"
	ApplyViaURL   = "url"
)

// MessageID returns the RFC 5322 Message-ID of an application's email,
// stable across attempts and restarts so that receivers and our own checks
// can recognise a duplicate. domain is the sender's domain.
func MessageID(applicationID int64, domain string) string {
	if domain == "" {
		domain = "jobpilot.local"
	}
	return fmt.Sprintf("<application-%d@%s>", applicationID, domain)
}

// DefaultSendDelay is the undo window's default (SEND_DELAY): how long an
// approved email waits before it is sent.
const DefaultSendDelay = 60 * time.Second

// DefaultFollowUpDays is how many days after sending an application gets
// its one follow-up when no reply came (FOLLOW_UP_DAYS' default).
const DefaultFollowUpDays = 3

// FollowUpMessageID returns the Message-ID of an application's follow-up.
func FollowUpMessageID(applicationID int64, domain string) string {
	if domain == "" {
		domain = "jobpilot.local"
	}
	return fmt.Sprintf("<application-%d-followup@%s>", applicationID, domain)
}

// Match is a score from 0 to 100 and the reasons behind it.
type Match struct {
	Score   int      `json:"score"`
	For     []string `json:"for,omitempty"`     // top reasons in favour
	Against []string `json:"against,omitempty"` // top reasons against
	// Excluded is set when a hard rule (an excluded company) rules the
	// posting out whatever the score.
	Excluded bool `json:"excluded,omitempty"`
}

// ApplicationFilter selects applications in Store.Applications.
type ApplicationFilter struct {
	ProfileID int64
	PostingID int64
	Statuses  []Status
	AfterID   int64 // keyset pagination: applications with ID > AfterID
	Limit     int   // 0 means the store's default (100)
}

// Change describes a status transition and the fields that change with it.
// Nil pointers and empty strings leave fields as they are.
type Change struct {
	// Reason is written to the transition's event.
	Reason string
	// From, when set, lists the statuses the application must be in; the
	// store returns ECONFLICT otherwise. It makes a transition a
	// compare-and-swap for callers racing each other (two workers, a crash
	// rescue and a late job).
	From []Status

	Score          *int
	Explanation    *Match
	ProfileVersion *int
	PostingHash    *string
	Writer         *string
	Error          *string
	MessageID      *string
	SentAt         *time.Time
	FollowedUpAt   *time.Time
	IncAttempts    bool
	// Guard replaces the guard report (a new draft replaces the last one's).
	Guard *GuardReport
	// SendAfter sets the end of the undo window; ClearSendAfter removes it.
	SendAfter      *time.Time
	ClearSendAfter bool
	Delivery       *string
	Recipient      *Recipient
	Note           *string
	StatusAt       *time.Time

	// Tasks are enqueued in the same transaction as the transition, so the
	// work and the state that asks for it are never out of step.
	Tasks []Task
}

// Documents are an application's generated documents.
type Documents struct {
	ApplicationID int64 `json:"application_id"`
	// Resume is the tailored resume: a subset of the profile's JSON Resume,
	// reordered and rephrased, checked by the fabrication guard.
	Resume         Resume `json:"resume"`
	ResumePDF      []byte `json:"-"`
	CoverLetter    string `json:"cover_letter"`
	CoverLetterPDF []byte `json:"-"`
	Writer         string `json:"writer"`
	// Removals are what the fabrication guard took out while writing these
	// documents; saving them replaces the application's guard events.
	Removals  []Removal `json:"removals,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxGuardPhrases bounds GuardReport.Phrases.
const MaxGuardPhrases = 20

// GuardReport is what the fabrication guard did while an application's
// documents were written: how many invented facts it removed (drafts that
// were rejected included), which words, whether the writer's output was
// rejected and the template writer used instead, and, when any of that
// happened, why the application is held for the candidate's review. A held
// application is never sent automatically, even in direct mode.
type GuardReport struct {
	Removed  int      `json:"removed,omitempty"`
	Phrases  []string `json:"phrases,omitempty"`  // distinct removed words, at most MaxGuardPhrases
	Fallback string   `json:"fallback,omitempty"` // e.g. "LLM output rejected: the cover letter invented 9 facts"
	Hold     string   `json:"hold,omitempty"`     // e.g. "the writer invented 12 facts; 12 removed"
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
