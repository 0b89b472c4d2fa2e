package dbtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// Subtests of one name ("twin", then "twin#01", "twin#02" as Go names the
// repeats) get a store each: the "#" in a repeat's directory once ended
// the SQLite file name (the driver reads the DSN as a URI, see store.Open),
// so every repeat opened one file outside its directory, left behind after
// the run.
func TestStoresOfRepeatedSubtestNames(t *testing.T) {
	for i := range 3 {
		t.Run("twin", func(t *testing.T) {
			st := dbtest.SQLite().Store(t)
			ctx := context.Background()
			p := jobpilot.Posting{ExternalID: fmt.Sprint(i), Company: "Acme", Title: "Backend Engineer"}
			if _, err := st.UpsertPostings(ctx, "test:twin", []jobpilot.Posting{p}, false); err != nil {
				t.Fatal(err)
			}
			ps, err := st.Postings(ctx, jobpilot.PostingFilter{Source: "test:twin", Limit: 10})
			if err != nil || len(ps) != 1 {
				t.Fatalf("%d postings (%v), want the 1 this test stored", len(ps), err)
			}
			var stored jobpilot.UpsertResult
			if stored, err = st.UpsertPostings(ctx, "test:twin", []jobpilot.Posting{p}, false); err != nil || stored.Unchanged != 1 {
				t.Fatalf("second upsert %+v %v", stored, err)
			}
		})
	}
}
