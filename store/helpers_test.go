package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// pgURLEnv names the PostgreSQL server the suite also runs against.
const pgURLEnv = "JOBPILOT_TEST_DATABASE_URL"

// backend opens fresh, unmigrated databases of one kind.
type backend struct {
	name string
	// url returns the URL of a new empty database (a temp SQLite file, or a
	// PostgreSQL schema of its own, dropped at cleanup).
	url func(t testing.TB) string
}

func backends(t testing.TB) []backend {
	bs := []backend{{name: "sqlite", url: func(t testing.TB) string {
		return "sqlite://" + filepath.Join(t.TempDir(), "jobpilot.db")
	}}}
	if pg := os.Getenv(pgURLEnv); pg != "" {
		bs = append(bs, backend{name: "postgres", url: func(t testing.TB) string { return pgSchemaURL(t, pg) }})
	} else if tt, ok := t.(*testing.T); ok {
		tt.Logf("%s is not set: PostgreSQL cases skipped", pgURLEnv)
	}
	return bs
}

// pgSchemaURL creates a schema with a random name and returns base with
// search_path set to it, so parallel runs (and River's tables) never meet.
func pgSchemaURL(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "jobpilot_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// eachDB runs fn against a fresh, migrated store on every backend.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			fn(t, openMigrated(t, b.url(t)))
		})
	}
}

func openMigrated(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func testProfile(name string) *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: name, Email: "ada@example.com"},
			Work:   []jobpilot.Work{{Name: "Analytical Engines Ltd", Position: "Engineer", StartDate: "2020-01"}},
			Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "PostgreSQL"}}},
		},
		Preferences: jobpilot.Preferences{Keywords: []string{"go"}, MinScore: new(40), Remote: jobpilot.RemoteAny},
	}
}

func testPosting(ext, company, title, location string) jobpilot.Posting {
	return jobpilot.Posting{
		ExternalID:  ext,
		Company:     company,
		Title:       title,
		Location:    location,
		Description: "We build " + title + " things in Go.",
		URL:         "https://jobs.example.com/" + ext,
	}
}

// fixture is a profile and one posting per entry, stored.
type fixture struct {
	profile  *jobpilot.Profile
	postings []jobpilot.Posting
}

func newFixture(t testing.TB, db *store.DB, n int) fixture {
	t.Helper()
	ctx := context.Background()
	p := testProfile("Ada Lovelace")
	if err := db.CreateProfile(ctx, p); err != nil {
		t.Fatalf("create profile: %v", err)
	}
	ps := make([]jobpilot.Posting, n)
	for i := range ps {
		ps[i] = testPosting(fmt.Sprintf("job-%d", i), "Acme", fmt.Sprintf("Engineer %d", i), "Berlin")
	}
	if _, err := db.UpsertPostings(ctx, "test", ps, false); err != nil {
		t.Fatalf("upsert postings: %v", err)
	}
	return fixture{profile: p, postings: ps}
}

// newApp creates an application in status s for posting i of f with its
// own fingerprint.
func newApp(t testing.TB, db *store.DB, f fixture, i int, s jobpilot.Status, fp string) *jobpilot.Application {
	t.Helper()
	a := &jobpilot.Application{ProfileID: f.profile.ID, PostingID: f.postings[i].ID, Status: s, Fingerprint: fp, Score: 70}
	created, err := db.CreateApplication(context.Background(), a)
	if err != nil || !created {
		t.Fatalf("create application (%s): created=%v err=%v", s, created, err)
	}
	return a
}

// recorder is a TaskInserter that writes tasks to a table of its own through
// the transaction it is given, so a rolled-back transition leaves no rows.
type recorder struct {
	db   *store.DB
	fail error

	mu  sync.Mutex
	txs []*sql.Tx
}

func newRecorder(t testing.TB, db *store.DB) *recorder {
	t.Helper()
	if _, err := db.SQL().ExecContext(context.Background(),
		"CREATE TABLE test_tasks (kind TEXT NOT NULL, application_id BIGINT NOT NULL)"); err != nil {
		t.Fatalf("create test_tasks: %v", err)
	}
	r := &recorder{db: db}
	db.SetTaskInserter(r)
	return r
}

func (r *recorder) InsertTasks(ctx context.Context, tx *sql.Tx, tasks []jobpilot.Task) error {
	r.mu.Lock()
	r.txs = append(r.txs, tx)
	fail := r.fail
	r.mu.Unlock()
	for _, task := range tasks {
		q := "INSERT INTO test_tasks (kind, application_id) VALUES (?, ?)"
		if r.db.Postgres() {
			q = "INSERT INTO test_tasks (kind, application_id) VALUES ($1, $2)"
		}
		if _, err := tx.ExecContext(ctx, q, string(task.Kind), task.ApplicationID); err != nil {
			return err
		}
	}
	return fail
}

// tasks returns the committed tasks as "kind:applicationID".
func (r *recorder) tasks(t testing.TB) []string {
	t.Helper()
	rows, err := r.db.SQL().QueryContext(context.Background(), "SELECT kind, application_id FROM test_tasks ORDER BY kind, application_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", k, id))
	}
	return out
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := jobpilot.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }

var errBoom = errors.New("boom")

// sameTime compares at the store's precision.
func sameTime(a, b time.Time) bool {
	return a.UTC().Truncate(time.Microsecond).Equal(b.UTC().Truncate(time.Microsecond))
}
