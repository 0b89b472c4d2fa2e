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
	"github.com/jobpilot/jobpilot/internal/dbtest"
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
	db.SetMaxOpenConns(1) // one connection, immediate transactions: the store's SQLite settings
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

// dialects runs fn on SQLite and on PostgreSQL (skipped when
// JOBPILOT_TEST_DATABASE_URL is unset), as the kit's dbtest.Run does. The
// engine's tests open their own database (River's tables only, not the
// store's), so fn is told the dialect rather than handed a store.
func dialects(t *testing.T, fn func(t *testing.T, pg bool)) {
	t.Helper()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) { fn(t, b.Postgres()) })
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

// testCfg is an engine Config plus the schedule and per-kind settings the
// test kinds are registered with (testKinds), as internal/system registers
// apply's from the configuration.
type testCfg struct {
	Config
	FetchInterval, AutomationInterval time.Duration
	FollowUpCron, CleanupCron         string
	Timezone                          string
	AutomationTimeout                 time.Duration
	RunOnStart                        bool // fetch and automation also run at start
}

// testConfig: the guide's timings scaled by 0.001 (retry delays 1 ms, 2 ms,
// 4 ms … ≤ 60 ms; job timeout 0.6 s, automation 3.6 s), long periodic
// intervals unless a test shortens them.
func testConfig(node string) *testCfg {
	// The crons fire twelve hours from now, never inside a test (at 0 10 and
	// 0 2 UTC a test spanning 10:00 or 02:00 saw one more follow-up or
	// cleanup job than it counts, as TestQueue does).
	away := (time.Now().UTC().Hour() + 12) % 24
	return &testCfg{
		Config: Config{
			NodeID: node, Workers: 10,
			JobTimeout: 600 * time.Millisecond, RescueAfter: time.Hour, ShutdownGrace: 2 * time.Second,
			HealthCheckInterval: time.Hour, RestartDelay: 50 * time.Millisecond,
			Backoff: Backoff{Initial: time.Millisecond, Max: 60 * time.Millisecond, Base: 2},
		},
		FetchInterval: time.Hour, AutomationInterval: time.Hour,
		FollowUpCron: fmt.Sprintf("0 %d * * *", away), CleanupCron: fmt.Sprintf("30 %d * * *", away), Timezone: "UTC",
		AutomationTimeout: 3600 * time.Millisecond,
	}
}

// testKinds registers the test kinds (kinds_test.go), shaped and optioned
// like apply's kinds in internal/system, all handled by handle.
func (c *testCfg) testKinds(handle Handler) *Kinds {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		panic(err)
	}
	cron := func(expr string) Schedule {
		s, err := CronSchedule(expr, loc)
		if err != nil {
			panic(err)
		}
		return s
	}
	k := NewKinds()
	AddKind[processArgs](k, handle, KindOptions{MaxAttempts: 5, Priority: 2, Unique: true})
	AddKind[sendArgs](k, handle, KindOptions{MaxAttempts: 10, Priority: 1, Unique: true})
	AddKind[fetchArgs](k, handle, KindOptions{MaxAttempts: 3, Timeout: c.AutomationTimeout, Periodic: &Periodic{Schedule: Every(c.FetchInterval), RunOnStart: c.RunOnStart}})
	AddKind[automationArgs](k, handle, KindOptions{MaxAttempts: 3, Timeout: c.AutomationTimeout, Periodic: &Periodic{Schedule: Every(c.AutomationInterval), RunOnStart: c.RunOnStart}})
	AddKind[followUpsArgs](k, handle, KindOptions{MaxAttempts: 3, Timeout: c.AutomationTimeout, Periodic: &Periodic{Schedule: cron(c.FollowUpCron)}})
	AddKind[cleanupArgs](k, handle, KindOptions{MaxAttempts: 3, Periodic: &Periodic{Schedule: cron(c.CleanupCron)}})
	return k
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

// recorder's handle is the Handler of every test kind: it records every
// call and runs the per-kind behaviour set in fn (nil = succeed at once).
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

// startEngine builds and starts an engine and stops it at cleanup.
func startEngine(t *testing.T, db DB, cfg *testCfg, h Handler, mod ...func(*Options)) *Engine {
	t.Helper()
	e := newEngine(t, db, cfg, h, mod...)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// newEngine builds an engine running the test kinds with h, stopped at cleanup.
func newEngine(t *testing.T, db DB, cfg *testCfg, h Handler, mod ...func(*Options)) *Engine {
	t.Helper()
	opts := Options{Config: cfg.Config, Kinds: cfg.testKinds(h), Logger: quietLogger(), FastStart: true}
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

// logRecorder is a slog.Handler that keeps the messages logged, so a test
// can wait for an event the engine logs instead of sleeping.
type logRecorder struct {
	mu   *sync.Mutex
	msgs *[]string
}

func newLogRecorder() logRecorder { return logRecorder{mu: new(sync.Mutex), msgs: new([]string)} }

func (l logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.msgs = append(*l.msgs, r.Message)
	return nil
}
func (l logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l logRecorder) WithGroup(string) slog.Handler      { return l }

// all returns the messages logged so far.
func (l logRecorder) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), *l.msgs...)
}

// count is how many times msg was logged.
func (l logRecorder) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range *l.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// eventually is the kit's dbtest.Eventually.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	dbtest.Eventually(t, timeout, what, cond)
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
