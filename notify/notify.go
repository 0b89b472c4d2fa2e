// Package notify tells the candidate what needs them, through channels
// kept as a registry (one file per channel, one line in Builtin): email to
// the candidate through the same mail service, a generic JSON webhook, and
// an ntfy topic. Which are on is configuration (NOTIFY_*); when and what
// is the pipeline's (apply/notify.go).
package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// Config selects and sets up the channels.
type Config struct {
	Email      bool   // NOTIFY_EMAIL: a digest email to the candidate
	WebhookURL string // NOTIFY_WEBHOOK_URL: POST the notice as JSON
	NtfyURL    string // NOTIFY_NTFY_URL: an ntfy topic URL (https://ntfy.sh/<topic> or a server of your own)
	// From is the sender of the email channel (SMTP_FROM); empty means the
	// candidate's own address.
	From   string
	Mailer jobpilot.Mailer
	// Client makes the webhook and ntfy requests; nil is a client with a
	// 10 s timeout.
	Client *http.Client
}

// Kind is one kind of channel: its name and its constructor, which returns
// nil when the configuration does not turn it on.
type Kind struct {
	Name string
	New  func(cfg Config) jobpilot.Notifier
}

// Builtin is the registry of channels.
func Builtin() []Kind { return []Kind{emailKind, webhookKind, ntfyKind} }

// Channels builds the channels cfg turns on, in registry order.
func Channels(cfg Config, kinds []Kind) []jobpilot.Notifier {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	var out []jobpilot.Notifier
	for _, k := range kinds {
		if n := k.New(cfg); n != nil {
			out = append(out, n)
		}
	}
	return out
}

// post sends body to url and classifies the answer the way every HTTP
// dependency is classified (resilience.ClassifyHTTPStatus).
func post(ctx context.Context, c *http.Client, url, contentType string, body io.Reader, header map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return jobpilot.Permanent(fmt.Errorf("notify: %w", err))
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "jobpilot/"+jobpilot.Version)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return jobpilot.Transient(fmt.Errorf("notify: %w", err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return resilience.ClassifyHTTPStatus(resp.StatusCode, resp.Header, fmt.Errorf("notify: %s answered %s", req.URL.Host, resp.Status), time.Now())
}
