package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// The pagination helper reads every row once, in ID order, across page
// boundaries (a page size that divides the count and one that does not),
// from AfterID on, and stops reading when the loop stops.
func TestAllApplicationsAndPostings(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.NewFixture(t, db, 7)
		var ids []int64
		for i := range f.Postings {
			ids = append(ids, storetest.NewApp(t, db, f, i, jobpilot.StatusMatched, f.Postings[i].ExternalID).ID)
		}
		for _, size := range []int{1, 3, 7, 0} {
			got, err := store.Collect(store.AllApplications(ctx, db, jobpilot.ApplicationFilter{ProfileID: f.Profile.ID, Limit: size}))
			if err != nil || len(got) != len(ids) {
				t.Fatalf("page size %d: %d applications, %v", size, len(got), err)
			}
			for i, a := range got {
				if a.ID != ids[i] {
					t.Fatalf("page size %d: application %d is %d, want %d", size, i, a.ID, ids[i])
				}
			}
		}
		rest, err := store.Collect(store.AllApplications(ctx, db, jobpilot.ApplicationFilter{AfterID: ids[4], Limit: 2}))
		if err != nil || len(rest) != 2 || rest[0].ID != ids[5] {
			t.Fatalf("after %d: %v, %v", ids[4], rest, err)
		}
		posts, err := store.Collect(store.AllPostings(ctx, db, jobpilot.PostingFilter{Source: "test", Limit: 2}))
		if err != nil || len(posts) != 7 || posts[6].ID != f.Postings[6].ID {
			t.Fatalf("postings: %d, %v", len(posts), err)
		}

		counting := &countingLister{db: db}
		n := 0
		for range store.AllApplications(ctx, counting, jobpilot.ApplicationFilter{Limit: 2}) {
			if n++; n == 3 {
				break
			}
		}
		if counting.calls != 2 {
			t.Errorf("breaking after 3 rows read %d pages, want 2", counting.calls)
		}
	})
}

// A read error is yielded once and ends the sequence.
func TestAllApplicationsError(t *testing.T) {
	boom := errors.New("database gone")
	var got []error
	for a, err := range store.AllApplications(context.Background(), failingLister{boom}, jobpilot.ApplicationFilter{}) {
		if a != nil {
			t.Fatal("a row with the error")
		}
		got = append(got, err)
	}
	if len(got) != 1 || !errors.Is(got[0], boom) {
		t.Fatalf("errors %v, want one %v", got, boom)
	}
	if _, err := store.Collect(store.AllApplications(context.Background(), failingLister{boom}, jobpilot.ApplicationFilter{})); !errors.Is(err, boom) {
		t.Fatalf("Collect: %v", err)
	}
}

type countingLister struct {
	db    *store.DB
	calls int
}

func (c *countingLister) Applications(ctx context.Context, f jobpilot.ApplicationFilter) ([]*jobpilot.Application, error) {
	c.calls++
	return c.db.Applications(ctx, f)
}

type failingLister struct{ err error }

func (f failingLister) Applications(context.Context, jobpilot.ApplicationFilter) ([]*jobpilot.Application, error) {
	return nil, f.err
}
