package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// queueFixture is a profile with applications on postings of two sources
// and three companies, scored so that ties exist.
type queueFixture struct {
	profile *jobpilot.Profile
	apps    map[string]*jobpilot.Application // by posting external id
}

func newQueueFixture(t *testing.T, db *store.DB) queueFixture {
	t.Helper()
	ctx := context.Background()
	p := storetest.Profile("Ada Lovelace")
	if err := db.CreateProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	type row struct {
		source, ext, company, title, desc string
		score                             int
		status                            jobpilot.Status
	}
	rows := []row{
		{"greenhouse:acme", "a1", "Acme", "Backend Engineer", "Go services on PostgreSQL.", 90, jobpilot.StatusReady},
		{"greenhouse:acme", "a2", "Acme", "Frontend Engineer", "TypeScript and React.", 70, jobpilot.StatusReady},
		{"greenhouse:acme", "a3", "ACME", "Site Reliability Engineer", "Kubernetes, Go and on-call.", 70, jobpilot.StatusSkipped},
		{"lever:globex", "g1", "Globex", "Pastry Chef", "Croissants at dawn.", 12, jobpilot.StatusReady},
		{"lever:globex", "g2", "Globex", "Data Engineer", "Spark pipelines; some Go.", 70, jobpilot.StatusReady},
		{"lever:globex", "g3", "Initech", "Engineering Manager", "Lead a team of engineers.", 85, jobpilot.StatusSent},
	}
	f := queueFixture{profile: p, apps: map[string]*jobpilot.Application{}}
	for _, r := range rows {
		ps := []jobpilot.Posting{{ExternalID: r.ext, Company: r.company, Title: r.title, Description: r.desc,
			URL: "https://jobs.example.com/" + r.ext, ContactEmail: "jobs@" + r.ext + ".example.com"}}
		if _, err := db.UpsertPostings(ctx, r.source, ps, false); err != nil {
			t.Fatal(err)
		}
		a := &jobpilot.Application{ProfileID: p.ID, PostingID: ps[0].ID, Status: r.status, Score: r.score, ApplyVia: jobpilot.ApplyViaEmail}
		if _, err := db.CreateApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.apps[r.ext] = a
	}
	return f
}

// exts names the queue's items by their posting's external id (which the
// fixture makes the URL's last part).
func (f queueFixture) exts(items []jobpilot.QueueItem) []string {
	var out []string
	for _, it := range items {
		for ext, a := range f.apps {
			if a.ID == it.ID {
				out = append(out, ext)
			}
		}
	}
	return out
}

// The queue is ordered by score, highest first, then by ID; every filter
// narrows it, alone and together; the search finds word prefixes in the
// title, company and description on both databases alike.
func TestQueueFiltersAndOrder(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newQueueFixture(t, db)
		ready := []jobpilot.Status{jobpilot.StatusReady}
		cases := []struct {
			name string
			f    jobpilot.QueueFilter
			want []string
		}{
			{"everything", jobpilot.QueueFilter{}, []string{"a1", "g3", "a2", "a3", "g2", "g1"}},
			{"ready", jobpilot.QueueFilter{Statuses: ready}, []string{"a1", "a2", "g2", "g1"}},
			{"ready or sent", jobpilot.QueueFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady, jobpilot.StatusSent}}, []string{"a1", "g3", "a2", "g2", "g1"}},
			{"min score", jobpilot.QueueFilter{Statuses: ready, MinScore: 70}, []string{"a1", "a2", "g2"}},
			{"company ignores case", jobpilot.QueueFilter{Company: "acme"}, []string{"a1", "a2", "a3"}},
			{"company is the whole name", jobpilot.QueueFilter{Company: "Acm"}, nil},
			{"source", jobpilot.QueueFilter{Source: "lever:globex"}, []string{"g3", "g2", "g1"}},
			{"source and company", jobpilot.QueueFilter{Source: "lever:globex", Company: "Globex"}, []string{"g2", "g1"}},
			{"source and status", jobpilot.QueueFilter{Source: "lever:globex", Statuses: ready}, []string{"g2", "g1"}},
			{"source, status and min score", jobpilot.QueueFilter{Source: "greenhouse:acme", Statuses: ready, MinScore: 80}, []string{"a1"}},
			{"source is the whole name", jobpilot.QueueFilter{Source: "lever"}, nil},
			{"search a title word prefix", jobpilot.QueueFilter{Search: "eng"}, []string{"a1", "g3", "a2", "a3", "g2"}},
			{"search the description", jobpilot.QueueFilter{Search: "postgres"}, []string{"a1"}},
			{"search every word", jobpilot.QueueFilter{Search: "Go engineer"}, []string{"a1", "a3", "g2"}},
			{"search a company", jobpilot.QueueFilter{Search: "initech"}, []string{"g3"}},
			{"search ignores punctuation and case", jobpilot.QueueFilter{Search: `"CROISSANTS" OR (x`}, nil},
			{"search with only punctuation finds nothing", jobpilot.QueueFilter{Search: `*"():-`}, nil},
			{"search a word that is not there", jobpilot.QueueFilter{Search: "haskell"}, nil},
			{"search and filters", jobpilot.QueueFilter{Search: "go", Statuses: ready, MinScore: 80}, []string{"a1"}},
		}
		for _, c := range cases {
			page, err := db.Queue(ctx, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := f.exts(page.Items); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
			if page.Next != nil {
				t.Errorf("%s: a next page after %d items", c.name, len(page.Items))
			}
		}
		// "croissants" alone is there: the case above found nothing only
		// because "or" and "x" are words too (every word must match).
		page, err := db.Queue(ctx, jobpilot.QueueFilter{Search: `"CROISSANTS"`})
		if err != nil || !slices.Equal(f.exts(page.Items), []string{"g1"}) {
			t.Fatalf("croissants: %v, %v", f.exts(page.Items), err)
		}
	})
}

// A queue item carries its posting's summary, the recipient included, and
// whether documents exist.
func TestQueueItemSummary(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newQueueFixture(t, db)
		a := f.apps["a1"]
		if err := db.SaveDocuments(ctx, &jobpilot.Documents{ApplicationID: a.ID, CoverLetter: "Dear Acme", Writer: "template",
			Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada"}}}); err != nil {
			t.Fatal(err)
		}
		page, err := db.Queue(ctx, jobpilot.QueueFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		top := page.Items[0]
		p := top.Posting
		if top.ID != a.ID || !top.HasDocuments || p.ID != a.PostingID || p.Source != "greenhouse:acme" || p.Company != "Acme" ||
			p.Title != "Backend Engineer" || p.ContactEmail != "jobs@a1.example.com" || p.URL != "https://jobs.example.com/a1" ||
			top.Status != jobpilot.StatusReady || top.Score != 90 {
			t.Fatalf("top item %+v, posting %+v", top.Application, p)
		}
		if page.Items[1].HasDocuments {
			t.Fatalf("item 2 has documents")
		}
		if page.Next == nil || *page.Next != (jobpilot.QueueCursor{Score: page.Items[1].Score, ID: page.Items[1].ID}) {
			t.Fatalf("next %+v after %+v", page.Next, page.Items[1].Application)
		}
	})
}

// Keyset pages walk the whole queue once, ties across page boundaries
// included, whatever the page size; AllQueue reads it the same way.
func TestQueuePages(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := storetest.NewFixture(t, db, 23)
		for i := range fx.Postings {
			a := &jobpilot.Application{ProfileID: fx.Profile.ID, PostingID: fx.Postings[i].ID, Fingerprint: fmt.Sprint(i),
				Status: jobpilot.StatusReady, Score: 50 + (i*7)%4*10} // four scores, many ties
			if _, err := db.CreateApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.Queue(ctx, jobpilot.QueueFilter{Limit: 100})
		if err != nil || len(all.Items) != 23 {
			t.Fatalf("%d items, %v", len(all.Items), err)
		}
		if !slices.IsSortedFunc(all.Items, func(x, y jobpilot.QueueItem) int {
			if x.Score != y.Score {
				return y.Score - x.Score
			}
			return int(x.ID - y.ID)
		}) {
			t.Fatal("the queue is not ordered by score then id")
		}
		want := ids(all.Items)
		for _, size := range []int{1, 4, 6, 22, 23} {
			var got []int64
			var after *jobpilot.QueueCursor
			for pages := 0; ; pages++ {
				if pages > 23 {
					t.Fatalf("size %d: no end", size)
				}
				page, err := db.Queue(ctx, jobpilot.QueueFilter{Limit: size, After: after})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ids(page.Items)...)
				if after = page.Next; after == nil {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("size %d: pages give %v, want %v", size, got, want)
			}
			seq, err := store.Collect(store.AllQueue(ctx, db, jobpilot.QueueFilter{Limit: size}))
			if err != nil || !slices.Equal(ids(seq), want) {
				t.Fatalf("size %d: AllQueue gives %v, %v", size, ids(seq), err)
			}
		}
	})
}

// The search index follows the postings: an updated title is found by its
// new words and no longer by the old ones.
func TestQueueSearchFollowsUpdates(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newQueueFixture(t, db)
		ps := []jobpilot.Posting{{ExternalID: "g1", Company: "Globex", Title: "Baker", Description: "Bread at dawn.",
			URL: "https://jobs.example.com/g1", ContactEmail: "jobs@g1.example.com"}}
		if _, err := db.UpsertPostings(ctx, "lever:globex", ps, false); err != nil {
			t.Fatal(err)
		}
		for search, want := range map[string][]string{"baker bread": {"g1"}, "pastry": nil, "croissants": nil} {
			page, err := db.Queue(ctx, jobpilot.QueueFilter{Search: search})
			if err != nil || !slices.Equal(f.exts(page.Items), want) {
				t.Errorf("search %q: %v, %v; want %v", search, f.exts(page.Items), err, want)
			}
		}
	})
}

func ids(items []jobpilot.QueueItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// Applications stored before migration 0010 copied their posting's source
// onto them are found by the source filter once it has run.
func TestQueueSourceMigrationFillsOldRows(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		db := openUnmigrated(t, b.URL(t))
		migrateBefore(t, db, "0010")
		// Profiles and postings are as they were; the applications are
		// written as the code before 0010 wrote them, without a source.
		p := storetest.Profile("Ada Lovelace")
		if err := db.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, src := range []string{"greenhouse:acme", "lever:globex"} {
			ps := []jobpilot.Posting{storetest.Posting("old-"+src, "Acme", "Backend Engineer", "Remote")}
			if _, err := db.UpsertPostings(ctx, src, ps, false); err != nil {
				t.Fatal(err)
			}
			ins := `INSERT INTO applications (profile_id, posting_id, fingerprint, status, score, explanation, apply_via, writer, created_at, updated_at)
VALUES (?, ?, ?, 'ready', 80, '{}', 'email', 'template', ?, ?)`
			now := any(time.Now().UTC().Format(time.RFC3339Nano))
			if db.Postgres() {
				ins = `INSERT INTO applications (profile_id, posting_id, fingerprint, status, score, explanation, apply_via, writer, created_at, updated_at)
VALUES ($1, $2, $3, 'ready', 80, '{}', 'email', 'template', $4, $5)`
				now = time.Now()
			}
			if _, err := db.SQL().ExecContext(ctx, ins, p.ID, ps[0].ID, "fp-"+src, now, now); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ps[0].ID)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for i, src := range []string{"greenhouse:acme", "lever:globex"} {
			page, err := db.Queue(ctx, jobpilot.QueueFilter{ProfileID: p.ID, Source: src})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 1 || page.Items[0].PostingID != ids[i] || page.Items[0].Posting.Source != src {
				t.Errorf("source %s: %+v", src, page.Items)
			}
		}
	})
}
