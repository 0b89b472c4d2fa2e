package engine

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/jobpilot/jobpilot"
)

// runtime is one River client and the handle it was built on. A River client
// cannot be started again after Stop, so the supervisor builds a new runtime.
type runtime struct {
	client   *river.Client[*sql.Tx]
	sqlDB    *sql.DB
	stopping *atomic.Bool
	started  bool
}

// driverFor is River's driver for a store handle: database/sql on
// PostgreSQL (the store's pool is pgx's stdlib), riversqlite otherwise.
func driverFor(postgres bool, db *sql.DB) riverdriver.Driver[*sql.Tx] {
	if postgres {
		return riverdatabasesql.New(db)
	}
	return riversqlite.New(db)
}

// newRuntime builds a River client (not started) on the store's current
// handle, with a worker for every registered kind and the periodic jobs.
func (e *Engine) newRuntime() (*runtime, error) {
	rt := &runtime{sqlDB: e.db.SQL(), stopping: new(atomic.Bool)}
	if rt.sqlDB == nil {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "engine: db.SQL() is nil")
	}
	workers := river.NewWorkers()
	env := workerEnv{backoff: e.cfg.Backoff, stopping: rt.stopping, metrics: e.metrics, scrub: e.scrub, db: rt.sqlDB, postgres: e.db.Postgres(), live: e.live}
	for _, d := range e.kinds.order {
		d.register(workers, env, d.opts.Timeout)
	}
	client, err := river.NewClient(driverFor(e.db.Postgres(), rt.sqlDB), &river.Config{
		ID:                   e.cfg.NodeID,
		Queues:               e.kinds.queues(e.cfg.Workers),
		Workers:              workers,
		PeriodicJobs:         e.kinds.periodicJobs(),
		JobTimeout:           e.cfg.JobTimeout,
		RescueStuckJobsAfter: e.cfg.RescueAfter,
		MaxAttempts:          DefaultMaxAttempts,
		// Neither database/sql driver listens (no LISTEN/NOTIFY): poll, but
		// often enough that new work starts within a tenth of a second.
		FetchPollInterval: 100 * time.Millisecond,
		FetchCooldown:     10 * time.Millisecond,
		// SoftStopTimeout makes River cancel running jobs after the grace.
		SoftStopTimeout: e.cfg.ShutdownGrace,
		ErrorHandler:    &errorHandler{log: e.log, metrics: e.metrics},
		Logger:          slog.New(e.riverLog),
		TestOnly:        e.fastStart,
	})
	if err != nil {
		return nil, fmt.Errorf("engine: new river client: %w", err)
	}
	rt.client = client
	return rt, nil
}

// Client is the current River client (the supervisor may replace it).
func (e *Engine) Client() *river.Client[*sql.Tx] {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rt.client
}

// minLevel drops records below a level (River logs routine events at info).
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
