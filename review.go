package jobpilot

import (
	"context"
	"strings"
	"time"
)

// Review is the candidate's actions on applications: what the API, the
// dashboard and the CLI offer, implemented by the pipeline (apply.Service).
// Each action is a compare-and-swap on the application's status: a refused
// move is ECONFLICT and changes nothing.
type Review interface {
	// Approve queues the email of a ready application. It is sent after the
	// undo window (SEND_DELAY), during which Cancel takes it back.
	Approve(ctx context.Context, id int64) (*Application, error)
	// Cancel takes an approved application back to ready before its email
	// goes out.
	Cancel(ctx context.Context, id int64) (*Application, error)
	// Dismiss sets an application aside (a bad match, apply-by-link jobs the
	// candidate will not pursue), with an optional reason.
	Dismiss(ctx context.Context, id int64, reason string) (*Application, error)
	// Restore takes a dismissed application back to where it was before
	// (ready, matched, skipped or failed); a matched one is drafted again.
	// A company blocked with it stays blocked.
	Restore(ctx context.Context, id int64) (*Application, error)
	// BlockCompany dismisses the application and blocks its company for the
	// profile: later postings from it are skipped with the reason.
	BlockCompany(ctx context.Context, id int64, reason string) (*Application, error)
	// MarkApplied records that the candidate applied through the posting's
	// link themselves, on the given day (zero: today).
	MarkApplied(ctx context.Context, id int64, at time.Time) (*Application, error)
	// Retry takes a failed application up again: back to review when its
	// documents exist, otherwise drafted again. Its last error stays shown
	// until the retry succeeds.
	Retry(ctx context.Context, id int64) (*Application, error)
	// EditDocuments replaces a ready application's cover letter and/or
	// resume selection; the documents are re-rendered and checked by the
	// fabrication guard, which refuses (EINVALID) any fact the profile lacks.
	EditDocuments(ctx context.Context, id int64, e DocumentEdit) (*Application, error)
	// SetStatus records the candidate's news after sending (the tracker):
	// interviewing, offered, rejected, withdrawn or no_reply, with a date and
	// a note.
	SetStatus(ctx context.Context, id int64, u StatusUpdate) (*Application, error)
	// SetManualStatus is SetStatus without a date or note.
	SetManualStatus(ctx context.Context, id int64, status Status) (*Application, error)
	// Reopen resolves a needs_review application: "send_again" or "mark_sent".
	Reopen(ctx context.Context, id int64, action string) (*Application, error)
}

// StatusUpdate is one tracker status set by the candidate.
type StatusUpdate struct {
	Status Status    `json:"status"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at,omitzero"` // when it happened; zero is now
}

// MaxNoteLen bounds a note or a dismissal reason.
const MaxNoteLen = 2000

// DocumentEdit is the candidate's change to an application's documents.
// Nil fields are left as they are.
type DocumentEdit struct {
	// CoverLetter replaces the letter's text (salutation and signature
	// included, as the candidate wants it).
	CoverLetter *string `json:"cover_letter,omitempty"`
	// Resume chooses the work entries shown, their order and, for each,
	// which highlights and in what order.
	Resume *ResumeSelection `json:"resume,omitempty"`
}

// ResumeSelection picks, from the profile's resume, the work entries a
// tailored resume shows, in order.
type ResumeSelection struct {
	Work []WorkPick `json:"work"`
}

// WorkPick is one work entry of the profile's resume (Index into
// resume.work) and the indexes of the highlights it shows, in order; nil
// Highlights keeps all of them in the profile's order.
type WorkPick struct {
	Index      int   `json:"index"`
	Highlights []int `json:"highlights"`
}

// BlockedCompany is a company the candidate blocked for one profile.
// Postings from it are skipped with Reason.
type BlockedCompany struct {
	ProfileID int64     `json:"profile_id"`
	Company   string    `json:"company"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CompanyKey is how company names are compared when blocking: case, spaces
// and punctuation aside, and without a legal suffix ("Acme, Inc." is "acme").
func CompanyKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == ',' || r == '&':
			b.WriteRune(' ')
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 1 {
		switch words[len(words)-1] {
		case "inc", "llc", "ltd", "gmbh", "corp", "co", "sa", "ag", "bv", "plc", "limited", "corporation":
			words = words[:len(words)-1]
			continue
		}
		break
	}
	return strings.Join(words, " ")
}

// Recipient is an application's contact address and what was checked about
// it: the address comes from third-party text, so a flagged one is held for
// the candidate and never sent automatically.
type Recipient struct {
	Address string `json:"address"`
	// Domain is the address's domain; Source the host of the posting it
	// came from (its URL, else its apply URL).
	Domain string `json:"domain"`
	Source string `json:"source,omitempty"`
	// Flags say what is wrong with it, e.g. "domain differs from the
	// company's: acme-jobs.io (posting at boards.greenhouse.io)".
	Flags []string `json:"flags,omitempty"`
}

// Flagged reports whether a recipient needs the candidate's eyes.
func (r *Recipient) Flagged() bool { return r != nil && len(r.Flags) > 0 }

// Funnel is the tracker's summary of a profile's search: how many
// applications reached each stage and the conversion from one to the next.
type Funnel struct {
	// Stages in order: sent (emailed, saved to the outbox or applied by
	// link), replied (interviewing, offered or rejected after an answer),
	// interviewing, offered.
	Stages []FunnelStage `json:"stages"`
	// Statuses counts every application per status.
	Statuses map[Status]int `json:"statuses"`
	// Weeks are the same stages per week of sending (ISO week, Monday
	// first), oldest first.
	Weeks []FunnelWeek `json:"weeks,omitempty"`
}

// FunnelStage is one stage of the funnel.
type FunnelStage struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	// Conversion is Count over the previous stage's count (0–1); the first
	// stage has none.
	Conversion float64 `json:"conversion,omitempty"`
}

// FunnelWeek is the funnel of the applications sent in one week.
type FunnelWeek struct {
	Week   string        `json:"week"` // the Monday, 2006-01-02
	Stages []FunnelStage `json:"stages"`
}
