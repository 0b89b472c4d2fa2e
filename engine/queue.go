package engine

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Queue reads River's job table for the dashboard, the API and /metrics
// (jobpilot.JobQueue), on SQLite and PostgreSQL. It works on db.SQL() at each
// call, so it follows a store that reopened its handle, and it reads what
// every node wrote: it needs no running engine.
type Queue struct{ db DB }

// NewQueue returns a Queue over db (the store).
func NewQueue(db DB) *Queue { return &Queue{db: db} }

var _ jobpilot.JobQueue = (*Queue)(nil)

// Counts implements jobpilot.JobQueue: the number of jobs per state and
// kind, ordered by kind then state. A database error is Transient.
func (q *Queue) Counts(ctx context.Context) ([]jobpilot.JobCount, error) {
	rows, err := q.db.SQL().QueryContext(ctx, "SELECT state, kind, COUNT(*) FROM river_job GROUP BY state, kind ORDER BY kind, state")
	if err != nil {
		return nil, jobpilot.Transient(err)
	}
	defer rows.Close()
	var out []jobpilot.JobCount
	for rows.Next() {
		var jc jobpilot.JobCount
		if err := rows.Scan(&jc.State, &jc.Kind, &jc.Count); err != nil {
			return nil, err
		}
		out = append(out, jc)
	}
	return out, rows.Err()
}

// Last implements jobpilot.JobQueue: per kind, the job with the highest id
// among those attempted at least once, with the time it finished (or, while
// it runs, the time it started). A database error is Transient.
func (q *Queue) Last(ctx context.Context) (map[string]jobpilot.JobResult, error) {
	rows, err := q.db.SQL().QueryContext(ctx, `SELECT kind, state, attempt, finalized_at, attempted_at FROM river_job
		WHERE id IN (SELECT MAX(id) FROM river_job WHERE attempt > 0 GROUP BY kind)`)
	if err != nil {
		return nil, jobpilot.Transient(err)
	}
	defer rows.Close()
	out := map[string]jobpilot.JobResult{}
	for rows.Next() {
		var (
			jr                   jobpilot.JobResult
			finalized, attempted sql.NullString
		)
		if err := rows.Scan(&jr.Kind, &jr.State, &jr.Attempt, &finalized, &attempted); err != nil {
			return nil, err
		}
		for _, v := range []sql.NullString{finalized, attempted} {
			if t, ok := parseDBTime(v.String); v.Valid && ok {
				jr.At = t
				break
			}
		}
		out[jr.Kind] = jr
	}
	return out, rows.Err()
}

// parseDBTime reads a timestamp as either driver renders it into a string.
func parseDBTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
