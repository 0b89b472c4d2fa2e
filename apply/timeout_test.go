package apply_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// stallingStore is a database that stalls: the first pass application
// inserts go through, then every further one hangs until the caller's
// context ends. The number created before a timeout is therefore known
// (at most pass, even on a loaded machine) and the run cannot finish
// without its timeout.
type stallingStore struct {
	jobpilot.Store
	pass  int
	mu    sync.Mutex
	calls int
}

func (s *stallingStore) CreateApplication(ctx context.Context, app *jobpilot.Application, tasks ...jobpilot.Task) (bool, error) {
	s.mu.Lock()
	s.calls++
	stall := s.calls > s.pass
	s.mu.Unlock()
	if stall {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return s.Store.CreateApplication(ctx, app, tasks...)
}

// An automation run cut short by AUTOMATION_TIMEOUT (its context's
// deadline) ends as timed_out with the counts it reached; the handler
// reports success so the engine does not retry a run that would only time
// out again. What it created is durable: the next run continues from there
// and no posting gets two applications.
func TestAutomationRunTimeout(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"}, system.Options{})
		slow := *e.sys.Apply
		slow.Store = &stallingStore{Store: e.st, pass: 3}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // room to count the postings on a loaded machine
		defer cancel()
		if err := slow.AutomationRun(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
			t.Fatalf("a timed-out run returned %v; it is recorded, not retried", err)
		}
		run := e.lastRun(t, jobpilot.RunAutomation)
		if run.Status != jobpilot.RunTimedOut || run.FinishedAt == nil || run.Error == "" {
			t.Fatalf("run %+v, want timed_out, finished, with its reason", run)
		}
		created := run.Counts["matched"] + run.Counts["skipped"]
		if run.Counts["postings"] != 13 || created > 3 {
			t.Fatalf("timed-out run counts %v: want 13 postings and at most the 3 applications the store let through", run.Counts)
		}
		if created < 3 {
			t.Logf("only %d applications before the timeout (a loaded machine)", created)
		}
		profiles, _ := e.st.Profiles(context.Background())
		if n := len(e.apps(t, profiles[0].ID)); n != created {
			t.Errorf("%d applications stored, the run counted %d", n, created)
		}

		// The next run, with time enough, does the rest.
		next := e.automate(t)
		if next.Status != jobpilot.RunSucceeded {
			t.Fatalf("next run %+v", next)
		}
		if got := next.Counts["matched"] + next.Counts["skipped"]; got != 12-created {
			t.Errorf("next run created %d applications, want the remaining %d", got, 12-created)
		}
		if n := len(e.apps(t, profiles[0].ID)); n != 12 {
			t.Errorf("%d applications after both runs, want 12", n)
		}
	})
}

// The same through the engine: AUTOMATION_TIMEOUT (3000 s scaled to 3 s)
// bounds the automation job the engine runs; the run is recorded as
// timed_out and the job completes.
func TestAutomationTimeoutThroughTheEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(), map[string]string{
		"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template",
		// 3 s scaled: room for the run to load and count the postings on a
		// loaded machine before the stalled store holds it past the limit.
		"AUTOMATION_TIMEOUT": "3000", "SHUTDOWN_GRACE": "1",
	}, system.Options{})
	// The engine calls the handlers of e.sys.Apply; slow its store down
	// before the engine starts.
	e.sys.Apply.Store = &stallingStore{Store: e.st, pass: 3}
	ctx := context.Background()
	if err := e.sys.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.sys.Stop(sctx)
	})
	if err := e.sys.Engine.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		t.Fatal(err)
	}
	var run *jobpilot.Run
	dbtest.Eventually(t, 60*time.Second, "an automation run to finish", func() bool {
		runs, err := e.st.Runs(ctx, 10)
		if err != nil {
			return false
		}
		for _, r := range runs {
			if r.Kind == jobpilot.RunAutomation && r.FinishedAt != nil {
				run = r
				return true
			}
		}
		return false
	})
	if run.Status != jobpilot.RunTimedOut {
		t.Fatalf("run %+v, want timed_out", run)
	}
	if created := run.Counts["matched"] + run.Counts["skipped"]; run.Counts["postings"] != 13 || created > 3 {
		t.Errorf("counts %v: want 13 postings and at most the 3 applications the store let through", run.Counts)
	}
	if elapsed := run.FinishedAt.Sub(run.StartedAt); elapsed > 30*time.Second {
		t.Errorf("the run took %s under a 3 s timeout", elapsed)
	}
}
