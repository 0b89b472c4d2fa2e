// Package dbtest is jobpilot's test kit, after River's riverdbtest: it runs a
// test on every database the store supports, each run on a fresh database
// of its own, and it waits for what a test expects to happen (Eventually).
// It is for tests only.
//
// SQLite always runs (a file in the test's temporary directory).
// PostgreSQL runs when JOBPILOT_TEST_DATABASE_URL names a server, e.g.
//
//	export JOBPILOT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// each test on a fresh database of its own (Backend.URL: created for it and
// dropped, connections forced out, when it ends; Backend.Store: a schema of
// its own, enough for the store alone); when the variable is unset the
// PostgreSQL subtests are skipped with a message that names it.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/jobpilot/jobpilot/internal/freshpg"
	"github.com/jobpilot/jobpilot/store"
)

// EnvURL names the PostgreSQL server the tests also run against.
const EnvURL = "JOBPILOT_TEST_DATABASE_URL"

// Backend is one kind of database: "sqlite" or "postgres".
type Backend struct {
	Name   string
	server string // PostgreSQL: the server's URL
}

// SQLite is the SQLite backend.
func SQLite() Backend { return Backend{Name: "sqlite"} }

// Postgres is the PostgreSQL backend of JOBPILOT_TEST_DATABASE_URL; it skips
// t when the variable is unset.
func Postgres(t testing.TB) Backend {
	t.Helper()
	server := os.Getenv(EnvURL)
	if server == "" {
		t.Skipf("%s is not set: PostgreSQL skipped", EnvURL)
	}
	return Backend{Name: "postgres", server: server}
}

// Postgres reports whether b is PostgreSQL.
func (b Backend) Postgres() bool { return b.server != "" }

// URL creates a fresh, empty database of b's kind and returns its URL for
// store.Open (or DATABASE_URL): "sqlite://<temp dir>/jobpilot.db", or a new
// PostgreSQL database named after the test, dropped when t ends.
func (b Backend) URL(t testing.TB) string {
	t.Helper()
	if !b.Postgres() {
		return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "jobpilot.db"))
	}
	return freshpg.Database(t, b.server, "jp_test")
}

// Store opens a fresh store of b's kind, migrated, closed when t ends. On
// PostgreSQL it lives in a schema of its own (dropped when t ends) in the
// database JOBPILOT_TEST_DATABASE_URL names, which is much quicker to make
// than a database and enough for the store alone; tests that run River or
// take node locks (both per database) use URL.
func (b Backend) Store(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	url := "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "jobpilot.db"))
	if b.Postgres() {
		url = schemaURL(t, b.server)
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s store: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", b.Name, err)
	}
	return db
}

// Run runs fn once per backend, as the subtests "sqlite" and "postgres"
// (skipped, with a message, when JOBPILOT_TEST_DATABASE_URL is unset).
func Run(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite()) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// RunStore runs fn once per backend on a fresh, migrated store.
func RunStore(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	Run(t, func(t *testing.T, b Backend) { fn(t, b.Store(t)) })
}

// schemaURL creates a schema with a random name in server's database and
// returns server's URL with search_path set to it.
func schemaURL(t testing.TB, server string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "jp_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", EnvURL, err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(server, "?") {
		sep = "&"
	}
	return server + sep + "search_path=" + schema
}
