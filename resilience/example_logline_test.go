package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// The retry log line in the stability guide's shape: the operation, the
// failed attempt out of the retries allowed, the error and the wait. This
// example waits the guide's real 2 s once, so that the line shows the
// guide's figure; TestRetryLogLinesAtGuideTime checks the whole sequence
// (2, 4, 8 s and the give-up) in virtual time.
func Example_retryLogLine() {
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key != slog.MessageKey && a.Key != slog.LevelKey {
			return slog.Attr{} // keep the level and the message only
		}
		return a
	}}))
	set := resilience.NewSet(resilience.Defaults(), resilience.Options{Logger: log})
	calls := 0
	_ = set.Do(context.Background(), resilience.ServiceEmail, func(context.Context) error {
		if calls++; calls == 1 {
			return jobpilot.Transient(errors.New("Connection timeout"))
		}
		fmt.Println("sent on attempt", calls)
		return nil
	})
	// Output:
	// level=WARN msg="send_email failed (attempt 1/4): Connection timeout. Retrying in 2.00s..."
	// sent on attempt 2
}

// The guide's log lines at the guide's own times (2, 4, 8 s), then the
// give-up, in a bubble whose clock is virtual: the retries wait no real
// time.
func TestRetryLogLinesAtGuideTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var msgs messageLog
		set := resilience.NewSet(resilience.Defaults(), resilience.Options{Logger: slog.New(&msgs)})
		err := set.Do(context.Background(), resilience.ServiceEmail, func(context.Context) error {
			return jobpilot.Transient(errors.New("Connection timeout"))
		})
		if err == nil {
			t.Fatal("no error after the last retry")
		}
		want := []string{
			"WARN send_email failed (attempt 1/4): Connection timeout. Retrying in 2.00s...",
			"WARN send_email failed (attempt 2/4): Connection timeout. Retrying in 4.00s...",
			"WARN send_email failed (attempt 3/4): Connection timeout. Retrying in 8.00s...",
			"ERROR send_email failed after 3 retries: Connection timeout",
		}
		if got := msgs.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("log lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// messageLog is a slog.Handler keeping "LEVEL message" of each record.
type messageLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *messageLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *messageLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *messageLog) WithGroup(string) slog.Handler            { return l }
func (l *messageLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
	return nil
}

func (l *messageLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}
