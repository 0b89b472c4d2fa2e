package store

import (
	"context"
	"strings"

	"github.com/jobpilot/jobpilot"
)

var _ jobpilot.SessionStore = (*DB)(nil)

// CreateSession stores a dashboard session and deletes those expired at its
// creation, so the table holds the live sessions only.
func (db *DB) CreateSession(ctx context.Context, s *jobpilot.Session) error {
	if strings.TrimSpace(s.ID) == "" {
		return jobpilot.FieldError("id", "is required")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.clock()
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return jobpilot.FieldError("expires_at", "must be after created_at")
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC().Truncate(timeResolution), s.ExpiresAt.UTC().Truncate(timeResolution)
	if _, err := db.exec(ctx, db.db, "DELETE FROM sessions WHERE expires_at <= ?", db.timeArg(s.CreatedAt)); err != nil {
		return dbErr("delete expired sessions", err)
	}
	if _, err := db.exec(ctx, db.db, "INSERT INTO sessions (id, created_at, expires_at) VALUES (?, ?, ?)",
		s.ID, db.timeArg(s.CreatedAt), db.timeArg(s.ExpiresAt)); err != nil {
		return dbErr("create session", err)
	}
	return nil
}

// Session returns the session with this id, ENOTFOUND when there is none.
func (db *DB) Session(ctx context.Context, id string) (*jobpilot.Session, error) {
	var (
		s                jobpilot.Session
		created, expires dbTime
	)
	err := db.queryRow(ctx, db.db, "SELECT id, created_at, expires_at FROM sessions WHERE id = ?", id).Scan(&s.ID, &created, &expires)
	if isNoRows(err) {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "session not found")
	}
	if err != nil {
		return nil, dbErr("read session", err)
	}
	s.CreatedAt, s.ExpiresAt = created.Time, expires.Time
	return &s, nil
}

// DeleteSession ends one session; a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.exec(ctx, db.db, "DELETE FROM sessions WHERE id = ?", id); err != nil {
		return dbErr("delete session", err)
	}
	return nil
}

// DeleteSessions ends every session and returns how many there were.
func (db *DB) DeleteSessions(ctx context.Context) (int, error) {
	res, err := db.exec(ctx, db.db, "DELETE FROM sessions")
	if err != nil {
		return 0, dbErr("delete sessions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbErr("delete sessions", err)
	}
	return int(n), nil
}
