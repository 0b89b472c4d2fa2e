package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/store"
)

// Sessions live in the database: one can be read back, ended alone or with
// all the others, and creating one clears those already expired.
func TestSessions(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
		a := &jobpilot.Session{ID: "aaaa", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.Session(ctx, "aaaa")
		if err != nil || !got.ExpiresAt.Equal(now.Add(time.Hour).Truncate(time.Microsecond)) || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("Session = %+v, %v; want %+v", got, err, a)
		}
		if _, err := db.Session(ctx, "nope"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Fatalf("a missing session: %v, want ENOTFOUND", err)
		}
		if err := db.CreateSession(ctx, &jobpilot.Session{ID: "aaaa", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err == nil {
			t.Fatal("a second session with the same id was stored")
		}
		if err := db.CreateSession(ctx, &jobpilot.Session{ID: "bad", CreatedAt: now, ExpiresAt: now}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Fatalf("a session that never lives: %v, want EINVALID", err)
		}

		// Two hours later "aaaa" has expired: a new session clears it.
		b := &jobpilot.Session{ID: "bbbb", CreatedAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(3 * time.Hour)}
		if err := db.CreateSession(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "aaaa"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Fatalf("an expired session survived: %v", err)
		}
		c := &jobpilot.Session{ID: "cccc", CreatedAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(3 * time.Hour)}
		if err := db.CreateSession(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, "bbbb"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, "bbbb"); err != nil {
			t.Fatalf("ending an ended session: %v", err)
		}
		if _, err := db.Session(ctx, "bbbb"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Fatalf("a deleted session: %v", err)
		}
		if _, err := db.Session(ctx, "cccc"); err != nil {
			t.Fatalf("deleting one session ended another: %v", err)
		}
		if n, err := db.DeleteSessions(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteSessions = %d, %v; want 1", n, err)
		}
		if _, err := db.Session(ctx, "cccc"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Fatalf("a session survived sign out everywhere: %v", err)
		}
	})
}
