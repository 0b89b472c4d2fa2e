package notify

import (
	"context"
	"strings"

	"github.com/jobpilot/jobpilot"
)

var ntfyKind = Kind{Name: "ntfy", New: func(cfg Config) jobpilot.Notifier {
	if cfg.NtfyURL == "" {
		return nil
	}
	return &ntfyChannel{cfg: cfg}
}}

// ntfyChannel publishes the notice to an ntfy topic: the text as the body,
// the title in the Title header, high priority for an interview.
type ntfyChannel struct{ cfg Config }

func (*ntfyChannel) Name() string { return "ntfy" }

func (c *ntfyChannel) Notify(ctx context.Context, n *jobpilot.Notice) error {
	header := map[string]string{"Title": n.Title, "Tags": "briefcase"}
	if n.Kind == jobpilot.NoticeInterview {
		header["Priority"] = "high"
	}
	var b strings.Builder
	for _, it := range n.Items {
		b.WriteString("- " + it.Text + "\n")
	}
	return post(ctx, c.cfg.Client, c.cfg.NtfyURL, "text/plain; charset=utf-8", strings.NewReader(b.String()), header)
}
