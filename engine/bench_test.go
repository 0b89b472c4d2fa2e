package engine

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/jobpilot/jobpilot"
)

// benchWorkers is high enough that the fetch cooldown (10 ms) is not the
// limit (50 workers / 10 ms = 5 k/s): the database and the CPU are.
const benchWorkers = 50

// BenchmarkDrain drains b.N trivial jobs already in the queue, through our
// engine (workers, error mapping, metrics, context values) and through a
// bare River client with a no-op worker on the same kind of database and the
// same queue settings (benchWorkers workers, 10 ms fetch cooldown, 100 ms poll). It
// reports jobs/s; the ratio engine/river is our layer's cost.
//
//	go test -run '^$' -bench Drain -benchtime 2000x ./engine
func BenchmarkDrain(b *testing.B) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		b.Run(name+"/engine", func(b *testing.B) {
			skipPG(b, pg)
			benchEngine(b, pg)
		})
		b.Run(name+"/river", func(b *testing.B) {
			skipPG(b, pg)
			benchRiver(b, pg)
		})
	}
}

func skipPG(b *testing.B, pg bool) {
	if pg && !pgAvailable() {
		b.Skip(testPGEnv + " not set")
	}
}

type countingHandlers struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (h *countingHandlers) handle(_ context.Context, t jobpilot.Task) error {
	if t.Kind == jobpilot.TaskCleanup && h.n.Add(1) == h.want {
		close(h.done)
	}
	return nil
}

func benchEngine(b *testing.B, pg bool) {
	db := newTestDB(b, pg)
	h := &countingHandlers{want: int64(b.N), done: make(chan struct{})}
	cfg := testConfig("bench")
	cfg.Workers = benchWorkers
	e, err := New(db, Options{Config: cfg.Config, Kinds: cfg.testKinds(h.handle), Logger: quietLogger(), FastStart: true})
	must(b, err)
	tasks := make([]jobpilot.Task, b.N)
	for i := range tasks {
		tasks[i] = jobpilot.Task{Kind: jobpilot.TaskCleanup}
	}
	for i := 0; i < len(tasks); i += 1000 {
		must(b, e.Enqueue(context.Background(), tasks[i:min(i+1000, len(tasks))]...))
	}
	b.ResetTimer()
	start := time.Now()
	must(b, e.Start(context.Background()))
	<-h.done
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	must(b, e.Stop(ctx))
}

type noopArgs struct{}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (w *noopWorker) Work(context.Context, *river.Job[noopArgs]) error {
	if w.n.Add(1) == w.want {
		close(w.done)
	}
	return nil
}

func benchRiver(b *testing.B, pg bool) {
	db := newTestDB(b, pg)
	var drv riverdriver.Driver[*sql.Tx] = riversqlite.New(db.SQL())
	if pg {
		drv = riverdatabasesql.New(db.SQL())
	}
	w := &noopWorker{want: int64(b.N), done: make(chan struct{})}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(drv, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: benchWorkers}},
		Workers:           workers,
		FetchCooldown:     10 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		Logger:            quietLogger(),
		TestOnly:          true,
	})
	must(b, err)
	params := make([]river.InsertManyParams, b.N)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}}
	}
	for i := 0; i < len(params); i += 1000 {
		_, err := client.InsertMany(context.Background(), params[i:min(i+1000, len(params))])
		must(b, err)
	}
	b.ResetTimer()
	start := time.Now()
	must(b, client.Start(context.Background()))
	<-w.done
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	must(b, client.Stop(ctx))
}
