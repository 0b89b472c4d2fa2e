package engine

import (
	"context"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// The queue reader counts jobs by state and kind and gives each kind's
// latest attempted job with the time it finished, on both databases, with
// or without a running engine.
func TestQueue(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		e := newEngine(t, db, testConfig("node-queue"), rec.handle)
		ctx := context.Background()
		q := NewQueue(db)
		if counts, err := q.Counts(ctx); err != nil || len(counts) != 0 {
			t.Fatalf("empty queue: %+v, %v", counts, err)
		}
		later := time.Now().Add(time.Hour)
		must(t, e.Enqueue(ctx,
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1, ScheduledAt: later},
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 2, ScheduledAt: later},
			jobpilot.Task{Kind: jobpilot.TaskCleanup}))
		before := time.Now().Add(-time.Second)
		must(t, e.Start(ctx))
		eventually(t, 10*time.Second, "cleanup completed", func() bool { return oneJob(t, db.SQL(), pg, "cleanup").State == "completed" })

		counts, err := q.Counts(ctx)
		must(t, err)
		got := map[string]int{}
		for _, c := range counts {
			got[c.Kind+"/"+c.State] = c.Count
		}
		if len(got) != 2 || got["send_application/scheduled"] != 2 || got["cleanup/completed"] != 1 {
			t.Fatalf("counts %+v", counts)
		}
		last, err := q.Last(ctx)
		must(t, err)
		c, ok := last["cleanup"]
		if len(last) != 1 || !ok || c.State != "completed" || c.Attempt != 1 || c.At.Before(before) || c.At.After(time.Now().Add(time.Second)) {
			t.Fatalf("last %+v, want only the completed cleanup, finished just now", last)
		}
	})
}
