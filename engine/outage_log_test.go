package engine

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// While the database is down River repeats the same errors several times a
// second (2,500 lines in a 5-minute outage before). Each kind of line is
// now written once a window and then summarised with the count of those
// held back.
func TestRiverRepeatsDuringAnOutageAreSummarised(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, false)
	cfg := testConfig("node-outage-log")
	const window = 300 * time.Millisecond
	cfg.RepeatedLogWindow = window
	logs := newLogRecorder()
	startEngine(t, db, cfg, func(context.Context, jobpilot.Task) error { return nil }, func(o *Options) { o.Logger = slog.New(logs) })

	down := time.Now()
	db.SQL().Close()
	eventually(t, 20*time.Second, "a summary of River's repeated errors", func() bool {
		for _, m := range logs.all() {
			if strings.Contains(m, "similar lines suppressed in the last 300ms") {
				return true
			}
		}
		return false
	})
	windows := int(time.Since(down)/window) + 1
	counts := map[string]int{}
	for _, m := range logs.all() {
		if !strings.Contains(m, "similar lines suppressed") {
			counts[m]++
		}
	}
	for m, n := range counts {
		if n > windows {
			t.Errorf("%q written %d times in %d windows of %s", m, n, windows, window)
		}
	}
	t.Logf("lines written while the database was down (%d windows): %v", windows, counts)
}
