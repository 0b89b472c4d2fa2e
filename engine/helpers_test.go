package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/freshpg"
)

// testDB stands in for *store.DB (the engine's DB seam): a real SQLite file
// or a fresh PostgreSQL database, with River's tables migrated. Its handle
// can be swapped underneath a running engine (the supervisor tests).
type testDB struct {
	mu  sync.Mutex
	db  *sql.DB
	pg  bool
	dsn string
}

func (d *testDB) SQL() *sql.DB {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.db
}
func (d *testDB) Postgres() bool { return d.pg }

// swap replaces the handle and returns the old one.
func (d *testDB) swap(db *sql.DB) *sql.DB {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.db
	d.db = db
	return old
}

func openSQL(dsn string, pg bool) (*sql.DB, error) {
	if pg {
		return sql.Open("pgx", dsn)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // see DESIGN.md §6: one connection, immediate transactions
	return db, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
}

func migrateRiver(ctx context.Context, db *sql.DB, pg bool) error {
	var err error
	if pg {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riverdatabasesql.New(db), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	return err
}

const testPGEnv = "JOBPILOT_TEST_DATABASE_URL"

func pgAvailable() bool { return os.Getenv(testPGEnv) != "" }

// dialects runs fn on SQLite and, when JOBPILOT_TEST_DATABASE_URL is set, on
// PostgreSQL, each as a subtest.
func dialects(t *testing.T, fn func(t *testing.T, pg bool)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, false) })
	t.Run("postgres", func(t *testing.T) {
		if !pgAvailable() {
			t.Skip(testPGEnv + " not set")
		}
		fn(t, true)
	})
}

// newTestDB creates a migrated database: a SQLite file in t.TempDir(), or a
// PostgreSQL database with a random name, dropped at cleanup.
func newTestDB(t testing.TB, pg bool) *testDB {
	t.Helper()
	ctx := context.Background()
	var dsn string
	if pg {
		dsn = freshpg.Database(t, os.Getenv(testPGEnv), "jp_engine")
	} else {
		dsn = sqliteDSN(filepath.Join(t.TempDir(), "engine.db"))
	}
	db, err := openSQL(dsn, pg)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateRiver(ctx, db, pg); err != nil {
		t.Fatal(err)
	}
	d := &testDB{db: db, pg: pg, dsn: dsn}
	t.Cleanup(func() { d.SQL().Close() })
	return d
}

// testConfig: retry delays scaled to milliseconds (1 ms, 2 ms, 4 ms … ≤ 60 ms),
// long periodic intervals unless a test shortens them.
func testConfig(node string) *config.Config {
	return &config.Config{
		NodeID:    node,
		TimeScale: 0.001,
		Retry:     config.Retry{MaxRetries: 3, InitialDelay: time.Second, MaxDelay: 60 * time.Second, Base: 2},
		Timeouts:  config.Timeouts{Job: 600 * time.Second, Automation: 3600 * time.Second, Shutdown: 2 * time.Second},
		Scheduler: config.Scheduler{
			Timezone: "UTC", HealthCheckInterval: time.Hour, RestartDelay: 50 * time.Millisecond,
			FetchInterval: time.Hour, AutomationInterval: time.Hour,
			FollowUpCron: "0 10 * * *", CleanupCron: "0 2 * * *", Workers: 10,
			RescueAfter: time.Hour,
		},
	}
}

func quietLogger() *slog.Logger {
	if os.Getenv("ENGINE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// call is one handler invocation as the handler saw it.
type call struct {
	Task    jobpilot.Task
	Job     JobInfo
	At      time.Time
	HasDead bool // the ctx carried a deadline
	Dead    time.Time
}

// recorder implements Handlers: it records every call and runs the per-kind
// behaviour set in fn (nil = succeed at once).
type recorder struct {
	mu    sync.Mutex
	calls []call
	fn    map[jobpilot.TaskKind]func(ctx context.Context, t jobpilot.Task) error
}

func newRecorder() *recorder {
	return &recorder{fn: map[jobpilot.TaskKind]func(context.Context, jobpilot.Task) error{}}
}

func (r *recorder) on(kind jobpilot.TaskKind, f func(ctx context.Context, t jobpilot.Task) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn[kind] = f
}

func (r *recorder) handle(ctx context.Context, t jobpilot.Task) error {
	j, _ := JobFromContext(ctx)
	d, ok := ctx.Deadline()
	r.mu.Lock()
	r.calls = append(r.calls, call{Task: t, Job: j, At: time.Now(), HasDead: ok, Dead: d})
	f := r.fn[t.Kind]
	r.mu.Unlock()
	if f != nil {
		return f(ctx, t)
	}
	return nil
}

func (r *recorder) of(kind jobpilot.TaskKind) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Task.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

func (r *recorder) FetchPostings(ctx context.Context, t jobpilot.Task) error { return r.handle(ctx, t) }
func (r *recorder) AutomationRun(ctx context.Context, t jobpilot.Task) error { return r.handle(ctx, t) }
func (r *recorder) ProcessPosting(ctx context.Context, t jobpilot.Task) error {
	return r.handle(ctx, t)
}
func (r *recorder) SendApplication(ctx context.Context, t jobpilot.Task) error {
	return r.handle(ctx, t)
}
func (r *recorder) FollowUps(ctx context.Context, t jobpilot.Task) error { return r.handle(ctx, t) }
func (r *recorder) Cleanup(ctx context.Context, t jobpilot.Task) error   { return r.handle(ctx, t) }

// startEngine builds and starts an engine and stops it at cleanup.
func startEngine(t *testing.T, db DB, cfg *config.Config, h Handlers, mod ...func(*Options)) *Engine {
	t.Helper()
	e := newEngine(t, db, cfg, h, mod...)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

func newEngine(t *testing.T, db DB, cfg *config.Config, h Handlers, mod ...func(*Options)) *Engine {
	t.Helper()
	opts := Options{Config: cfg, Handlers: h, Logger: quietLogger(), FastStart: true}
	for _, m := range mod {
		m(&opts)
	}
	e, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(ctx)
	})
	return e
}

// eventually polls cond every 10 ms until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// jobRow is the part of river_job the tests assert on.
type jobRow struct {
	ID          int64
	Kind, State string
	Attempt     int
	MaxAttempts int
	Errors      int
}

func jobRows(t testing.TB, db *sql.DB, pg bool, kind string) []jobRow {
	t.Helper()
	q := `SELECT id, kind, state, attempt, max_attempts, coalesce(json_array_length(errors), 0) FROM river_job WHERE kind = ? ORDER BY id`
	if pg {
		q = `SELECT id, kind, state, attempt, max_attempts, coalesce(array_length(errors, 1), 0) FROM river_job WHERE kind = $1 ORDER BY id`
	}
	rows, err := db.Query(q, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var r jobRow
		if err := rows.Scan(&r.ID, &r.Kind, &r.State, &r.Attempt, &r.MaxAttempts, &r.Errors); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func oneJob(t testing.TB, db *sql.DB, pg bool, kind string) jobRow {
	t.Helper()
	rows := jobRows(t, db, pg, kind)
	if len(rows) != 1 {
		t.Fatalf("%s: want 1 job, have %d: %+v", kind, len(rows), rows)
	}
	return rows[0]
}

var errFlaky = errors.New("flaky dependency")

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = fmt.Sprintf
