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
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"               // the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

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
	db       *sql.DB
	postgres bool
	// path is the SQLite file ("" for PostgreSQL and in-memory databases);
	// Migrate locks "<path>.migrate.lock".
	path string
	// now is the clock; tests may replace it before use.
	now func() time.Time

	mu       sync.RWMutex
	inserter TaskInserter
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
// SQLite runs with one open connection: SQLite allows one writer at a time
// anyway, and one connection turns lock contention inside this process into
// queueing instead of SQLITE_BUSY errors. The consequence, documented for the
// engine: while a transaction of ours is open, nothing else in this process
// can use the database, so enqueue River jobs inside it (InsertTx), never
// beside it.
//
// Open does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		// Parse first: a malformed URL is a configuration error (EINVALID),
		// not an unavailable database. pgconn redacts the password.
		if _, err := pgx.ParseConfig(url); err != nil {
			return nil, jobpilot.FieldError("database_url", "%v", err)
		}
		sdb, err := sql.Open("pgx", url)
		if err != nil {
			return nil, jobpilot.FieldError("database_url", "%v", err)
		}
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
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: create database directory: %w", err)
			}
		}
	}
	dsn := "file:" + path + "?" + sqlitePragmas
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
	}
	if err := db.Ping(ctx); err != nil {
		_ = sdb.Close()
		return nil, err
	}
	return db, nil
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

// SQL returns the underlying pool, for River and for the engine's own
// queries. On SQLite it has a single connection: do not hold a transaction
// of your own while calling the store.
func (db *DB) SQL() *sql.DB { return db.db }

// Postgres reports whether the store runs on PostgreSQL.
func (db *DB) Postgres() bool { return db.postgres }

// Close closes the pool. Open transactions are rolled back by the database.
func (db *DB) Close() error { return db.db.Close() }

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

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rebind turns "?" placeholders into PostgreSQL's "$n". Our queries never
// contain a literal "?" elsewhere.
func (db *DB) rebind(q string) string {
	if !db.postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, db.rebind(query), args...)
}

func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.rebind(query), args...)
}

// forUpdate locks the selected row on PostgreSQL. SQLite has no row locks
// and needs none: the immediate transaction already holds the write lock.
func (db *DB) forUpdate() string {
	if db.postgres {
		return " FOR UPDATE"
	}
	return ""
}

// placeholders returns "?, ?, …" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Time handling. PostgreSQL keeps microseconds; we truncate on both
// databases so a value reads back equal to what was written wherever it is
// stored. SQLite gets a fixed-width UTC text form, which sorts and compares
// correctly as a string (SentSince, ordering by time).
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// timeResolution is the precision kept on both databases.
const timeResolution = time.Microsecond

func (db *DB) clock() time.Time { return db.now().UTC().Truncate(timeResolution) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// timeArg is the query argument for t.
func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.postgres {
		return t
	}
	return t.Format(sqliteTimeLayout)
}

// nullTimeArg is the query argument for an optional time: NULL when t is nil
// or zero.
func (db *DB) nullTimeArg(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return db.timeArg(*t)
}

// dbTime scans a time stored by either database.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: v.UTC(), Valid: true}
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("store: cannot scan %T into a time", src)
}

func (t *dbTime) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	*t = dbTime{Time: v.UTC(), Valid: true}
	return nil
}

// ptr returns the time as an optional value.
func (t dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// Errors.

// notFound is the ENOTFOUND error for a missing row.
func notFound(what string, id int64) error {
	return jobpilot.Errorf(jobpilot.ENOTFOUND, "%s %d not found", what, id)
}

// unavailable marks a failure to reach the database: EUNAVAILABLE, transient.
func unavailable(err error) error {
	return &jobpilot.Error{Code: jobpilot.EUNAVAILABLE, Message: "database unavailable", Err: jobpilot.Transient(err)}
}

// dbErr wraps a database error with what we were doing. Cancellation stays
// recognisable with errors.Is(err, context.Canceled); lock timeouts and lost
// connections are transient, anything else keeps the driver's error as is.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var je *jobpilot.Error
	if errors.As(err, &je) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if isTransientDBError(err) {
		return fmt.Errorf("store: %s: %w", op, jobpilot.Transient(err))
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// isTransientDBError recognises errors that a later attempt can get past:
// a busy or locked SQLite file, a PostgreSQL serialization failure, deadlock
// or lock timeout, a dropped connection.
func isTransientDBError(err error) bool {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03", "57P01", "08000", "08003", "08006":
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// queryAll runs a query and scans every row with scan; op names the
// operation in errors.
func queryAll[T any](ctx context.Context, db *DB, op, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := db.query(ctx, db.db, query, args...)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	return out, nil
}
