package engine

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// A job running at Stop finishes within the grace period; Stop waits for it.
func TestStopWaitsForRunningJob(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		started := make(chan struct{})
		rec.on(jobpilot.TaskProcessPosting, func(ctx context.Context, _ jobpilot.Task) error {
			close(started)
			select {
			case <-time.After(300 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		cfg := testConfig("node-stop")
		// A grace far above the job: Stop returning well before it shows it
		// waited for the job, not for the grace.
		cfg.ShutdownGrace = 20 * time.Second
		e := startEngine(t, db, cfg, rec.handle)
		must(t, e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 1}))
		<-started
		begin := time.Now()
		must(t, e.Stop(context.Background()))
		took := time.Since(begin)
		if r := oneJob(t, db.SQL(), pg, "process_posting"); r.State != "completed" || r.Attempt != 1 {
			t.Fatalf("job after Stop: %+v, want completed at attempt 1", r)
		}
		if took > 10*time.Second {
			t.Errorf("Stop took %s for a 300ms job: it waited for the grace, not for the job", took)
		}
		if e.Status().Running {
			t.Error("status running after Stop")
		}
		if err := e.Start(context.Background()); jobpilot.ErrorCode(err) != jobpilot.ECONFLICT {
			t.Errorf("Start after Stop: %v, want ECONFLICT", err)
		}
	})
}

// A job that outlives the grace period is cancelled (its context), snoozed
// rather than failed, and completes after a restart without burning an attempt.
func TestStopCancelsAfterGraceAndJobResumes(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		var first atomic.Bool
		first.Store(true)
		started := make(chan struct{}, 1)
		rec := newRecorder()
		rec.on(jobpilot.TaskSendApplication, func(ctx context.Context, _ jobpilot.Task) error {
			if first.CompareAndSwap(true, false) {
				started <- struct{}{}
				<-ctx.Done() // a slow send that only stops when told to
				return ctx.Err()
			}
			return nil
		})
		cfg := testConfig("node-grace")
		cfg.ShutdownGrace = 200 * time.Millisecond
		e := startEngine(t, db, cfg, rec.handle)
		must(t, e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 3}))
		<-started
		begin := time.Now()
		must(t, e.Stop(context.Background()))
		took := time.Since(begin)
		// At least the grace; the upper bound only catches a Stop that
		// waited for the job instead of cancelling it (it never returns).
		if took < 200*time.Millisecond || took > 10*time.Second {
			t.Errorf("Stop took %s, want about the 200ms grace", took)
		}
		r := oneJob(t, db.SQL(), pg, "send_application")
		if r.State != "available" || r.Attempt != 0 || r.Errors != 0 {
			t.Fatalf("cancelled job: %+v, want available, no attempt burnt, no error", r)
		}
		// The next process (same node) runs it.
		e2 := startEngine(t, db, cfg, rec.handle)
		eventually(t, 10*time.Second, "job completes after restart", func() bool {
			return oneJob(t, db.SQL(), pg, "send_application").State == "completed"
		})
		calls := rec.of(jobpilot.TaskSendApplication)
		if len(calls) != 2 || calls[1].Job.Attempt != 1 {
			t.Fatalf("calls = %+v, want 2, the second at attempt 1", calls)
		}
		must(t, e2.Stop(context.Background()))
	})
}
