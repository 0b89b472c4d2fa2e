package jobpilot

import (
	"context"
	"time"
)

// MailClass is what the mailbox reader made of a message it found.
type MailClass string

const (
	// MailOther is a person's answer that says neither yes nor no.
	MailOther MailClass = "other"
	// MailAutoReply is an automatic answer (RFC 3834 Auto-Submitted,
	// X-Autoreply, an out-of-office or "we received your application"
	// text): it proves delivery but is no reply.
	MailAutoReply MailClass = "auto_reply"
	// MailRejection is a person's (or a recruiting system's) no.
	MailRejection MailClass = "rejection"
	// MailInterview asks for an interview, a call or another next step.
	MailInterview MailClass = "interview"
	// MailBounce is a delivery failure report (RFC 3464 or a common shape).
	MailBounce MailClass = "bounce"
)

// Human reports whether the class is a person's answer: one that stops
// follow-ups and moves the tracker.
func (c MailClass) Human() bool {
	return c == MailOther || c == MailRejection || c == MailInterview
}

// InboxMessage is one message of the candidate's mailbox, as the reader
// parsed it: the headers that tie it to an application, its class and, for
// a bounce, what failed. The body is read to classify it and never kept.
type InboxMessage struct {
	Folder     string
	UID        uint32
	MessageID  string   // with angle brackets
	InReplyTo  string   // with angle brackets
	References []string // with angle brackets
	From       string   // the sender's address
	To         []string // every To and Cc address
	Subject    string
	Date       time.Time
	Class      MailClass
	Bounce     *Bounce // set when Class is MailBounce
}

// Bounce is what a delivery failure report says.
type Bounce struct {
	Recipient string // the address that failed
	Status    string // the enhanced status code ("5.1.1"), or the SMTP code ("550") when only that is given
	Reason    string // the diagnostic text, shortened
	// Hard is a permanent failure (status 5.x.x or SMTP 5xx): the address is
	// marked bad for future postings. A soft one only bounces the message.
	Hard bool
	// MessageID is the failed message's, when the report quotes it.
	MessageID string
}

// MailboxCursor is where the reader stands in one folder: the folder's
// UIDVALIDITY when it last read it, and the highest UID it has handled.
// When the server's UIDVALIDITY changes, the UIDs were renumbered and the
// folder is read again from the start (handling a message twice is
// harmless: every transition is a compare-and-swap).
type MailboxCursor struct {
	Folder      string
	UIDValidity uint32
	LastUID     uint32
	UpdatedAt   time.Time
}

// MailboxReader reads the candidate's mailbox, read-only: it never deletes,
// moves or flags a message.
type MailboxReader interface {
	// Read returns the folder's UIDVALIDITY and at most limit messages with
	// a UID above after, in UID order. A network failure is Transient; bad
	// credentials or a missing folder are Permanent.
	Read(ctx context.Context, folder string, after uint32, limit int) (uidValidity uint32, msgs []InboxMessage, err error)
}

// BadAddress is a recipient that bounced hard: future postings with it are
// applied to via their URL.
type BadAddress struct {
	Address       string    `json:"address"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason"`
	ApplicationID int64     `json:"application_id"`
	CreatedAt     time.Time `json:"created_at"`
}

// InboxStore keeps what the mailbox reader needs between runs.
type InboxStore interface {
	// MailboxCursor returns the folder's cursor; a folder never read has
	// the zero cursor (with Folder set).
	MailboxCursor(ctx context.Context, folder string) (MailboxCursor, error)
	SaveMailboxCursor(ctx context.Context, c MailboxCursor) error
	// MarkAddressBad records a hard bounce; the first record of an address wins.
	MarkAddressBad(ctx context.Context, b BadAddress) error
	// BadAddress returns the record of an address (case-insensitive), or ENOTFOUND.
	BadAddress(ctx context.Context, address string) (*BadAddress, error)
	// ApplicationByMessageID returns the application whose email had this
	// Message-ID, or ENOTFOUND.
	ApplicationByMessageID(ctx context.Context, messageID string) (*Application, error)
}

// NoCopyArrived is the error a needs_review application is left with when
// its blind copy did not reach the mailbox within UNCERTAIN_GRACE: most
// likely the server never accepted it; the candidate may resend it.
const NoCopyArrived = "no copy arrived"
