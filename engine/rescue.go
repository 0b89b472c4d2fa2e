package engine

import (
	"context"
	"database/sql"
)

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
