package store

import (
	"context"
	"errors"
	"hash/fnv"
	"regexp"

	"github.com/jobpilot/jobpilot"
)

// LockNode claims a node identity for the life of this process and returns
// its release. Two live processes must never run as the same node: each
// one, when it starts, takes the jobs left running under its node id for
// orphans of a crashed predecessor and runs them again. LockNode makes a
// second process with the same id fail at start with ECONFLICT instead.
//
// On PostgreSQL it is a session advisory lock held on a dedicated
// connection (the server releases it if the process dies); on SQLite an
// exclusive flock on "<database>.node-<id>.lock" beside the database file
// (the kernel releases it if the process dies).
func (db *DB) LockNode(ctx context.Context, nodeID string) (func(), error) {
	conflict := jobpilot.Errorf(jobpilot.ECONFLICT,
		"another jobpilot process is running as node %q on this database; give each process its own JOBPILOT_NODE_ID", nodeID)
	if db.postgres {
		h := fnv.New64a()
		h.Write([]byte("jobpilot node " + nodeID))
		key := int64(h.Sum64())
		conn, err := db.db.Conn(ctx)
		if err != nil {
			return nil, dbErr("node lock connection", err)
		}
		var got bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
			_ = conn.Close()
			return nil, dbErr("take node lock", err)
		}
		if !got {
			_ = conn.Close()
			return nil, conflict
		}
		return func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
			_ = conn.Close()
		}, nil
	}
	if db.path == "" {
		return func() {}, nil
	}
	release, err := tryLockFile(ctx, db.path+".node-"+unsafeChars.ReplaceAllString(nodeID, "_")+".lock")
	if errors.Is(err, errLocked) {
		return nil, conflict
	}
	return release, err
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)
