package store_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// A node identity is held by one live process at a time; released, it can
// be taken again (a restart after a crash or a clean stop).
func TestLockNode(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		url := b.URL(t)
		db, other := openMigrated(t, url), openMigrated(t, url)
		node := "node-" + t.Name()
		release, err := db.LockNode(ctx, node)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.LockNode(ctx, node); jobpilot.ErrorCode(err) != jobpilot.ECONFLICT {
			t.Fatalf("second holder of %s: %v, want ECONFLICT", node, err)
		}
		releaseB, err := other.LockNode(ctx, node+"-b")
		if err != nil {
			t.Fatalf("another node id must not conflict: %v", err)
		}
		releaseB()
		release()
		again, err := other.LockNode(ctx, node)
		if err != nil {
			t.Fatalf("after release: %v", err)
		}
		again()
	})
}
