package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

func TestPostingDetailsRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		full := storetest.Posting("full", "Initech", "Staff Engineer", "San Francisco, CA")
		full.Locations = []string{"New York, NY", "東京", "san francisco, ca"}
		full.WorkMode = jobpilot.WorkHybrid
		full.EmploymentType = jobpilot.EmploymentFullTime
		full.Roles = []string{"Staff Engineer", "Engineering Manager"}
		full.Pay = &jobpilot.Pay{Min: 150000, Max: 190000.5, Currency: "usd", Period: "year", Text: "$150K – $190K • Offers Equity"}
		remote := storetest.Posting("remote", "Initech", "SRE", "Remote (US)")
		remote.WorkMode = jobpilot.WorkRemote
		remote.RemoteRegions = []string{"US", "Canada"}
		remote.Pay = &jobpilot.Pay{Max: 80, Currency: "EUR", Period: "hour"}
		bare := storetest.Posting("bare", "Initech", "Designer", "")
		ps := []jobpilot.Posting{full, remote, bare}
		if res, err := db.UpsertPostings(ctx, "ashby:initech", ps, true); err != nil || res.New != 3 {
			t.Fatalf("%+v %v", res, err)
		}
		want := map[string]jobpilot.Posting{
			"full": {Location: "San Francisco, CA", Locations: []string{"San Francisco, CA", "New York, NY", "東京"}, Roles: []string{"Staff Engineer", "Engineering Manager"},
				WorkMode: jobpilot.WorkHybrid, EmploymentType: jobpilot.EmploymentFullTime,
				Pay: &jobpilot.Pay{Min: 150000, Max: 190000.5, Currency: "USD", Period: "year", Text: "$150K – $190K • Offers Equity"}},
			"remote": {Location: "Remote (US)", Locations: []string{"Remote (US)"}, Remote: true, WorkMode: jobpilot.WorkRemote,
				RemoteRegions: []string{"US", "Canada"}, Pay: &jobpilot.Pay{Max: 80, Currency: "EUR", Period: "hour"}},
			"bare": {},
		}
		for _, p := range ps {
			got, err := db.Posting(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			w := want[p.ExternalID]
			g := jobpilot.Posting{Location: got.Location, Locations: got.Locations, Roles: got.Roles, Remote: got.Remote, WorkMode: got.WorkMode,
				RemoteRegions: got.RemoteRegions, EmploymentType: got.EmploymentType, Pay: got.Pay}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s:\n got %+v %+v\nwant %+v %+v", p.ExternalID, g, g.Pay, w, w.Pay)
			}
			if got.ContentHash != p.ContentHash {
				t.Errorf("%s: stored hash %s, computed %s", p.ExternalID, got.ContentHash, p.ContentHash)
			}
		}
		// The same postings again change nothing; a different pay does.
		again := []jobpilot.Posting{full, remote, bare}
		again[1].Pay = &jobpilot.Pay{Max: 85, Currency: "EUR", Period: "hour"}
		if res, err := db.UpsertPostings(ctx, "ashby:initech", again, true); err != nil || res != (jobpilot.UpsertResult{Unchanged: 2, Updated: 1}) {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

// Issue 14, finding 7: on PostgreSQL a NUL byte in one posting failed the
// whole import with an internal error (and POST /api/v1/postings with a
// 500). It is invalid input now, refused before any write, on both
// databases.
func TestPostingWithNULIsInvalid(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bad := storetest.Posting("nul", "Acme", "Engineer", "Berlin")
		bad.Description = "Go\x00SQL"
		_, err := db.UpsertPostings(ctx, "manual", []jobpilot.Posting{bad}, false)
		storetest.WantCode(t, err, jobpilot.EINVALID)
		var e *jobpilot.Error
		if !errors.As(err, &e) || e.Field != "description" {
			t.Errorf("err %v, want the field description", err)
		}
		if ps, _ := db.Postings(ctx, jobpilot.PostingFilter{Source: "manual"}); len(ps) != 0 {
			t.Errorf("stored %d postings", len(ps))
		}
	})
}

// A database made before migration 0004 (posting details) keeps its
// postings: they read with the details the new code would give them (remote
// work mode, their one location), and re-importing them unchanged is
// "unchanged", not an update: their content hash, computed the old way, is
// still theirs.
func TestPostingDetailsMigrationKeepsOldRows(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		db := openUnmigrated(t, b.URL(t))
		now := any(time.Now().UTC().Format(time.RFC3339Nano))
		row := `INSERT INTO postings (source, external_id, company, title, location, remote, description, url, fingerprint, content_hash, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		if db.Postgres() {
			now = time.Now()
			row = `INSERT INTO postings (source, external_id, company, title, location, remote, description, url, fingerprint, content_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
		}
		sqlDB := db.SQL()
		// The schema as it was: every migration before 0004.
		if applied := migrateBefore(t, db, "0004"); applied != 3 {
			t.Fatalf("applied %d migrations before 0004, want 3 (0001_init, 0002_embeddings, 0003_guard)", applied)
		}
		old := storetest.Posting("old-1", "Acme", "Backend Engineer", "Remote - Europe")
		old.Remote = true
		oldHash := hashOld(old.Company, old.Title, old.Location, "1", old.Description, old.URL, "", "")
		if _, err := sqlDB.ExecContext(ctx, row, "greenhouse:acme", old.ExternalID, old.Company, old.Title, old.Location, true,
			old.Description, old.URL, jobpilot.PostingFingerprint(old.Company, old.Title, old.Description), oldHash, now, now); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ps, err := db.Postings(ctx, jobpilot.PostingFilter{Source: "greenhouse:acme"})
		if err != nil || len(ps) != 1 {
			t.Fatalf("%d postings, %v", len(ps), err)
		}
		got := ps[0]
		if got.WorkMode != jobpilot.WorkRemote || !reflect.DeepEqual(got.Locations, []string{"Remote - Europe"}) || got.Pay != nil {
			t.Errorf("migrated row: %+v", got)
		}
		res, err := db.UpsertPostings(ctx, "greenhouse:acme", []jobpilot.Posting{old}, true)
		if err != nil || res != (jobpilot.UpsertResult{Unchanged: 1}) {
			t.Fatalf("re-import of the unchanged posting: %+v %v (hash now %s, stored %s)", res, err, old.ContentHash, oldHash)
		}
	})
}

// hashOld is the content hash as the code before posting details wrote it.
func hashOld(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
