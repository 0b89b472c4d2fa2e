package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/engine"
)

// RunArgs are the arguments of an automation run.
type RunArgs struct{}

func (RunArgs) Kind() string                  { return string(jobpilot.TaskAutomationRun) }
func (RunArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskAutomationRun} }
func (*RunArgs) FromTask(jobpilot.Task) error { return nil }

// Every attempt is bounded by its kind's timeout (the stability guide's
// job timeout, 600 s for one posting, and automation timeout, 3600 s for a
// full run; here 100 ms and 300 ms). At the deadline the handler's context
// is cancelled, so the work itself stops, not only the wait for it; the
// attempt counts as failed and is retried while attempts remain. One worker
// makes the order repeatable.
func ExampleKindOptions_timeout() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db := openStore(ctx, dir)
	defer db.Close()

	done := make(chan struct{})
	slowFirst := func(ctx context.Context, t jobpilot.Task) error {
		job, _ := engine.JobFromContext(ctx)
		if t.Kind == jobpilot.TaskProcessPosting && job.Attempt > 1 {
			fmt.Printf("%s, attempt %d: done\n", t.Kind, job.Attempt)
			close(done)
			return nil
		}
		start := time.Now()
		<-ctx.Done() // work that would take longer than the timeout
		fmt.Printf("%s, attempt %d: stopped after %s: %v\n", t.Kind, job.Attempt, time.Since(start).Round(100*time.Millisecond), ctx.Err())
		return ctx.Err()
	}
	kinds := engine.NewKinds()
	engine.AddKind[RunArgs](kinds, slowFirst, engine.KindOptions{Timeout: 300 * time.Millisecond, MaxAttempts: 1})
	engine.AddKind[PostingArgs](kinds, slowFirst, engine.KindOptions{Timeout: 100 * time.Millisecond, MaxAttempts: 2})
	e, err := engine.New(db, engine.Options{
		Config: engine.Config{NodeID: "example", Workers: 1, Backoff: engine.Backoff{Initial: time.Millisecond}},
		Kinds:  kinds, FastStart: true, Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, PostingID: 42}); err != nil {
		log.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-done
	if err := e.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// automation_run, attempt 1: stopped after 300ms: context deadline exceeded
	// process_posting, attempt 1: stopped after 100ms: context deadline exceeded
	// process_posting, attempt 2: done
}
