package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

func TestCreateApplicationDeduplicates(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec := newRecorder(t, db)
		p := storetest.Profile("Ada Lovelace")
		if err := db.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		// The same job in two cities on one board, and on a second board.
		berlin := storetest.Posting("1", "Acme", "Backend Engineer", "Berlin")
		lisbon := storetest.Posting("2", "Acme", "Backend Engineer", "Lisbon")
		gh := []jobpilot.Posting{berlin, lisbon}
		if _, err := db.UpsertPostings(ctx, "greenhouse:acme", gh, false); err != nil {
			t.Fatal(err)
		}
		other := []jobpilot.Posting{storetest.Posting("xyz", " ACME ", "backend engineer", "Remote")}
		other[0].Description = "We build Backend Engineer things, in Go!"
		if _, err := db.UpsertPostings(ctx, "lever:acme", other, false); err != nil {
			t.Fatal(err)
		}
		if gh[0].Fingerprint != gh[1].Fingerprint || gh[0].Fingerprint != other[0].Fingerprint {
			t.Fatal("test postings should share a fingerprint")
		}

		first := &jobpilot.Application{ProfileID: p.ID, PostingID: gh[0].ID, Score: 80, ApplyVia: jobpilot.ApplyViaURL,
			Explanation: jobpilot.Match{Score: 80, For: []string{"Go"}}, ProfileVersion: 1, PostingHash: gh[0].ContentHash}
		// ApplicationID 0 in a task stands for the application being created.
		tasks := []jobpilot.Task{{Kind: jobpilot.TaskProcessPosting}}
		created, err := db.CreateApplication(ctx, first, tasks...)
		if err != nil || !created {
			t.Fatalf("first: created=%v err=%v", created, err)
		}
		if first.ID == 0 || first.Status != jobpilot.StatusMatched || first.Fingerprint != gh[0].Fingerprint ||
			first.Explanation.For[0] != "Go" || first.CreatedAt.IsZero() {
			t.Fatalf("first application: %+v", first)
		}
		for _, posting := range []jobpilot.Posting{gh[1], other[0]} {
			dup := &jobpilot.Application{ProfileID: p.ID, PostingID: posting.ID, Score: 10}
			created, err := db.CreateApplication(ctx, dup, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ApplicationID: 999})
			if err != nil || created {
				t.Fatalf("duplicate from posting %d: created=%v err=%v", posting.ID, created, err)
			}
			if dup.ID != first.ID || dup.PostingID != gh[0].ID || dup.Score != 80 {
				t.Fatalf("duplicate not filled with the existing application: %+v", dup)
			}
		}
		// Tasks only for the created one, with its ID; the caller's slice is
		// left alone.
		if got := rec.tasks(t); !slices.Equal(got, []string{fmt.Sprintf("process_posting:%d", first.ID)}) {
			t.Fatalf("tasks: %v", got)
		}
		if tasks[0].ApplicationID != 0 {
			t.Fatal("CreateApplication changed the caller's tasks")
		}
		// Another profile gets its own application.
		p2 := storetest.Profile("Grace Hopper")
		if err := db.CreateProfile(ctx, p2); err != nil {
			t.Fatal(err)
		}
		if created, err := db.CreateApplication(ctx, &jobpilot.Application{ProfileID: p2.ID, PostingID: gh[1].ID}); err != nil || !created {
			t.Fatalf("second profile: created=%v err=%v", created, err)
		}
		apps, err := db.Applications(ctx, jobpilot.ApplicationFilter{ProfileID: p.ID})
		if err != nil || len(apps) != 1 {
			t.Fatalf("applications of profile 1: %v %v", apps, err)
		}
		byPosting, _ := db.Applications(ctx, jobpilot.ApplicationFilter{PostingID: gh[1].ID})
		if len(byPosting) != 1 || byPosting[0].ProfileID != p2.ID {
			t.Fatalf("by posting: %v", byPosting)
		}
		got, err := db.Application(ctx, first.ID)
		if err != nil || got.PostingHash != gh[0].ContentHash || got.ApplyVia != jobpilot.ApplyViaURL || got.ProfileVersion != 1 {
			t.Fatalf("read back: %+v %v", got, err)
		}
		evs, _ := db.Events(ctx, jobpilot.EventFilter{ApplicationID: first.ID})
		if len(evs) != 1 || evs[0].Kind != jobpilot.EventStatus || evs[0].Data["to"] != "matched" {
			t.Fatalf("creation event: %+v", evs)
		}

		_, err = db.Application(ctx, 9999)
		storetest.WantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: p.ID, PostingID: 9999})
		storetest.WantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: 9999, PostingID: gh[0].ID, Fingerprint: "other"})
		storetest.WantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: p.ID, PostingID: gh[0].ID, Status: "bogus"})
		storetest.WantCode(t, err, jobpilot.EINVALID)
	})
}

func TestConcurrentTransitionsOneWins(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec := newRecorder(t, db)
		f := storetest.NewFixture(t, db, 1)
		a := storetest.NewApp(t, db, f, 0, jobpilot.StatusReady, "")
		const workers = 8
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{
					From:   []jobpilot.Status{jobpilot.StatusReady},
					Reason: fmt.Sprintf("worker %d", i),
					Tasks:  []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ID}},
				})
				switch jobpilot.ErrorCode(err) {
				case "":
					wins.Add(1)
				case jobpilot.ECONFLICT:
					conflicts.Add(1)
				default:
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("unexpected error: %v", err)
		}
		if wins.Load() != 1 || conflicts.Load() != workers-1 {
			t.Fatalf("wins=%d conflicts=%d, want 1 and %d", wins.Load(), conflicts.Load(), workers-1)
		}
		if got := rec.tasks(t); len(got) != 1 {
			t.Fatalf("tasks enqueued: %v, want exactly one", got)
		}
		evs, _ := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID, Kinds: []string{jobpilot.EventStatus}})
		if len(evs) != 2 {
			t.Fatalf("status events: %d, want creation + 1", len(evs))
		}
	})
}

func TestTasksShareTheTransaction(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.NewFixture(t, db, 2)
		a := storetest.NewApp(t, db, f, 0, jobpilot.StatusReady, "")
		task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ID}

		// No inserter registered: tasks are an error, never dropped.
		_, err := db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{Tasks: []jobpilot.Task{task}})
		if err == nil {
			t.Fatal("tasks without an inserter were accepted")
		}
		if got, _ := db.Application(ctx, a.ID); got.Status != jobpilot.StatusReady {
			t.Fatalf("status changed although tasks could not be enqueued: %s", got.Status)
		}
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: f.Profile.ID, PostingID: f.Postings[1].ID, Fingerprint: "no-inserter"}, task)
		if err == nil {
			t.Fatal("CreateApplication with tasks and no inserter succeeded")
		}
		if apps, _ := db.Applications(ctx, jobpilot.ApplicationFilter{PostingID: f.Postings[1].ID}); len(apps) != 0 {
			t.Fatal("application created although its tasks could not be enqueued")
		}

		rec := newRecorder(t, db)
		// A failing inserter rolls back the transition, its event and the
		// rows it wrote itself.
		rec.fail = errBoom
		_, err = db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{Tasks: []jobpilot.Task{task}})
		if !errors.Is(err, errBoom) {
			t.Fatalf("error %v, want the inserter's", err)
		}
		if got, _ := db.Application(ctx, a.ID); got.Status != jobpilot.StatusReady {
			t.Fatalf("status changed although the inserter failed: %s", got.Status)
		}
		if got := rec.tasks(t); len(got) != 0 {
			t.Fatalf("tasks of a failed transition committed: %v", got)
		}
		if evs, _ := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID}); len(evs) != 1 {
			t.Fatalf("events of a failed transition committed: %d", len(evs))
		}

		rec.fail = nil
		if _, err := db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{Tasks: []jobpilot.Task{task}}); err != nil {
			t.Fatal(err)
		}
		if got := rec.tasks(t); !slices.Equal(got, []string{fmt.Sprintf("send_application:%d", a.ID)}) {
			t.Fatalf("tasks: %v", got)
		}
		// The inserter saw a transaction (the same one the store used: its rows
		// rolled back and committed with the transition above).
		if len(rec.txs) != 2 || rec.txs[0] == nil || rec.txs[0] == rec.txs[1] {
			t.Fatalf("transactions seen: %v", rec.txs)
		}
	})
}

func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		url := b.URL(t)
		dbs := make([]*store.DB, 2)
		for i := range dbs {
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		var wg sync.WaitGroup
		errs := make([]error, len(dbs))
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("migrate %d: %v", i, err)
			}
		}
		// Both see a working schema, River's included, and migrating again
		// is a no-op.
		if err := dbs[1].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := dbs[0].SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job").Scan(&n); err != nil {
			t.Fatalf("river_job: %v", err)
		}
		if err := dbs[1].CreateProfile(ctx, storetest.Profile("Ada")); err != nil {
			t.Fatal(err)
		}
		if ps, err := dbs[0].Profiles(ctx); err != nil || len(ps) != 1 {
			t.Fatalf("profiles: %v %v", ps, err)
		}
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, url := range []string{"sqlite://" + dir + "/a/b.db", "file:" + dir + "/c.db", dir + "/d.db"} {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if db.Postgres() {
			t.Fatalf("%s: opened as PostgreSQL", url)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	// A "#" or "%" in the path is part of the file name, not of a URI.
	odd := filepath.Join(dir, "#jobs 100%")
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(odd, "jobpilot.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(odd, "jobpilot.db")); err != nil {
		t.Fatalf("the database is not where the URL says: %v", err)
	}
	_, err = store.Open(ctx, "postgres://nobody:secret@[bad")
	storetest.WantCode(t, err, jobpilot.EINVALID)
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
	_, err = store.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	storetest.WantCode(t, err, jobpilot.EUNAVAILABLE)
	if !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("unreachable database should be transient: %v", err)
	}
}
