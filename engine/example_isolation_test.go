package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/engine"
)

// PostingArgs are the arguments of a kind that processes one posting.
type PostingArgs struct {
	PostingID int64 `json:"posting_id" river:"unique"`
}

func (PostingArgs) Kind() string { return string(jobpilot.TaskProcessPosting) }
func (a PostingArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: a.PostingID}
}
func (a *PostingArgs) FromTask(t jobpilot.Task) error {
	if t.PostingID == 0 {
		return jobpilot.FieldError("posting_id", "a posting is required")
	}
	a.PostingID = t.PostingID
	return nil
}

// One job's failure never stops the others (the stability guide's job
// isolation): a handler that panics is recovered and its job retried like a
// transient failure, a permanent error cancels only its own job, and the
// rest of the queue runs on. One worker makes the order repeatable.
func Example_isolation() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db := openStore(ctx, dir)
	defer db.Close()

	done := make(chan struct{})
	process := func(ctx context.Context, t jobpilot.Task) error {
		job, _ := engine.JobFromContext(ctx)
		switch {
		case t.PostingID == 1 && job.Attempt == 1:
			fmt.Println("posting 1, attempt 1: panics")
			panic("a bug met by one posting")
		case t.PostingID == 2:
			fmt.Printf("posting 2, attempt %d: permanent failure\n", job.Attempt)
			return jobpilot.Permanent(errors.New("the posting is gone"))
		}
		fmt.Printf("posting %d, attempt %d: done\n", t.PostingID, job.Attempt)
		if t.PostingID == 1 {
			close(done)
		}
		return nil
	}
	kinds := engine.NewKinds()
	engine.AddKind[PostingArgs](kinds, process, engine.KindOptions{MaxAttempts: 3})
	e, err := engine.New(db, engine.Options{
		Config: engine.Config{NodeID: "example", Workers: 1, Backoff: engine.Backoff{Initial: time.Millisecond}},
		Kinds:  kinds, FastStart: true, Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	var tasks []jobpilot.Task
	for id := int64(1); id <= 3; id++ {
		tasks = append(tasks, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, PostingID: id})
	}
	if err := e.Enqueue(ctx, tasks...); err != nil {
		log.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-done
	fmt.Println("engine running:", e.Status().Running)
	if err := e.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// posting 1, attempt 1: panics
	// posting 2, attempt 1: permanent failure
	// posting 3, attempt 1: done
	// posting 1, attempt 2: done
	// engine running: true
}
