package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/store"
)

// handlers is a stand-in for the apply package: it prints what it is asked
// to do and calls done when a send finishes.
type handlers struct {
	mu    sync.Mutex
	tries int
	done  chan struct{}
}

func (h *handlers) ProcessPosting(ctx context.Context, t jobpilot.Task) error {
	fmt.Printf("process posting %d for profile %d\n", t.PostingID, t.ProfileID)
	return nil
}

// SendApplication fails the way a mail server does: a 4xx once (transient,
// retried with backoff), then an open circuit (snoozed, no attempt burnt),
// then it goes through.
func (h *handlers) SendApplication(ctx context.Context, t jobpilot.Task) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tries++
	job, _ := engine.JobFromContext(ctx)
	switch h.tries {
	case 1:
		fmt.Printf("send %d, attempt %d: 421 try later\n", t.ApplicationID, job.Attempt)
		return jobpilot.Transient(errors.New("421 try later"))
	case 2:
		fmt.Printf("send %d, attempt %d: circuit open\n", t.ApplicationID, job.Attempt)
		return &resilience.OpenError{Breaker: "email", RetryIn: 20 * time.Millisecond}
	}
	fmt.Printf("send %d, attempt %d: sent\n", t.ApplicationID, job.Attempt)
	close(h.done)
	return nil
}

func (h *handlers) FetchPostings(context.Context, jobpilot.Task) error { return nil }
func (h *handlers) AutomationRun(context.Context, jobpilot.Task) error { return nil }
func (h *handlers) FollowUps(context.Context, jobpilot.Task) error     { return nil }
func (h *handlers) Cleanup(context.Context, jobpilot.Task) error       { return nil }

// Durable work on the store's database: tasks are inserted (here outside a
// transaction with Enqueue; the store uses InsertTasks inside its own), run
// by their handler, retried on a transient error with our backoff and
// snoozed while a circuit is open. Stop lets running jobs finish.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil { // our tables and River's
		log.Fatal(err)
	}

	cfg := &config.Config{
		NodeID:    "example",
		TimeScale: 0.001, // the guide's 1 s, 2 s, 4 s retry delays become milliseconds
		Retry:     config.Retry{MaxRetries: 3, InitialDelay: time.Second, MaxDelay: time.Minute},
	}
	h := &handlers{done: make(chan struct{})}
	e, err := engine.New(db, engine.Options{
		Config: cfg, Handlers: h, FastStart: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 7}); err != nil {
		log.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-h.done
	if err := e.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// send 7, attempt 1: 421 try later
	// send 7, attempt 2: circuit open
	// send 7, attempt 2: sent
}

// Inserting process_posting twice for one (profile, posting) runs it once.
func ExampleEngine_Enqueue_unique() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	e, err := engine.New(db, engine.Options{
		Config: &config.Config{NodeID: "example"}, Handlers: &handlers{}, FastStart: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	task := jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 42}
	for range 2 {
		if err := e.Enqueue(ctx, task); err != nil {
			log.Fatal(err)
		}
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'process_posting'`).Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println("queued jobs:", n)
	// Output: queued jobs: 1
}

// Follow-ups at 10:00 in the scheduler's time zone, whatever zone the
// clock is in.
func ExampleCronSchedule() {
	paris, _ := time.LoadLocation("Europe/Paris")
	s, err := engine.CronSchedule("0 10 * * *", paris)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC) // 11:00 in Paris
	fmt.Println(s.Next(now).UTC())
	// Output: 2026-07-02 08:00:00 +0000 UTC
}
