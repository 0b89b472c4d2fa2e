package engine

import (
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/jobpilot/jobpilot"
)

// NewInspector returns a River client for looking at and managing the job
// queue (River UI, tools): listing and reading jobs, cancelling, retrying or
// deleting one, pausing a queue. It is built on db's handle with the same
// driver as the engine's clients but is never started: it works no jobs,
// takes no node identity and elects no leader, so it cannot compete with the
// engine's client.
//
// It stays valid when the supervisor or Restart replaces the engine's
// client: a client is only a view of River's tables, and every client the
// engine builds reads the same tables through db.SQL(). What it changes
// (a cancelled job, a paused queue) the working client picks up at its next
// poll, as neither of our drivers has LISTEN/NOTIFY. A store that reopened
// its handle would need a new inspector; *store.DB keeps one handle for its
// whole life.
func NewInspector(db DB, log *slog.Logger) (*river.Client[*sql.Tx], error) {
	if db == nil || db.SQL() == nil {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "engine: inspector needs a database")
	}
	if log == nil {
		log = slog.Default()
	}
	client, err := river.NewClient(driverFor(db.Postgres(), db.SQL()), &river.Config{
		Logger: slog.New(minLevel{log.With("component", "inspector").Handler(), slog.LevelWarn}),
	})
	if err != nil {
		return nil, fmt.Errorf("engine: new river inspector: %w", err)
	}
	return client, nil
}
