package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// A job whose dependency said when to come back (a 429's Retry-After that
// outlasted the policy's retries) waits exactly that long and keeps its
// attempts: being paced is not failing.
func TestRetryAfterSnoozesWithoutBurningAttempts(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		var calls atomic.Int32
		const after = 80 * time.Millisecond
		rec.on(jobpilot.TaskProcessPosting, func(ctx context.Context, _ jobpilot.Task) error {
			if calls.Add(1) <= 2 {
				return fmt.Errorf("llm: %w", jobpilot.TransientAfter(errors.New("429 Too Many Requests"), after))
			}
			return nil
		})
		e := startEngine(t, db, testConfig("node-ratelimit"), rec.handle)
		must(t, e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 1}))
		eventually(t, 10*time.Second, "job completes", func() bool {
			return oneJob(t, db.SQL(), pg, "process_posting").State == "completed"
		})
		got := rec.of(jobpilot.TaskProcessPosting)
		if len(got) != 3 {
			t.Fatalf("job ran %d times, want 3", len(got))
		}
		for i, c := range got {
			if c.Job.Attempt != 1 {
				t.Errorf("call %d saw attempt %d: a Retry-After must not burn attempts", i, c.Job.Attempt)
			}
			if i > 0 && c.At.Sub(got[i-1].At) < after {
				t.Errorf("call %d came %s after the previous one, before the Retry-After of %s", i, c.At.Sub(got[i-1].At), after)
			}
		}
	})
}
