package notify

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/jobpilot/jobpilot"
)

var webhookKind = Kind{Name: "webhook", New: func(cfg Config) jobpilot.Notifier {
	if cfg.WebhookURL == "" {
		return nil
	}
	return &webhookChannel{cfg: cfg}
}}

// webhookChannel POSTs the notice as JSON (jobpilot.Notice: kind, title,
// items with their kind, application and text, created_at).
type webhookChannel struct{ cfg Config }

func (*webhookChannel) Name() string { return "webhook" }

func (c *webhookChannel) Notify(ctx context.Context, n *jobpilot.Notice) error {
	body, err := json.Marshal(n)
	if err != nil {
		return jobpilot.Permanent(err)
	}
	return post(ctx, c.cfg.Client, c.cfg.WebhookURL, "application/json", bytes.NewReader(body), nil)
}
