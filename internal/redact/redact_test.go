package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/internal/redact"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://user:secret@127.0.0.1:8080/feed.json":          "http://user:[redacted]@127.0.0.1:8080/feed.json",
		"https://ghp_token123@example.com/jobs":                "https://[redacted]@example.com/jobs",
		"https://example.com/feed?token=abc&page=2":            "https://example.com/feed?token=[redacted]&page=2",
		"https://example.com/feed?page=2&API_KEY=abc&key=xyz":  "https://example.com/feed?page=2&API_KEY=[redacted]&key=[redacted]",
		"https://example.com/feed?client_secret=s&x=1":         "https://example.com/feed?client_secret=[redacted]&x=1",
		"https://boards-api.greenhouse.io/v1/boards/acme/jobs": "https://boards-api.greenhouse.io/v1/boards/acme/jobs",
		"https://example.com/?q=go+developer&page=1":           "https://example.com/?q=go+developer&page=1",
		"/var/lib/jobpilot/feed.json":                          "/var/lib/jobpilot/feed.json",
		"http://u:p%zz@host/x":                                 "http://[redacted]@host/x", // does not parse
		"mailto:jobs@acme.com":                                 "mailto:jobs@acme.com",
	} {
		if got := redact.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	in := `source feed: Get "http://user:***@127.0.0.1:4000/feed.json?token=t0k3n": connection refused (see https://example.com/help)`
	want := `source feed: Get "http://user:[redacted]@127.0.0.1:4000/feed.json?token=[redacted]": connection refused (see https://example.com/help)`
	if got := redact.Text(in); got != want {
		t.Errorf("Text:\n got %s\nwant %s", got, want)
	}
}

func TestURLSecrets(t *testing.T) {
	got := redact.URLSecrets("https://ann:pa$ss@example.com/feed?apikey=k1&page=3")
	if strings.Join(got, ",") != "pa$ss,k1" && strings.Join(got, ",") != "k1,pa$ss" {
		t.Errorf("URLSecrets = %q", got)
	}
	if got := redact.URLSecrets("https://example.com/feed"); got != nil {
		t.Errorf("no credentials: %q", got)
	}
}

func TestScrubber(t *testing.T) {
	s := redact.NewScrubber("sk-live-0123456789", "p@ss/word", "", "ab", "sk-live-0123456789-longer")
	for in, want := range map[string]string{
		"401: invalid key Bearer sk-live-0123456789 given":     "401: invalid key Bearer [redacted] given",
		"key sk-live-0123456789-longer":                        "key [redacted]",
		"form password=p%40ss%2Fword and path p@ss%2Fword":     "form password=[redacted] and path [redacted]",
		`{"error":"bad password \"p@ss\/word\""}`:              `{"error":"bad password \"p@ss\/word\""}`,
		"short secrets are not scrubbed: ab":                   "short secrets are not scrubbed: ab",
		"a message cut for the record: Bearer sk-live-01234…":  "a message cut for the record: Bearer [redacted]…",
		"cut without an ellipsis: sk-live-0":                   "cut without an ellipsis: [redacted]",
		"a word that starts like one: sk-l":                    "a word that starts like one: [redacted]",
		"GET http://u:whatever@host/: 500 Internal Server Err": "GET http://u:[redacted]@host/: 500 Internal Server Err",
	} {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	var nilScrubber *redact.Scrubber
	if got := nilScrubber.String("http://u:p@h/ sk-live-0123456789"); got != "http://u:[redacted]@h/ sk-live-0123456789" {
		t.Errorf("nil scrubber: %q", got)
	}

	err := fmt.Errorf("llm: %w: 401 echo Authorization: Bearer sk-live-0123456789", fs.ErrPermission)
	clean := s.Error(err)
	if strings.Contains(clean.Error(), "sk-live") || !errors.Is(clean, fs.ErrPermission) {
		t.Errorf("Error: %q, errors.Is %v", clean, errors.Is(clean, fs.ErrPermission))
	}
	plain := errors.New("nothing secret")
	if s.Error(plain) != plain || s.Error(nil) != nil {
		t.Error("an error with nothing to scrub is not returned as it is")
	}
}

type stringer struct{}

func (stringer) String() string { return "token sk-live-0123456789" }

type nilStringer struct{ s *string }

func (n *nilStringer) String() string { return *n.s }

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	s := redact.NewScrubber("sk-live-0123456789")
	log := slog.New(redact.NewHandler(slog.NewTextHandler(&buf, nil), s))
	log = log.With("key", "sk-live-0123456789", slog.Group("g", "url", "http://u:pw-in-url@h/"))
	log.WithGroup("req").Info("calling with sk-live-0123456789",
		"err", errors.New("401: sk-live-0123456789"),
		"stringer", stringer{},
		"map", map[string]string{"auth": "Bearer sk-live-0123456789"},
		"count", 3,
		"nil", (*nilStringer)(nil),
		slog.Group("inner", "v", "sk-live-0123456789"))
	out := buf.String()
	if strings.Contains(out, "sk-live") || strings.Contains(out, "pw-in-url") {
		t.Errorf("a secret reached the log:\n%s", out)
	}
	for _, want := range []string{"msg=\"calling with [redacted]\"", "key=[redacted]", "g.url=http://u:[redacted]@h/", "req.count=3", "req.inner.v=[redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}
