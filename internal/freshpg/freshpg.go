// Package freshpg creates throwaway PostgreSQL databases: one per test, per
// benchmark or per chaos run, on the server of a given URL, so runs never
// collide with each other or touch existing data, and River's tables live in
// them too.
package freshpg

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/jobpilot/jobpilot"
)

// Create makes a new, empty database on the server of serverURL (a URL of
// any database there we may connect to) and returns its URL and a function
// that drops it, forcing out connections left behind (a killed process's).
// prefix starts the database's name; the rest is random.
func Create(ctx context.Context, serverURL, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, jobpilot.FieldError("database_url", "want a postgres:// URL")
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, jobpilot.FieldError("database_url", "%v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := sanitize(prefix) + "_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, jobpilot.Transient(fmt.Errorf("create database %s: %w", name, err))
	}
	u.Path = "/" + name
	drop = func(ctx context.Context) error {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

// TB is the part of testing.TB that Database uses (kept as an interface so
// that this package, linked into the chaos command, does not import testing).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
}

// Database returns the URL of a fresh database on serverURL's server, dropped
// when the test ends.
func Database(t TB, serverURL, prefix string) string {
	t.Helper()
	dbURL, drop, err := Create(context.Background(), serverURL, prefix)
	if err != nil {
		t.Fatalf("fresh PostgreSQL database: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(context.Background()); err != nil {
			t.Logf("%v", err)
		}
	})
	return dbURL
}

// sanitize keeps a PostgreSQL identifier to lower-case letters, digits and
// underscores.
func sanitize(s string) string {
	if s == "" {
		s = "jobpilot"
	}
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s))
}
