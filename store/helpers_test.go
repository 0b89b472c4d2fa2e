package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// The store's conformance to jobpilot.Store, on SQLite and PostgreSQL.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		storetest.Exercise(t, func(t *testing.T) jobpilot.Store { return b.Store(t) })
	})
}

// openMigrated opens url (several handles on one database: several
// processes) and migrates it; closed when t ends.
func openMigrated(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// openUnmigrated opens url without migrating it (migrateBefore gives it an
// older schema); closed when t ends.
func openUnmigrated(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrateBefore gives db the schema as it was before the migration whose
// file name starts with next (the files of migrations/<dialect> below it,
// recorded as applied, so that Migrate then applies the rest) and returns
// how many it applied.
func migrateBefore(t testing.TB, db *store.DB, next string) int {
	t.Helper()
	ctx := context.Background()
	dialect, appliedAt, now := "sqlite", "TEXT", any(time.Now().UTC().Format(time.RFC3339Nano))
	ins := "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
	if db.Postgres() {
		dialect, appliedAt, now = "postgres", "TIMESTAMPTZ", time.Now()
		ins = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"
	}
	sqlDB := db.SQL()
	if _, err := sqlDB.ExecContext(ctx, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "+appliedAt+" NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("migrations", dialect)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, e := range entries {
		name := e.Name()
		if name >= next {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.ExecContext(ctx, string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		version, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(version)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := sqlDB.ExecContext(ctx, ins, v, name, now); err != nil {
			t.Fatal(err)
		}
		applied++
	}
	return applied
}

// recorder is a TaskInserter that writes tasks to a table of its own through
// the transaction it is given, so a rolled-back transition leaves no rows.
type recorder struct {
	db   *store.DB
	fail error

	mu  sync.Mutex
	txs []*sql.Tx
}

func newRecorder(t testing.TB, db *store.DB) *recorder {
	t.Helper()
	if _, err := db.SQL().ExecContext(context.Background(),
		"CREATE TABLE test_tasks (kind TEXT NOT NULL, application_id BIGINT NOT NULL)"); err != nil {
		t.Fatalf("create test_tasks: %v", err)
	}
	r := &recorder{db: db}
	db.SetTaskInserter(r)
	return r
}

func (r *recorder) InsertTasks(ctx context.Context, tx *sql.Tx, tasks []jobpilot.Task) error {
	r.mu.Lock()
	r.txs = append(r.txs, tx)
	fail := r.fail
	r.mu.Unlock()
	for _, task := range tasks {
		q := "INSERT INTO test_tasks (kind, application_id) VALUES (?, ?)"
		if r.db.Postgres() {
			q = "INSERT INTO test_tasks (kind, application_id) VALUES ($1, $2)"
		}
		if _, err := tx.ExecContext(ctx, q, string(task.Kind), task.ApplicationID); err != nil {
			return err
		}
	}
	return fail
}

// tasks returns the committed tasks as "kind:applicationID".
func (r *recorder) tasks(t testing.TB) []string {
	t.Helper()
	rows, err := r.db.SQL().QueryContext(context.Background(), "SELECT kind, application_id FROM test_tasks ORDER BY kind, application_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", k, id))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var errBoom = errors.New("boom")
