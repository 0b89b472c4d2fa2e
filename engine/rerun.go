package engine

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// A unique kind allows one unfinished job per argument set, and River counts
// a running job as unfinished. A task queued while its duplicate is still
// running (the tail of a send that just settled, when the candidate at once
// asks to send it again) would be skipped, yet the running job may already
// have made its decision: the request would be lost. Instead the inserter
// flags the running job, and the job's worker, completing it, queues the
// task again in the same transaction. The check and the completion are
// atomic (the row is locked on PostgreSQL; SQLite has one writer), so
// either the worker sees the flag or the inserter sees the job finished and
// inserts again itself. See docs/design-notes.md, "A task queued while its
// duplicate runs".

// rerunKey is the River job metadata key of the flag.
const rerunKey = "jobpilot_rerun"

// rerunWriteTimeout bounds the completion transaction of a unique job
// (it runs after the handler, outside its cancelled context).
const rerunWriteTimeout = 10 * time.Second

// insertMany inserts params in tx and flags the running duplicates of the
// ones a unique key skipped. A duplicate that finished in the meantime no
// longer blocks the insert, so it is tried again (a few times: each round
// means another job of the same arguments finished during this one).
func insertMany(ctx context.Context, client *river.Client[*sql.Tx], tx *sql.Tx, postgres bool, params []river.InsertManyParams) error {
	for round := 0; len(params) > 0; round++ {
		if round == 5 {
			return fmt.Errorf("%d task(s) still racing their running duplicates after %d rounds", len(params), round)
		}
		res, err := client.InsertManyTx(ctx, tx, params)
		if err != nil {
			return err
		}
		var again []river.InsertManyParams
		for i, r := range res {
			if !r.UniqueSkippedAsDuplicate || r.Job == nil || r.Job.State != rivertype.JobStateRunning {
				continue // inserted, or a queued duplicate will run it
			}
			flagged, err := flagRerun(ctx, tx, postgres, r.Job.ID)
			if err != nil {
				return err
			}
			if !flagged {
				again = append(again, params[i])
			}
		}
		params = again
	}
	return nil
}

// flagRerun asks running job id to queue its task again when it completes;
// false when the job is no longer running.
func flagRerun(ctx context.Context, tx *sql.Tx, postgres bool, id int64) (bool, error) {
	q := `UPDATE river_job SET metadata = json_set(metadata, '$.` + rerunKey + `', json('true')) WHERE id = ? AND state = 'running'`
	if postgres {
		q = `UPDATE river_job SET metadata = metadata || '{"` + rerunKey + `": true}'::jsonb WHERE id = $1 AND state = 'running'`
	}
	res, err := tx.ExecContext(ctx, q, id)
	if err != nil {
		return false, fmt.Errorf("flag running job %d to run again: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// completeUnique completes a unique kind's job whose handler succeeded, and
// queues its task again when an inserter flagged it meanwhile. An error
// leaves the job to River, which retries it: the handler runs once more,
// which is what a flag would have asked for anyway.
func completeUnique[T Args](ctx context.Context, env workerEnv, insert river.InsertOpts, job *river.Job[T]) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rerunWriteTimeout)
	defer cancel()
	tx, err := env.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("engine: complete job %d: %w", job.ID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	q := `SELECT state, COALESCE(json_extract(metadata, '$.` + rerunKey + `'), 0) FROM river_job WHERE id = ?`
	if env.postgres {
		q = `SELECT state, COALESCE((metadata->>'` + rerunKey + `')::boolean, false) FROM river_job WHERE id = $1 FOR UPDATE`
	}
	var state string
	var rerun bool
	if err := tx.QueryRowContext(ctx, q, job.ID).Scan(&state, &rerun); err != nil {
		return fmt.Errorf("engine: complete job %d: %w", job.ID, err)
	}
	if state != string(rivertype.JobStateRunning) {
		return nil // the handler completed it in its own transaction (CompleteTx)
	}
	if _, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx, job); err != nil {
		return fmt.Errorf("engine: complete job %d: %w", job.ID, err)
	}
	if rerun {
		if _, err := river.ClientFromContext[*sql.Tx](ctx).InsertTx(ctx, tx, job.Args, &insert); err != nil {
			return fmt.Errorf("engine: queue job %d's task again: %w", job.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("engine: complete job %d: %w", job.ID, err)
	}
	return nil
}
