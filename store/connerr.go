package store

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// connError stands for a failure to connect to PostgreSQL. pgconn's own
// text names the user, the database, the host and the port ("failed to
// connect to `user=… database=…`: host:port (host): dial error: …"), and
// error texts travel to logs, events, /health and API answers; this one
// says what went wrong in words that name nothing. The driver's error stays
// in the chain for errors.Is and errors.As.
type connError struct{ err error }

func (e *connError) Error() string { return "cannot connect to the database: " + connReason(e.err) }
func (e *connError) Unwrap() error { return e.err }

// scrubConnError replaces a PostgreSQL connection error in err by a
// connError; any other error is returned as it is.
func scrubConnError(err error) error {
	var ce *pgconn.ConnectError
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	var already *connError
	if errors.As(err, &already) {
		return err
	}
	return &connError{err: err}
}

// connReason names the cause of a connection failure without a name, an
// address or a port.
func connReason(err error) string {
	var pe *pgconn.PgError
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		switch pe.Code {
		case "28P01", "28000":
			return "authentication failed"
		case "3D000":
			return "the database does not exist"
		case "53300":
			return "too many connections"
		case "57P03":
			return "the server is starting up or shutting down"
		}
		return "the server refused the connection (SQLSTATE " + pe.Code + ")"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "the host name does not resolve"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "connection failed"
}
