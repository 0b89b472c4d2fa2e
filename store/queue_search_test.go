package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// A search reads its matches first when they are few and walks the queue
// in score order when they are many (Store.Queue); both ways give the
// order the queue has without a search, keeping the postings that hold
// every word as a word prefix, with the other filters too; on PostgreSQL
// also once its statistics say which words are common, and on SQLite when
// the walk reads three rows at a time. 2,500 seeded postings: "kafka" is
// in most (more than the 2,000 where the store changes ways), "zeppelin"
// in a few.
func TestQueueSearchFewAndMany(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded := dbtest.Seed(t, db, 2500)
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
				minScore int
				source   string
			}{
				{"kafka", false, nil, 0, ""},
				{"kafka engineer", false, []jobpilot.Status{jobpilot.StatusReady}, 0, ""},
				{"kafka", false, []jobpilot.Status{jobpilot.StatusSent, jobpilot.StatusFailed}, 40, seeded.Sources[2]},
				{"zeppel", true, nil, 0, ""},
				{"zeppelin", true, []jobpilot.Status{jobpilot.StatusReady, jobpilot.StatusSkipped}, 0, ""},
				{"zeppelin", true, nil, 30, seeded.Sources[1]},
			} {
				var want []int64
				for _, it := range all {
					if holdsPrefixes(text[it.Posting.ID], tc.search) && (tc.statuses == nil || slices.Contains(tc.statuses, it.Status)) &&
						it.Score >= tc.minScore && (tc.source == "" || it.Posting.Source == tc.source) {
						want = append(want, it.ID)
					}
				}
				if len(want) == 0 {
					t.Fatalf("%q with %v, ≥ %d, %q selects nothing: the seed no longer tests this case", tc.search, tc.statuses, tc.minScore, tc.source)
				}
				if matches := countMatching(text, tc.search); tc.few != (matches < 2000) || matches == 0 {
					t.Fatalf("%q matches %d postings: the seed no longer tests this path", tc.search, matches)
				}
				var got []int64
				f := jobpilot.QueueFilter{Search: tc.search, Statuses: tc.statuses, MinScore: tc.minScore, Source: tc.source, Limit: 25}
				for it, err := range store.AllQueue(ctx, db, f) {
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
					t.Errorf("search %q, statuses %v, ≥ %d, %q: %d items %v…, want %d %v…", tc.search, tc.statuses, tc.minScore, tc.source, len(got), head(got), len(want), head(want))
				}
			}
		}
		check(t)
		if !db.Postgres() {
			store.SetWalkChunkMax(db, 3)
			t.Run("in chunks of three rows", check)
		}
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

// A search sees the postings this store handle writes at once, and those
// another handle (another process, another node) writes within SearchTTL,
// when the matches it keeps are read again.
func TestQueueSearchSeesNewPostings(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		url := b.URL(t)
		db, other := openMigrated(t, url), openMigrated(t, url)
		var mu sync.Mutex
		now := time.Now()
		store.SetClock(db, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		p := storetest.Profile("Ada Lovelace")
		if err := db.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		add := func(db *store.DB, ext string) {
			t.Helper()
			ps := []jobpilot.Posting{storetest.Posting(ext, "Acme", "Quokka Wrangler "+ext, "Remote")}
			if _, err := db.UpsertPostings(ctx, "greenhouse:acme", ps, false); err != nil {
				t.Fatal(err)
			}
			a := &jobpilot.Application{ProfileID: p.ID, PostingID: ps[0].ID, Status: jobpilot.StatusReady, Score: 80, ApplyVia: jobpilot.ApplyViaEmail}
			if _, err := db.CreateApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		found := func() int {
			t.Helper()
			page, err := db.Queue(ctx, jobpilot.QueueFilter{ProfileID: p.ID, Search: "quokka"})
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Items)
		}
		if n := found(); n != 0 {
			t.Fatalf("%d found before any posting", n)
		}
		add(db, "q1")
		if n := found(); n != 1 {
			t.Fatalf("%d found after this handle stored one posting, want 1", n)
		}
		add(other, "q2")
		mu.Lock()
		now = now.Add(store.SearchTTL)
		mu.Unlock()
		if n := found(); n != 2 {
			t.Fatalf("%d found %v after another handle stored a second posting, want 2", n, store.SearchTTL)
		}
	})
}
