package chaos_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/internal/system"
)

// pipelineWorkers is the engine's WORKERS for the throughput runs and the
// bare River client's MaxWorkers, so both sides have the same parallelism.
const pipelineWorkers = 20

// BenchmarkPipeline measures end-to-end throughput: b.N postings with a
// contact email, one direct-mode profile, the template writer, the real PDF
// renderer and a real SMTP client against fakesmtp accepting everything.
// The clock runs from enqueuing the automation run to the last application
// recorded sent (each application is one process_posting and one
// send_application job). In the same run, bare River drains 2×b.N no-op
// jobs on a fresh database of the same kind with the same worker count, and
// the ratio is reported: pipeline jobs/s ÷ River no-op jobs/s.
//
//	go test -run '^$' -bench Pipeline -benchtime 300x ./internal/chaos
//
// PostgreSQL runs when JOBPILOT_TEST_DATABASE_URL is set.
func BenchmarkPipeline(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchPipeline(b, "") })
	b.Run("postgres", func(b *testing.B) {
		url := os.Getenv("JOBPILOT_TEST_DATABASE_URL")
		if url == "" {
			b.Skip("JOBPILOT_TEST_DATABASE_URL is not set")
		}
		benchPipeline(b, url)
	})
}

// freshDB returns a new empty database: an SQLite file under b.TempDir, or
// a fresh PostgreSQL database on server (dropped at cleanup).
func freshDB(tb testing.TB, server string) string {
	tb.Helper()
	if server == "" {
		return "sqlite://" + filepath.ToSlash(filepath.Join(tb.TempDir(), "bench.db"))
	}
	u, drop, err := chaos.FreshPostgres(context.Background(), server, "jobpilot_bench")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = drop(context.Background()) })
	return u
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func benchPipeline(b *testing.B, pgServer string) {
	ctx := context.Background()
	n := b.N
	dbURL := freshDB(b, pgServer)
	profile, err := chaos.Profile(n)
	if err != nil {
		b.Fatal(err)
	}
	profileID, _, err := chaos.Seed(ctx, dbURL, profile, chaos.Postings(n, 1))
	if err != nil {
		b.Fatal(err)
	}
	smtpSrv, err := fakesmtp.Start("127.0.0.1:0", "")
	if err != nil {
		b.Fatal(err)
	}
	defer smtpSrv.Close()

	vars := map[string]string{
		"DATABASE_URL":      dbURL,
		"JOBPILOT_DATA_DIR": b.TempDir(),
		"JOBPILOT_EXAMPLES": "false",
		"JOBPILOT_WRITER":   "template",
		"APPLY_MODE":        "direct",
		"SMTP_HOST":         "127.0.0.1",
		"SMTP_PORT":         strconv.Itoa(smtpSrv.Port()),
		"SMTP_TLS":          "none",
		"SMTP_FROM":         "candidate@bench.example.org",
		"WORKERS":           strconv.Itoa(pipelineWorkers),
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		b.Fatal(err)
	}
	sys, err := system.Open(ctx, cfg, system.Options{Logger: quiet(), FastStart: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close()

	b.ResetTimer()
	start := time.Now()
	if err := sys.Engine.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		b.Fatal(err)
	}
	if err := sys.Start(ctx); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		counts, err := sys.Store.CountByStatus(ctx, profileID)
		if err != nil {
			b.Fatal(err)
		}
		if counts[jobpilot.StatusSent] == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("not every application was sent within 5m: %v", counts)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = sys.Stop(stopCtx)
	cancel()

	if got := smtpSrv.Stats().Accepted; got != n {
		b.Fatalf("the SMTP server accepted %d messages, want %d", got, n)
	}
	if d := smtpSrv.Duplicates(); d != 0 {
		b.Fatalf("%d duplicate deliveries", d)
	}
	appsPerSec := float64(n) / elapsed.Seconds()
	riverJobs := riverNoopRate(b, pgServer, 2*n)
	b.ReportMetric(appsPerSec, "apps/s")
	b.ReportMetric(riverJobs, "river_noop_jobs/s")
	b.ReportMetric(2*appsPerSec/riverJobs, "ratio")
	b.ReportMetric(0, "ns/op") // one op is one whole application; apps/s says it better
}

// riverNoopRate drains jobs no-op jobs with a bare River client on a fresh
// database of the same kind (River's own migrations only) and returns
// jobs/s, timed from Start to the last job worked, as engine.BenchmarkDrain.
func riverNoopRate(b *testing.B, pgServer string, jobs int) float64 {
	ctx := context.Background()
	dbURL := freshDB(b, pgServer)
	var (
		db  *sql.DB
		drv riverdriver.Driver[*sql.Tx]
		err error
	)
	if pgServer == "" {
		path := dbURL[len("sqlite://"):]
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate") // the store's pragmas
		if err == nil {
			db.SetMaxOpenConns(1)
		}
		drv = riversqlite.New(db)
	} else {
		db, err = sql.Open("pgx", dbURL)
		drv = riverdatabasesql.New(db)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	migrator, err := rivermigrate.New(drv, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		b.Fatal(err)
	}
	w := &noopWorker{want: int64(jobs), done: make(chan struct{})}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(drv, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: pipelineWorkers}},
		Workers:           workers,
		FetchCooldown:     10 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		Logger:            quiet(),
		TestOnly:          true,
	})
	if err != nil {
		b.Fatal(err)
	}
	params := make([]river.InsertManyParams, jobs)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}}
	}
	for i := 0; i < len(params); i += 1000 {
		if _, err := client.InsertMany(ctx, params[i:min(i+1000, len(params))]); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("bare River worked %d of %d jobs in 2m", w.n.Load(), jobs)
	}
	elapsed := time.Since(start)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = client.Stop(sctx)
	return float64(jobs) / elapsed.Seconds()
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
