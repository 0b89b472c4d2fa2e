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
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/store"
)

// SendArgs are a job kind's arguments, the way River's JobArgs are: Kind
// names the kind, the value is stored as JSON in River's job table, and the
// `river:"unique"` field makes two sends of one application the same job.
// Task and FromTask convert to and from the task the store enqueues.
type SendArgs struct {
	ApplicationID int64 `json:"application_id" river:"unique"`
}

func (SendArgs) Kind() string { return string(jobpilot.TaskSendApplication) }
func (a SendArgs) Task() jobpilot.Task {
	return jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ApplicationID}
}
func (a *SendArgs) FromTask(t jobpilot.Task) error {
	if t.ApplicationID == 0 {
		return jobpilot.FieldError("application_id", "a send needs an application")
	}
	a.ApplicationID = t.ApplicationID
	return nil
}

// sender is a stand-in for the apply package's send handler: it fails the
// way a mail server does: a 4xx once (transient, retried with backoff), then
// an open circuit (snoozed, no attempt burnt), then it goes through.
type sender struct {
	mu    sync.Mutex
	tries int
	done  chan struct{}
}

func (h *sender) send(ctx context.Context, t jobpilot.Task) error {
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

// openStore opens a migrated SQLite store (our tables and River's) in dir.
func openStore(ctx context.Context, dir string) *store.DB {
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	return db
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Durable work on the store's database: a kind is registered with its
// handler and options, tasks are inserted (here outside a transaction with
// Enqueue; the store uses InsertTasks inside its own), run by their handler,
// retried on a transient error with our backoff and snoozed while a circuit
// is open. Stop lets running jobs finish.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db := openStore(ctx, dir)
	defer db.Close()

	h := &sender{done: make(chan struct{})}
	kinds := engine.NewKinds()
	engine.AddKind[SendArgs](kinds, h.send, engine.KindOptions{MaxAttempts: 10, Unique: true})
	e, err := engine.New(db, engine.Options{
		// The guide's 1 s, 2 s, 4 s retry delays as milliseconds.
		Config:    engine.Config{NodeID: "example", Backoff: engine.Backoff{Initial: time.Millisecond, Max: 60 * time.Millisecond}},
		Kinds:     kinds,
		FastStart: true,
		Logger:    quiet,
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

// Inserting a unique kind twice for the same unique arguments while the
// first job is queued makes one job.
func ExampleEngine_Enqueue_unique() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db := openStore(ctx, dir)
	defer db.Close()
	kinds := engine.NewKinds()
	engine.AddKind[SendArgs](kinds, func(context.Context, jobpilot.Task) error { return nil }, engine.KindOptions{Unique: true})
	e, err := engine.New(db, engine.Options{Config: engine.Config{NodeID: "example"}, Kinds: kinds, FastStart: true, Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 42}
	for range 2 {
		if err := e.Enqueue(ctx, task); err != nil {
			log.Fatal(err)
		}
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_application'`).Scan(&n); err != nil {
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
