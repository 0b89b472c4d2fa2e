package notify

import (
	"context"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

var emailKind = Kind{Name: "email", New: func(cfg Config) jobpilot.Notifier {
	if !cfg.Email || cfg.Mailer == nil {
		return nil
	}
	return &emailChannel{mailer: cfg.Mailer, from: cfg.From}
}}

// emailChannel mails the notice to the candidate (Notice.To) through the
// same mail service applications go through (or the outbox).
type emailChannel struct {
	mailer jobpilot.Mailer
	from   string
}

func (*emailChannel) Name() string { return "email" }

func (c *emailChannel) Notify(ctx context.Context, n *jobpilot.Notice) error {
	if n.To == "" {
		return nil // no address to write to; the other channels and the dashboard remain
	}
	from := c.from
	if from == "" {
		from = n.To
	}
	domain := "jobpilot.local"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	return c.mailer.Send(ctx, &jobpilot.Message{
		MessageID: fmt.Sprintf("<notice-%s-%d-%d@%s>", n.Kind, n.ProfileID, n.CreatedAt.UnixNano(), domain),
		From:      from,
		FromName:  "jobpilot",
		To:        n.To,
		Subject:   "jobpilot: " + n.Title,
		Body:      n.Text(),
		Date:      n.CreatedAt,
	})
}
