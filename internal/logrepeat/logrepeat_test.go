package logrepeat_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jobpilot/jobpilot/internal/logrepeat"
)

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }
func (b *buffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.b.String()), "\n")
}

// A database outage of four minutes with an error every 100 ms (2,400
// lines) writes two lines a minute per kind: the first, then one summary
// that counts the rest; nothing is lost from the count, other kinds and
// levels pass, and the attributes of the last repeat are kept.
func TestRepeatsCollapseIntoSummaries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &buffer{}
		h := logrepeat.New(slog.NewTextHandler(out, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}), time.Minute)
		log := slog.New(h).With("component", "river")
		const n = 2400
		for i := range n {
			log.Error("producer: error fetching jobs", "err", "database is down", "i", i)
			if i%600 == 0 {
				log.Warn("elector: error attempting reelection", "err", "database is down")
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Minute) // the last window ends
		synctest.Wait()

		written, suppressed := 0, 0
		summary := regexp.MustCompile(`producer: error fetching jobs \((\d+) similar lines suppressed in the last 1m0s\)`)
		var other []string
		for _, line := range out.lines() {
			switch {
			case summary.MatchString(line):
				c, _ := strconv.Atoi(summary.FindStringSubmatch(line)[1])
				suppressed += c
				if !strings.Contains(line, "component=river") || !strings.Contains(line, `err="database is down"`) {
					t.Errorf("summary without the repeats' attributes: %s", line)
				}
			case strings.Contains(line, `msg="producer: error fetching jobs"`):
				written++
			default:
				other = append(other, line)
			}
		}
		if written+suppressed != n {
			t.Errorf("%d written + %d suppressed, want %d in all", written, suppressed, n)
		}
		if written > 5 || len(out.lines()) > 12 {
			t.Errorf("%d lines for %d repeats over four minutes:\n%s", len(out.lines()), n, strings.Join(out.lines(), "\n"))
		}
		if len(other) != 4 {
			t.Errorf("the warnings, one a minute, were not all written: %q", other)
		}
	})
}

// Flush writes the summary of a window still open (at shutdown).
func TestFlushWritesOpenSummaries(t *testing.T) {
	out := &buffer{}
	h := logrepeat.New(slog.NewTextHandler(out, nil), time.Hour)
	log := slog.New(h)
	for range 3 {
		log.Error("same")
	}
	h.Flush()
	if got := out.lines(); len(got) != 2 || !strings.Contains(got[1], fmt.Sprintf("same (%d similar lines suppressed in the last 1h0m0s)", 2)) {
		t.Errorf("lines %q, want the first and a summary of 2", got)
	}
}
