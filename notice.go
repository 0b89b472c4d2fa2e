package jobpilot

import (
	"context"
	"time"
)

// Notice kinds.
const (
	NoticeDigest    = "digest"    // what needs the candidate, on NOTIFY_CRON
	NoticeInterview = "interview" // an interview invitation, at once
)

// Notice is what jobpilot tells the candidate: a digest of what needs them
// (applications ready for review, replies, bounces, breakers open for long)
// or one interview invitation as soon as it is read.
type Notice struct {
	Kind      string       `json:"kind"`
	ProfileID int64        `json:"profile_id,omitempty"`
	To        string       `json:"-"` // the candidate's address, for the email channel
	Title     string       `json:"title"`
	Items     []NoticeItem `json:"items"`
	CreatedAt time.Time    `json:"created_at"`
}

// NoticeItem is one line of a notice.
type NoticeItem struct {
	Kind          string `json:"kind"` // "ready", "reply", "bounce", "breaker", "interview"
	ApplicationID int64  `json:"application_id,omitempty"`
	Text          string `json:"text"`
}

// Text renders a notice as plain text, one item a line.
func (n *Notice) Text() string {
	s := n.Title + "\n"
	for _, it := range n.Items {
		s += "\n- " + it.Text
	}
	return s + "\n"
}

// Notifier is one notification channel (email to the candidate, a webhook,
// an ntfy topic). Notify delivers n once; a failure is returned, never
// retried here (the caller's policy does that).
type Notifier interface {
	Name() string
	Notify(ctx context.Context, n *Notice) error
}
