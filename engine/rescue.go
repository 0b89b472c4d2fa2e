package engine

import (
	"context"
	"database/sql"
)

// rescueOrphans makes this node's jobs that a previous process left in state
// "running" (the last element of attempted_by is our node id) available again
// at once. It runs before our River client starts, so none of them can really
// be running here; without it they would wait for River's rescuer (the
// leader's, every 30 s, after RescueStuckJobsAfter). The attempt counter is
// kept: the job comes back to its handler with the next attempt number.
//
// It must not run while another process with the same node id is alive: node
// ids are per process (host + data dir by default, or JOBPILOT_NODE_ID).
func rescueOrphans(ctx context.Context, db *sql.DB, postgres bool, nodeID string) (int64, error) {
	var q string
	if postgres {
		q = `UPDATE river_job SET state = 'available', scheduled_at = now()
			WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1`
	} else {
		q = `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec')
			WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = ?`
	}
	res, err := db.ExecContext(ctx, q, nodeID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// releaseLeadership drops a leadership lease still held under our node id
// by a previous process (killed, or a client the supervisor gave up on).
// Without it the new client, having the same id, would wait for the lease to
// expire (≈15 s) before it could run the periodic schedule again. A lease
// held by another node is left alone.
func releaseLeadership(ctx context.Context, db *sql.DB, postgres bool, nodeID string) (int64, error) {
	q := `DELETE FROM river_leader WHERE leader_id = ?`
	if postgres {
		q = `DELETE FROM river_leader WHERE leader_id = $1`
	}
	res, err := db.ExecContext(ctx, q, nodeID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
