package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// A phantom is a job the database says this node is running while none of
// its workers is: a completion that was never written (the database was
// down when the job ended), or a job of a client the supervisor replaced
// without a clean stop. Phantoms matter because the schedule's runs are
// unique while unfinished: one phantom would hold back every later tick of
// its kind until River's rescuer freed it (RescueAfter, ≈ 11 min by
// default). The supervisor sweeps them (see docs/design-notes.md,
// "Periodic runs never overlap").

// phantomAge is how long a job must have been running, by the database's
// clock, before it can be a phantom: longer than River takes between
// fetching a job and calling its worker, or between the worker's return
// and the completion write, even on a loaded machine. Not scaled by
// JOBPILOT_TIME_SCALE: a shorter one would only risk a needless second run.
const phantomAge = time.Minute

// phantomSweepEvery is how often Supervise sweeps (and never less often
// than its health check).
const phantomSweepEvery = time.Minute

// liveJobs are the ids of the jobs this process's workers are running,
// across every River client the supervisor built.
type liveJobs struct {
	mu  sync.Mutex
	ids map[int64]int
}

func newLiveJobs() *liveJobs { return &liveJobs{ids: map[int64]int{}} }

func (l *liveJobs) add(id int64) {
	l.mu.Lock()
	l.ids[id]++
	l.mu.Unlock()
}

func (l *liveJobs) remove(id int64) {
	l.mu.Lock()
	if l.ids[id]--; l.ids[id] <= 0 {
		delete(l.ids, id)
	}
	l.mu.Unlock()
}

// json is the ids as a JSON array, for the sweep's NOT IN.
func (l *liveJobs) json() string {
	l.mu.Lock()
	ids := make([]int64, 0, len(l.ids))
	for id := range l.ids {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	b, _ := json.Marshal(ids)
	return string(b)
}

// releasePhantoms makes this node's jobs recorded as running for longer
// than age, that no worker of this process runs, available again: the job
// comes back to its handler with the
// next attempt number, and every handler is idempotent on the state it
// reads. Jobs of other nodes are River's rescuer's.
func releasePhantoms(ctx context.Context, db *sql.DB, postgres bool, nodeID string, live *liveJobs, age time.Duration) (int64, error) {
	secs := age.Seconds()
	var q string
	if postgres {
		q = `UPDATE river_job SET state = 'available', scheduled_at = now()
			WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1
			AND attempted_at < now() - make_interval(secs => $2)
			AND id NOT IN (SELECT jsonb_array_elements_text($3::jsonb)::bigint)`
	} else {
		q = `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec')
			WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = ?
			AND attempted_at < datetime('now', 'subsec', printf('-%f seconds', ?))
			AND id NOT IN (SELECT value FROM json_each(?))`
	}
	res, err := db.ExecContext(ctx, q, nodeID, secs, live.json())
	if err != nil {
		return 0, fmt.Errorf("engine: release phantom jobs: %w", err)
	}
	return res.RowsAffected()
}

// sweepPhantoms runs releasePhantoms on the current client's handle,
// logging and counting what it released.
func (e *Engine) sweepPhantoms(ctx context.Context) {
	e.mu.Lock()
	rt, active := e.rt, e.started && !e.closed
	e.mu.Unlock()
	if !active {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, e.probeTimeout())
	defer cancel()
	n, err := releasePhantoms(sctx, rt.sqlDB, e.db.Postgres(), e.cfg.NodeID, e.live, phantomAge)
	if err != nil {
		e.log.Warn("sweeping phantom jobs failed", "node_id", e.cfg.NodeID, "error", err)
		return
	}
	if n > 0 {
		e.log.Warn("released jobs recorded as running on this node that no worker runs", "node_id", e.cfg.NodeID, "jobs", n)
		e.metrics.rescued.Add(float64(n))
	}
}
