// Package store persists the jobpilot domain in SQLite (the embedded
// default, modernc.org/sqlite) or PostgreSQL (pgx through database/sql).
//
// One implementation serves both databases: queries are written with "?"
// placeholders and rebound to "$n" for PostgreSQL; the few differences
// (column types, row locks) live in the per-dialect migrations and in small
// helpers. River runs over the same *sql.DB on both (riversqlite,
// riverdatabasesql), so the engine enqueues jobs in our transactions: a
// status change and the work it asks for commit or roll back together.
//
// Status transitions are enforced inside the transaction that makes them
// (jobpilot.Status.CanTransition; a row lock on PostgreSQL, SQLite's
// immediate transactions serialise writers anyway), every transition writes
// an EventStatus event, and Change.From turns a transition into a
// compare-and-swap for callers racing each other.
//
// Times are stored in UTC with microsecond precision (PostgreSQL's) on both
// databases and come back as UTC time.Time values.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/jobpilot/jobpilot"
)

// DefaultLimit is the page size of list queries whose filter leaves Limit 0.
const DefaultLimit = 100

// MaxLimit bounds the page size a caller may ask for.
const MaxLimit = 1000

// sqlitePragmas are the connection settings that held up under River and our
// own writers without SQLITE_BUSY: WAL so readers never block the writer, a
// generous busy timeout for a second process, foreign keys on, and immediate
// transactions so a transaction takes the write lock at BEGIN instead of
// failing at its first write when another connection got there first.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// TaskInserter enqueues durable tasks inside a transaction of ours
// (jobpilot.TaskInserter). The engine implements it; internal/system
// registers it with SetTaskInserter.
type TaskInserter = jobpilot.TaskInserter

// DB is the store: it implements jobpilot.Store on SQLite or PostgreSQL.
// It is safe for concurrent use.
type DB struct {
	db *sql.DB
	// read serves the list queries (queryAll, counts) on an SQLite file: a
	// pool of read-only connections beside the one that writes; nil on
	// PostgreSQL and in memory, where db serves them. See reader.
	read     *sql.DB
	postgres bool
	// path is the SQLite file ("" for PostgreSQL and in-memory databases);
	// Migrate locks "<path>.migrate.lock".
	path string
	// now is the clock; tests may replace it before use.
	now func() time.Time

	mu       sync.RWMutex
	inserter TaskInserter
	// scrub cleans the free text the store keeps (SetScrubber); nil keeps
	// it as given.
	scrub func(string) string

	// searches keeps recent searches' matches (search_matches.go).
	searches searchCache
	// walkChunk, when set, replaces walkChunkMax (tests).
	walkChunk int
}

var _ jobpilot.Store = (*DB)(nil)

// Open connects to the database named by url and checks that it answers:
//
//   - "postgres://…" or "postgresql://…": PostgreSQL through pgx. Tables go to
//     the first schema of search_path (settable in the URL:
//     "?search_path=myschema").
//   - "sqlite://path", "file:path" or a plain path: an SQLite file, created
//     with its parent directory if missing. Query parameters of a "file:" URL
//     are passed on to the driver. ":memory:" works for throwaway use but gives
//     each connection its own database, which is why the pool has one
//     connection.
//
// SQLite runs with one open connection for everything that writes: SQLite
// allows one writer at a time anyway, and one connection turns lock
// contention inside this process into queueing instead of SQLITE_BUSY
// errors. List queries outside a transaction use a small pool of read-only
// connections beside it (openReaders). The consequence, documented for the
// engine: while a transaction of ours is open, nothing else in this process
// can use the database, so enqueue River jobs inside it (InsertTx), never
// beside it.
//
// On PostgreSQL the pool keeps up to pgIdleConns connections between uses
// and its queries run without parallel workers: see openPostgres.
//
// Open does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		// Parse first: a malformed URL is a configuration error (EINVALID),
		// not an unavailable database. pgconn redacts the password.
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, jobpilot.FieldError("database_url", "%v", err)
		}
		sdb := openPostgres(cfg)
		db := &DB{db: sdb, postgres: true, now: time.Now}
		if err := db.Ping(ctx); err != nil {
			_ = sdb.Close()
			return nil, err
		}
		return db, nil
	}

	path, query := sqlitePath(url)
	if path == "" {
		return nil, jobpilot.FieldError("database_url", "no SQLite file in %q", url)
	}
	memory := path == ":memory:" || strings.Contains(query, "mode=memory")
	if !memory {
		if err := createPrivate(path); err != nil {
			return nil, err
		}
	}
	// The driver reads the DSN as an SQLite URI, where "#" starts a fragment
	// and "%" an escape: a path holding them ("/home/me/#jobs") must keep
	// them as characters, or the database lands in another file.
	dsn := "file:" + sqliteURIPath(path) + "?" + sqlitePragmas
	if query != "" {
		dsn += "&" + query
	}
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, jobpilot.FieldError("database_url", "%v", err)
	}
	sdb.SetMaxOpenConns(1)
	// Keep the one connection: an in-memory database lives only as long as
	// its connection, and reopening a file costs the pragmas again.
	sdb.SetMaxIdleConns(1)
	sdb.SetConnMaxLifetime(0)
	sdb.SetConnMaxIdleTime(0)
	db := &DB{db: sdb, now: time.Now}
	if !memory {
		db.path = path
		if db.read, err = openReaders(path, query); err != nil {
			_ = sdb.Close()
			return nil, err
		}
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// createPrivate creates the database file's directory (0700) and the file
// itself (0600) when they do not exist yet. SQLite would create the file
// with 0644 and gives its -wal and -shm files the database file's mode, so
// creating it first keeps the candidate's data from other local users.
// Existing files keep their mode; internal/system tightens looser ones at
// start-up.
func createPrivate(path string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("store: create database directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create database file: %w", err)
	}
	return f.Close()
}

// sqliteReaders is how many read-only connections serve the list queries
// of an SQLite file.
const sqliteReaders = 4

// sqliteURIPath escapes a file path for the driver's SQLite URI, where "#"
// starts a fragment and "%" an escape.
func sqliteURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "#", "%23").Replace(path)
}

// openReaders opens the read-only pool of an SQLite file. In WAL mode
// readers neither wait for the writer nor block it, and each read sees
// every transaction committed before it began, so a page listed right
// after a change shows it. Without the pool every list query queued behind
// the one connection, whoever held it (River's fetches, a transaction, a
// request whose goroutine was descheduled mid-scan): twenty clients of the
// review queue waited for each other's rows one by one.
func openReaders(path, query string) (*sql.DB, error) {
	dsn := "file:" + sqliteURIPath(path) + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	if query != "" {
		dsn += "&" + query
	}
	rdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, jobpilot.FieldError("database_url", "%v", err)
	}
	rdb.SetMaxOpenConns(sqliteReaders)
	rdb.SetMaxIdleConns(sqliteReaders)
	return rdb, nil
}

// reader is the pool for list queries outside a transaction: the read-only
// connections on an SQLite file, otherwise the one pool.
func (db *DB) reader() *sql.DB {
	if db.read != nil {
		return db.read
	}
	return db.db
}

// sqlitePath splits an SQLite URL into the file path and the driver query.
func sqlitePath(url string) (path, query string) {
	switch {
	case strings.HasPrefix(url, "sqlite://"):
		url = strings.TrimPrefix(url, "sqlite://")
	case strings.HasPrefix(url, "sqlite:"):
		url = strings.TrimPrefix(url, "sqlite:")
	case strings.HasPrefix(url, "file:"):
		url = strings.TrimPrefix(url, "file:")
	}
	path, query, _ = strings.Cut(url, "?")
	return path, query
}

// SetScrubber makes the store pass every free text it keeps through scrub
// before writing it: event messages and data, an application's error, a
// run's error. internal/system sets the one that removes the configured
// secrets (redact.Scrubber), so an upstream answer quoting a key is never
// stored, whoever records it. Call it before the store is used.
func (db *DB) SetScrubber(scrub func(string) string) { db.scrub = scrub }

// clean is the text as it is stored (see SetScrubber).
func (db *DB) clean(s string) string {
	if db.scrub == nil || s == "" {
		return s
	}
	return db.scrub(s)
}

// SQL returns the underlying pool, for River and for the engine's own
// queries. On SQLite it has a single connection: do not hold a transaction
// of your own while calling the store.
func (db *DB) SQL() *sql.DB { return db.db }

// Postgres reports whether the store runs on PostgreSQL.
func (db *DB) Postgres() bool { return db.postgres }

// Close closes the pool. Open transactions are rolled back by the database.
func (db *DB) Close() error {
	if db.read != nil {
		_ = db.read.Close()
	}
	return db.db.Close()
}

// Ping checks that the database answers. A failure is EUNAVAILABLE and
// transient: the health check reports it and the supervisor tries again.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// SetTaskInserter registers the engine. Change.Tasks and the tasks given to
// CreateApplication go through it, inside the transaction of the change.
// Without one, a non-empty task list is an error: work is never silently
// dropped.
func (db *DB) SetTaskInserter(ti TaskInserter) {
	db.mu.Lock()
	db.inserter = ti
	db.mu.Unlock()
}

func (db *DB) insertTasks(ctx context.Context, tx *sql.Tx, tasks []jobpilot.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	db.mu.RLock()
	ti := db.inserter
	db.mu.RUnlock()
	if ti == nil {
		return &jobpilot.Error{Code: jobpilot.EINTERNAL, Message: fmt.Sprintf("store: %d task(s) to enqueue but no task inserter is registered", len(tasks))}
	}
	if err := ti.InsertTasks(ctx, tx, tasks); err != nil {
		return fmt.Errorf("store: enqueue tasks: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (also when fn panics; the panic continues). On SQLite the
// transaction takes the write lock at BEGIN, and the store's single
// connection is busy until it ends: fn must use tx, never db.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return dbErr("begin transaction", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbErr("commit", err)
	}
	committed = true
	return nil
}

// pgIdleConns is how many PostgreSQL connections the pool keeps open
// between uses. database/sql keeps two by default, so a burst of requests
// (twenty dashboard clients) closed each connection it had just opened and
// opened another for the next request: a server process, its
// authentication and its cold caches every time, several milliseconds of
// CPU each, which made the dashboard's pages four times slower on
// PostgreSQL than on SQLite. The number of open connections stays
// unbounded: a caller holding a transaction may read beside it, and a bound
// could leave every connection waiting for another.
const pgIdleConns = 20

// pgIdleTime closes a connection left idle this long, so a burst's extra
// connections do not stay for ever.
const pgIdleTime = 5 * time.Minute

// openPostgres is the pool over cfg. Unless the URL sets it, each
// connection runs with max_parallel_workers_per_gather = 0: the store's
// queries read a page or a count, and a parallel plan's worker processes
// cost more to start than they save (the source-filtered queue page took
// 32 ms with two workers, 4.5 ms without, on 100,000 applications), while
// taking cores from the requests beside it on a small machine.
// docs/design-notes.md "The review queue is one keyset query".
func openPostgres(cfg *pgx.ConnConfig) *sql.DB {
	if _, set := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxIdleConns(pgIdleConns)
	sdb.SetConnMaxIdleTime(pgIdleTime)
	return sdb
}
