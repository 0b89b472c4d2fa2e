package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

var _ jobpilot.TaskInserter = (*Engine)(nil)

// InsertTasks enqueues tasks inside tx, so they exist exactly when tx commits
// (jobpilot.TaskInserter: internal/system registers the engine with the
// store). All tasks are validated first; an unknown kind or a task its kind
// refuses (missing ids) is EINVALID and nothing is inserted. A task that
// duplicates a unique job still queued is skipped silently; one whose
// duplicate is running is queued again when that job completes (rerun.go).
func (e *Engine) InsertTasks(ctx context.Context, tx *sql.Tx, tasks []jobpilot.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	params, err := e.kinds.params(tasks)
	if err != nil {
		return err
	}
	if err := insertMany(ctx, e.Client(), tx, e.db.Postgres(), params); err != nil {
		return fmt.Errorf("engine: insert %d task(s): %w", len(tasks), err)
	}
	return nil
}

// Enqueue inserts tasks in their own transaction. Never call it while holding
// a transaction on SQLite (one connection): use InsertTasks with that tx.
func (e *Engine) Enqueue(ctx context.Context, tasks ...jobpilot.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	params, err := e.kinds.params(tasks)
	if err != nil {
		return err
	}
	client := e.Client()
	err = e.inTx(ctx, func(tx *sql.Tx) error { return insertMany(ctx, client, tx, e.db.Postgres(), params) })
	if err != nil {
		return fmt.Errorf("engine: enqueue %d task(s): %w", len(tasks), err)
	}
	return nil
}

// Trigger runs a periodic kind now (for fetch_postings: all sources), even
// if one is already queued or running; a kind that is not periodic is
// EINVALID.
func (e *Engine) Trigger(ctx context.Context, kind jobpilot.TaskKind) error {
	def := e.kinds.byKind[kind]
	if def == nil || def.opts.Periodic == nil {
		return jobpilot.FieldError("kind", "%q is not a periodic job", kind)
	}
	params, err := e.kinds.params([]jobpilot.Task{{Kind: kind}})
	if err != nil {
		return err
	}
	if _, err := e.Client().Insert(ctx, params[0].Args, params[0].InsertOpts); err != nil {
		return fmt.Errorf("engine: trigger %s: %w", kind, err)
	}
	return nil
}

// inTx runs fn in a transaction on the store's handle.
func (e *Engine) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := e.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
