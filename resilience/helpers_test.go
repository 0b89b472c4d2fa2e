package resilience_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/resilience"
)

// scaled is the guide's table with every delay, timeout and recovery time
// multiplied by f (0.001 runs seconds as milliseconds).
func scaled(f float64) resilience.Config {
	c := resilience.Defaults()
	c.TimeScale = f
	return c
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of slog.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recorder captures events, logs and metrics of one test.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
	logs   *syncBuffer
}

func newRecorder() *recorder { return &recorder{logs: &syncBuffer{}} }

func (r *recorder) options() resilience.Options {
	return resilience.Options{
		Logger: slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{
			// Drop the time so log lines compare stably.
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		})),
		OnEvent: r.record,
	}
}

func (r *recorder) record(e resilience.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds(kind string) []resilience.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []resilience.Event
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) delays() []time.Duration {
	var out []time.Duration
	for _, e := range r.kinds(resilience.KindRetry) {
		out = append(out, e.Delay)
	}
	return out
}

// messages returns the log lines' msg values in order.
func (r *recorder) messages() []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(r.logs.String()), "\n") {
		if i := strings.Index(line, "msg="); i >= 0 {
			rest := line[i+4:]
			if strings.HasPrefix(rest, `"`) {
				end := strings.Index(rest[1:], `"`)
				for end >= 0 && rest[end] == '\\' { // skip escaped quotes
					next := strings.Index(rest[end+2:], `"`)
					end = end + 1 + next
				}
				out = append(out, rest[1:end+1])
			} else {
				out = append(out, strings.Fields(rest)[0])
			}
		}
	}
	return out
}

func assertDelays(t *testing.T, got []time.Duration, want ...time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("delays = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays = %v, want %v", got, want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func join(ss []string) string { return strings.Join(ss, "\n") }
