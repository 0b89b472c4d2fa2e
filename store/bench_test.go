package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
)

// BenchmarkCreateAndTransition measures the hot path of an automation run
// on SQLite: create an application (with its creation event) and move it
// matched → drafting (row check, update, status event), two transactions.
func BenchmarkCreateAndTransition(b *testing.B) {
	ctx := context.Background()
	db := openMigrated(b, "sqlite://"+filepath.Join(b.TempDir(), "bench.db"))
	f := storetest.NewFixture(b, db, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a := &jobpilot.Application{ProfileID: f.Profile.ID, PostingID: f.Postings[0].ID, Fingerprint: fmt.Sprintf("bench-%d", i)}
		if _, err := db.CreateApplication(ctx, a); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Transition(ctx, a.ID, jobpilot.StatusDrafting, jobpilot.Change{Reason: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
