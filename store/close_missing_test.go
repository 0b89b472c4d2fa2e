package store_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// A board stored in batches (UpsertPostings without closeMissing) is
// completed by CloseMissingPostings with every id the full read saw.
func TestCloseMissingPostings(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := []jobpilot.Posting{storetest.Posting("a", "Acme", "A", "Berlin"), storetest.Posting("b", "Acme", "B", "Berlin"), storetest.Posting("c", "Acme", "C", "Berlin")}
		if _, err := db.UpsertPostings(ctx, "greenhouse:acme", first, false); err != nil {
			t.Fatal(err)
		}
		other := []jobpilot.Posting{storetest.Posting("z", "Globex", "Z", "Paris")}
		if _, err := db.UpsertPostings(ctx, "lever:globex", other, false); err != nil {
			t.Fatal(err)
		}
		// The next read of the board, in two batches, no longer has b.
		for _, batch := range [][]jobpilot.Posting{{storetest.Posting("a", "Acme", "A", "Berlin")}, {storetest.Posting("c", "Acme", "C", "Berlin"), storetest.Posting("d", "Acme", "D", "Berlin")}} {
			if _, err := db.UpsertPostings(ctx, "greenhouse:acme", batch, false); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.CloseMissingPostings(ctx, "greenhouse:acme", []string{"a", "c", "d"})
		if err != nil || n != 1 {
			t.Fatalf("closed %d, %v; want 1", n, err)
		}
		open, err := db.Postings(ctx, jobpilot.PostingFilter{OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range open {
			ids = append(ids, p.ExternalID)
		}
		if len(ids) != 4 || ids[0] != "a" || ids[1] != "c" || ids[2] != "z" || ids[3] != "d" {
			t.Errorf("open postings %v, want a c z d (b closed, the other source untouched)", ids)
		}
		if n, err := db.CloseMissingPostings(ctx, "greenhouse:acme", []string{"a", "c", "d"}); err != nil || n != 0 {
			t.Errorf("again: closed %d, %v", n, err)
		}
	})
}
