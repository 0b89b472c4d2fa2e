package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jobpilot/jobpilot"
)

// notFound is the ENOTFOUND error for a missing row.
func notFound(what string, id int64) error {
	return jobpilot.Errorf(jobpilot.ENOTFOUND, "%s %d not found", what, id)
}

// unavailable marks a failure to reach the database: EUNAVAILABLE, transient.
func unavailable(err error) error {
	return &jobpilot.Error{Code: jobpilot.EUNAVAILABLE, Message: "database unavailable", Err: jobpilot.Transient(scrubConnError(err))}
}

// dbErr wraps a database error with what we were doing. Cancellation stays
// recognisable with errors.Is(err, context.Canceled); lock timeouts and lost
// connections are transient, anything else keeps the driver's error as is.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	// A lost connection's text would name the server (connError).
	err = scrubConnError(err)
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
