package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// Transient errors are retried with our backoff (1 ms, 2 ms … at TimeScale
// 0.001); permanent errors and EINVALID/ENOTFOUND/ECONFLICT cancel at once.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		var sends, opens atomic.Int32
		rec.on(jobpilot.TaskSendApplication, func(ctx context.Context, t jobpilot.Task) error {
			switch t.ApplicationID {
			case 1: // transient twice, then fine
				if sends.Add(1) <= 2 {
					return fmt.Errorf("smtp: %w", jobpilot.Transient(errFlaky))
				}
				return nil
			case 2:
				return fmt.Errorf("smtp 550: %w", jobpilot.Permanent(errFlaky))
			case 3:
				return jobpilot.Errorf(jobpilot.ECONFLICT, "application is not approved")
			case 4:
				return errors.New("unclassified")
			case 5: // circuit open twice, then closed
				if opens.Add(1) <= 2 {
					return fmt.Errorf("send: %w", &resilience.OpenError{Breaker: "email", RetryIn: 50 * time.Millisecond})
				}
				return nil
			}
			return nil
		})
		cfg := testConfig("node-errors")
		e := startEngine(t, db, cfg, rec.handle)
		must(t, e.Enqueue(context.Background(),
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1},
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 2},
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 3},
		))
		must(t, e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 5}))
		// A job that always fails with an unclassified error, inserted last.
		must(t, e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 4}))

		byApp := func(id int64) []call {
			var out []call
			for _, c := range rec.of(jobpilot.TaskSendApplication) {
				if c.Task.ApplicationID == id {
					out = append(out, c)
				}
			}
			return out
		}
		eventually(t, 10*time.Second, "jobs settle", func() bool {
			rows := jobRows(t, db.SQL(), pg, "send_application")
			n := 0
			for _, r := range rows {
				if r.State == "completed" || r.State == "cancelled" {
					n++
				}
			}
			return n == 4
		})
		rows := jobRows(t, db.SQL(), pg, "send_application")
		want := []struct {
			state   string
			attempt int
			errs    int
		}{{"completed", 3, 2}, {"cancelled", 1, 1}, {"cancelled", 1, 1}, {"completed", 1, 0}} // applications 1, 2, 3, 5 (4 was inserted last)
		if len(rows) != 5 {
			t.Fatalf("%d send jobs, want 5", len(rows))
		}
		for i, w := range want {
			r := rows[i]
			if r.State != w.state || r.Attempt != w.attempt || r.Errors != w.errs {
				t.Errorf("job %d: state=%s attempt=%d errors=%d, want %s/%d/%d", i+1, r.State, r.Attempt, r.Errors, w.state, w.attempt, w.errs)
			}
		}
		calls := byApp(1)
		if len(calls) != 3 {
			t.Fatalf("transient job ran %d times, want 3", len(calls))
		}
		for i, c := range calls {
			if c.Job.Attempt != i+1 {
				t.Errorf("call %d saw attempt %d", i, c.Job.Attempt)
			}
			if !c.HasDead {
				t.Errorf("call %d: ctx without deadline", i)
			}
		}
		// Our backoff: retry 1 after ≥ 1 ms, retry 2 after ≥ 2 ms.
		if gap := calls[1].At.Sub(calls[0].At); gap < time.Millisecond {
			t.Errorf("first retry after %s, want ≥ 1ms", gap)
		}
		if gap := calls[2].At.Sub(calls[1].At); gap < 2*time.Millisecond {
			t.Errorf("second retry after %s, want ≥ 2ms", gap)
		}
		if n := len(byApp(2)) + len(byApp(3)); n != 2 {
			t.Errorf("cancelled jobs ran %d times, want 2 (once each)", n)
		}
		// Snoozed twice on the open circuit, never burning an attempt, and
		// not before the breaker's RetryIn.
		opened := byApp(5)
		if len(opened) != 3 {
			t.Fatalf("snoozed job ran %d times, want 3", len(opened))
		}
		for i, c := range opened {
			if c.Job.Attempt != 1 {
				t.Errorf("snoozed call %d saw attempt %d, want 1", i, c.Job.Attempt)
			}
			if i > 0 && c.At.Sub(opened[i-1].At) < 50*time.Millisecond {
				t.Errorf("snoozed call %d came %s after the previous one, before RetryIn", i, c.At.Sub(opened[i-1].At))
			}
		}
		// The unclassified error keeps being retried (max 10 for sends).
		eventually(t, 10*time.Second, "unclassified retried", func() bool { return len(byApp(4)) >= 3 })
	})
}

// Our backoff is the guide's: min(initial × base^(n−1), max), with the
// guide's 1 s, 60 s and 2 when unset.
func TestBackoff(t *testing.T) {
	t.Parallel()
	b := Config{}.withDefaults().Backoff
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 60 * time.Second, 60 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %s, want %s", i+1, got, w)
		}
	}
	scaled := Backoff{Initial: 10 * time.Millisecond, Max: 600 * time.Millisecond, Base: 2}
	if got := scaled.Delay(3); got != 40*time.Millisecond {
		t.Errorf("scaled Delay(3) = %s, want 40ms", got)
	}
	if got := scaled.Delay(1000); got != 600*time.Millisecond {
		t.Errorf("scaled Delay(1000) = %s, want the 600ms cap", got)
	}
}

// Inserting process_posting twice for one (profile, posting) runs it once.
func TestUniqueProcessPosting(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		e := newEngine(t, db, testConfig("node-unique"), rec.handle)
		ctx := context.Background()
		task := jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 7, PostingID: 42, ApplicationID: 1}
		tx, err := db.SQL().BeginTx(ctx, nil)
		must(t, err)
		must(t, e.InsertTasks(ctx, tx, []jobpilot.Task{task}))
		must(t, tx.Commit())
		task.ApplicationID = 2 // same (profile, posting): still a duplicate
		must(t, e.Enqueue(ctx, task))
		must(t, e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 7, PostingID: 43}))
		if n := len(jobRows(t, db.SQL(), pg, "process_posting")); n != 2 {
			t.Fatalf("%d process_posting jobs, want 2", n)
		}
		must(t, e.Start(ctx))
		// Once both jobs are completed the queue holds nothing else that
		// could run: the handler calls are final.
		eventually(t, 10*time.Second, "both postings processed", func() bool {
			rows := jobRows(t, db.SQL(), pg, "process_posting")
			return len(rows) == 2 && rows[0].State == "completed" && rows[1].State == "completed"
		})
		calls := rec.of(jobpilot.TaskProcessPosting)
		if len(calls) != 2 {
			t.Fatalf("process_posting ran %d times, want 2", len(calls))
		}
		for _, c := range calls {
			if c.Task.PostingID == 42 && c.Task.ApplicationID != 1 {
				t.Errorf("posting 42 ran with %+v, want the first insert's application 1", c.Task)
			}
		}
	})
}

// Tasks inserted in a transaction exist only if it commits; bad tasks are
// EINVALID and insert nothing.
func TestInsertTasksTransaction(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		e := newEngine(t, db, testConfig("node-tx"), newRecorder().handle)
		ctx := context.Background()
		tx, err := db.SQL().BeginTx(ctx, nil)
		must(t, err)
		must(t, e.InsertTasks(ctx, tx, []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: 9}}))
		must(t, tx.Rollback())
		if n := len(jobRows(t, db.SQL(), pg, "send_application")); n != 0 {
			t.Fatalf("rolled back task exists (%d rows)", n)
		}
		err = e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1}, jobpilot.Task{Kind: "bogus"})
		if jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Fatalf("bogus kind: %v, want EINVALID", err)
		}
		if err := e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Fatalf("process_posting without ids: %v, want EINVALID", err)
		}
		if n := len(jobRows(t, db.SQL(), pg, "send_application")); n != 0 {
			t.Fatalf("a batch with an invalid task inserted %d rows", n)
		}
		at := time.Now().Add(time.Hour)
		must(t, e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskCleanup, ScheduledAt: at}))
		if r := oneJob(t, db.SQL(), pg, "cleanup"); r.State != "scheduled" {
			t.Fatalf("scheduled task state %s", r.State)
		}
	})
}

// A panicking or failing handler never stops other jobs or the periodic schedule.
func TestErrorIsolation(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		rec.on(jobpilot.TaskProcessPosting, func(ctx context.Context, t jobpilot.Task) error {
			if t.PostingID%2 == 0 {
				panic("handler bug")
			}
			return nil
		})
		rec.on(jobpilot.TaskFetchPostings, func(context.Context, jobpilot.Task) error { return errors.New("source down") })
		cfg := testConfig("node-isolation")
		cfg.AutomationInterval = 150 * time.Millisecond
		cfg.FetchInterval = 150 * time.Millisecond
		e := startEngine(t, db, cfg, rec.handle)
		var tasks []jobpilot.Task
		for i := int64(1); i <= 10; i++ {
			tasks = append(tasks, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: i})
		}
		must(t, e.Enqueue(context.Background(), tasks...))
		eventually(t, 60*time.Second, "odd postings done and automation ticking", func() bool {
			done := 0
			for _, r := range jobRows(t, db.SQL(), pg, "process_posting") {
				if r.State == "completed" {
					done++
				}
			}
			return done == 5 && len(rec.of(jobpilot.TaskAutomationRun)) >= 2 && len(rec.of(jobpilot.TaskFetchPostings)) >= 2
		})
		// The panicking ones are retried (attempt ≥ 2), not lost.
		eventually(t, 60*time.Second, "panicking jobs retried", func() bool {
			retried := 0
			for _, c := range rec.of(jobpilot.TaskProcessPosting) {
				if c.Task.PostingID%2 == 0 && c.Job.Attempt >= 2 {
					retried++
				}
			}
			return retried >= 5
		})
		if !e.Status().Running {
			t.Fatal("engine not running after panics")
		}
	})
}

// rescue: a job left "running" by a dead process of this node is made
// available at Start and reaches the handler with the next attempt number;
// another node's running job is left to River's rescuer.
func TestStartRescuesOwnOrphans(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		cfg := testConfig("node-a")
		e := newEngine(t, db, cfg, rec.handle)
		ctx := context.Background()
		must(t, e.Enqueue(ctx,
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1},
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 2}))
		rows := jobRows(t, db.SQL(), pg, "send_application")
		markRunning(t, db.SQL(), pg, rows[0].ID, "node-a")
		markRunning(t, db.SQL(), pg, rows[1].ID, "node-b")
		start := time.Now()
		must(t, e.Start(ctx))
		// Start rescues before the client starts: whatever it left as it
		// is stays so until River's rescuer, an hour away (RescueAfter).
		if r := jobRows(t, db.SQL(), pg, "send_application")[1]; r.State != "running" {
			t.Fatalf("other node's job state %s after Start, want running (left to the rescuer)", r.State)
		}
		eventually(t, 5*time.Second, "orphan resumed and completed", func() bool {
			return jobRows(t, db.SQL(), pg, "send_application")[0].State == "completed"
		})
		t.Logf("orphan resumed %s after Start", time.Since(start))
		calls := rec.of(jobpilot.TaskSendApplication)
		if len(calls) != 1 {
			t.Fatalf("%d send calls, want only the rescued orphan's: %+v", len(calls), calls)
		}
		if c := calls[0]; c.Task.ApplicationID != 1 || c.Job.Attempt != 2 || c.Job.Errors != 0 {
			t.Fatalf("rescued call = %+v, want application 1 at attempt 2 with no recorded errors", c)
		}
		if r := jobRows(t, db.SQL(), pg, "send_application")[1]; r.State != "running" {
			t.Fatalf("other node's job state %s, want running (left to the rescuer)", r.State)
		}
	})
}

func markRunning(t *testing.T, db *sql.DB, pg bool, id int64, node string) {
	t.Helper()
	q := `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', 'subsec'), attempted_by = jsonb(json_array(?)) WHERE id = ?`
	if pg {
		q = `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY[$1::text] WHERE id = $2`
	}
	_, err := db.Exec(q, node, id)
	must(t, err)
}

// A unique task queued again after its first job completed runs again:
// uniqueness guards only unfinished jobs (a resend after needs_review, a
// retry after failed).
func TestUniqueTaskRunsAgainAfterCompleting(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		e := newEngine(t, db, testConfig("node-again"), rec.handle)
		ctx := context.Background()
		task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 5}
		must(t, e.Enqueue(ctx, task))
		must(t, e.Start(ctx))
		eventually(t, 10*time.Second, "the first send completed", func() bool {
			rows := jobRows(t, db.SQL(), pg, "send_application")
			return len(rows) == 1 && rows[0].State == "completed"
		})
		must(t, e.Enqueue(ctx, task))
		eventually(t, 10*time.Second, "the second send completed", func() bool {
			rows := jobRows(t, db.SQL(), pg, "send_application")
			return len(rows) == 2 && rows[1].State == "completed"
		})
		if n := len(rec.of(jobpilot.TaskSendApplication)); n != 2 {
			t.Fatalf("send ran %d times, want 2", n)
		}
	})
}

// A unique task queued while its duplicate is running is not lost: the
// running job may already have decided (read the application's status), so
// the task runs again once that job completes, and never beside it. Both
// ways of queueing are covered: inside a caller's transaction and on its own.
func TestUniqueTaskQueuedWhileItsDuplicateRuns(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		for _, how := range []string{"tx", "enqueue"} {
			t.Run(how, func(t *testing.T) {
				db := newTestDB(t, pg)
				rec := newRecorder()
				entered, release := make(chan struct{}, 2), make(chan struct{})
				var running atomic.Int32
				var overlapped atomic.Bool
				rec.on(jobpilot.TaskSendApplication, func(ctx context.Context, _ jobpilot.Task) error {
					if running.Add(1) > 1 {
						overlapped.Store(true)
					}
					defer running.Add(-1)
					entered <- struct{}{}
					if len(rec.of(jobpilot.TaskSendApplication)) == 1 {
						<-release // the first run has decided; it has not finished
					}
					return nil
				})
				e := newEngine(t, db, testConfig("node-"+how), rec.handle)
				ctx := context.Background()
				task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 7}
				must(t, e.Enqueue(ctx, task))
				must(t, e.Start(ctx))
				<-entered
				if how == "tx" {
					tx, err := db.SQL().BeginTx(ctx, nil)
					must(t, err)
					must(t, e.InsertTasks(ctx, tx, []jobpilot.Task{task}))
					must(t, tx.Commit())
				} else {
					must(t, e.Enqueue(ctx, task))
				}
				if rows := jobRows(t, db.SQL(), pg, "send_application"); len(rows) != 1 {
					t.Fatalf("%d jobs while the first runs, want 1 (never two at once)", len(rows))
				}
				close(release)
				eventually(t, 10*time.Second, "the task ran again", func() bool {
					rows := jobRows(t, db.SQL(), pg, "send_application")
					return len(rows) == 2 && rows[0].State == "completed" && rows[1].State == "completed"
				})
				if n := len(rec.of(jobpilot.TaskSendApplication)); n != 2 {
					t.Errorf("send ran %d times, want 2", n)
				}
				if overlapped.Load() {
					t.Error("the second run overlapped the first")
				}
			})
		}
	})
}
