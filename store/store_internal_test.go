package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jobpilot/jobpilot"
)

func TestRebind(t *testing.T) {
	pg := &DB{postgres: true}
	lite := &DB{}
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?"
	if got, want := pg.rebind(q), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"; got != want {
		t.Fatalf("postgres: %q, want %q", got, want)
	}
	if got := lite.rebind(q); got != q {
		t.Fatalf("sqlite rebound: %q", got)
	}
}

func TestSQLitePath(t *testing.T) {
	for _, c := range []struct{ url, path, query string }{
		{"sqlite://./data/jobpilot.db", "./data/jobpilot.db", ""},
		{"sqlite:///var/lib/jobpilot.db", "/var/lib/jobpilot.db", ""},
		{"file:/tmp/x.db?cache=shared", "/tmp/x.db", "cache=shared"},
		{"jobpilot.db", "jobpilot.db", ""},
		{":memory:", ":memory:", ""},
	} {
		path, query := sqlitePath(c.url)
		if path != c.path || query != c.query {
			t.Errorf("sqlitePath(%q) = %q, %q; want %q, %q", c.url, path, query, c.path, c.query)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	for _, c := range []struct {
		err       error
		transient bool
	}{
		{&pgconn.PgError{Code: "40001"}, true}, // serialization failure
		{&pgconn.PgError{Code: "40P01"}, true}, // deadlock
		{&pgconn.PgError{Code: "23505"}, false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{errors.New("syntax error"), false},
	} {
		err := dbErr("op", fmt.Errorf("wrapped: %w", c.err))
		if got := errors.Is(err, jobpilot.ErrTransient); got != c.transient {
			t.Errorf("%v: transient=%v, want %v", c.err, got, c.transient)
		}
	}
	// Cancellation stays cancellation, and is never called transient.
	err := dbErr("op", context.Canceled)
	if !errors.Is(err, context.Canceled) || errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("canceled: %v", err)
	}
}

func TestDBTimeScan(t *testing.T) {
	want := time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)
	for _, src := range []any{want.Format(sqliteTimeLayout), []byte(want.Format(sqliteTimeLayout)), want.In(time.FixedZone("X", 7200))} {
		var got dbTime
		if err := got.Scan(src); err != nil {
			t.Fatal(err)
		}
		if !got.Valid || !got.Time.Equal(want) || got.Time.Location() != time.UTC {
			t.Errorf("Scan(%v) = %v", src, got)
		}
	}
	var null dbTime
	if err := null.Scan(nil); err != nil || null.Valid || null.ptr() != nil {
		t.Errorf("Scan(nil) = %+v, %v", null, err)
	}
	if err := null.Scan("yesterday"); err == nil {
		t.Error("a malformed stored time was accepted")
	}
	if err := null.Scan(42); err == nil {
		t.Error("an integer was accepted as a time")
	}
	// The SQLite text form sorts like the times it stores.
	a := (&DB{}).timeArg(want).(string)
	b := (&DB{}).timeArg(want.Add(time.Microsecond)).(string)
	c := (&DB{}).timeArg(want.Add(time.Hour)).(string)
	if !(a < b && b < c) || len(a) != len(c) {
		t.Errorf("text times do not sort: %q %q %q", a, b, c)
	}
}
