package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/store"
)

// A search reads its matches first when they are few and walks the queue
// in score order when they are many (searchCondition); both ways give the
// order the queue has without a search, keeping the postings that hold
// every word as a word prefix; on PostgreSQL also once its statistics say
// which words are common. 2,500 seeded postings: "kafka" is in most
// (more than the 2,000 where the store changes ways), "zeppelin" in a few.
func TestQueueSearchFewAndMany(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dbtest.Seed(t, db, 2500)
		text := map[int64]string{} // posting id -> title, company, description
		var all []jobpilot.QueueItem
		for it, err := range store.AllQueue(ctx, db, jobpilot.QueueFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			p, err := db.Posting(ctx, it.Posting.ID)
			if err != nil {
				t.Fatal(err)
			}
			text[p.ID] = p.Title + " " + p.Company + " " + p.Description
			all = append(all, it)
		}
		check := func(t *testing.T) {
			for _, tc := range []struct {
				search   string
				few      bool
				statuses []jobpilot.Status
			}{
				{"kafka", false, nil},
				{"kafka engineer", false, []jobpilot.Status{jobpilot.StatusReady}},
				{"zeppel", true, nil},
				{"zeppelin", true, []jobpilot.Status{jobpilot.StatusReady, jobpilot.StatusSkipped}},
			} {
				var want []int64
				for _, it := range all {
					if holdsPrefixes(text[it.Posting.ID], tc.search) && (tc.statuses == nil || slices.Contains(tc.statuses, it.Status)) {
						want = append(want, it.ID)
					}
				}
				if matches := countMatching(text, tc.search); tc.few != (matches < 2000) || matches == 0 {
					t.Fatalf("%q matches %d postings: the seed no longer tests this path", tc.search, matches)
				}
				var got []int64
				for it, err := range store.AllQueue(ctx, db, jobpilot.QueueFilter{Search: tc.search, Statuses: tc.statuses, Limit: 25}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, it.ID)
					if len(got) == 100 { // four pages are enough to see the order
						break
					}
				}
				if len(want) > 100 {
					want = want[:100]
				}
				if !slices.Equal(got, want) {
					t.Errorf("search %q, statuses %v: %d items %v…, want %d %v…", tc.search, tc.statuses, len(got), head(got), len(want), head(want))
				}
			}
		}
		check(t)
		if db.Postgres() {
			// With statistics, PostgreSQL knows "kafka" is common and
			// walks the score order without counting its matches.
			if _, err := db.SQL().ExecContext(ctx, "ANALYZE postings"); err != nil {
				t.Fatal(err)
			}
			t.Run("analysed", check)
		}
	})
}

// holdsPrefixes reports whether text has, for every word of search, a word
// starting with it (letters and digits, case folded).
func holdsPrefixes(text, search string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, s := range strings.Fields(strings.ToLower(search)) {
		found := false
		for _, w := range words {
			if strings.HasPrefix(w, s) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func countMatching(text map[int64]string, search string) int {
	n := 0
	for _, s := range text {
		if holdsPrefixes(s, search) {
			n++
		}
	}
	return n
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }
