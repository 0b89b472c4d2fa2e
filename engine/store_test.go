package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/freshpg"
	"github.com/jobpilot/jobpilot/store"
)

// With the real store, the engine registered as its task inserter (as
// internal/system does): tasks of a change are enqueued in the change's
// transaction — a refused transition enqueues nothing — and the engine runs
// them.
func TestWithStore(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		ctx := context.Background()
		url := "sqlite://" + filepath.Join(t.TempDir(), "jobpilot.db")
		if pg {
			url = freshpg.Database(t, os.Getenv(testPGEnv), "jp_engine")
		}
		db, err := store.Open(ctx, url)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		must(t, db.Migrate(ctx))
		rec := newRecorder()
		e := newEngine(t, db, testConfig("node-store"), rec.handle)
		db.SetTaskInserter(e)

		p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada Lovelace"}}}
		must(t, db.CreateProfile(ctx, p))
		ps := []jobpilot.Posting{{ExternalID: "42", Company: "Acme", Title: "Backend Engineer", ContactEmail: "jobs@acme.example"}}
		_, err = db.UpsertPostings(ctx, "greenhouse:acme", ps, false)
		must(t, err)
		app := &jobpilot.Application{ProfileID: p.ID, PostingID: ps[0].ID, Status: jobpilot.StatusReady, Score: 82}
		_, err = db.CreateApplication(ctx, app, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: p.ID, PostingID: ps[0].ID, ApplicationID: app.ID})
		must(t, err)
		if n := len(jobRows(t, db.SQL(), pg, "process_posting")); n != 1 {
			t.Fatalf("%d process_posting jobs after CreateApplication, want 1", n)
		}
		// A refused transition (ready → sent is not allowed) enqueues nothing.
		send := []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}}
		if _, err := db.Transition(ctx, app.ID, jobpilot.StatusSent, jobpilot.Change{Tasks: send}); err == nil {
			t.Fatal("ready → sent accepted")
		}
		if n := len(jobRows(t, db.SQL(), pg, "send_application")); n != 0 {
			t.Fatalf("refused transition enqueued %d send jobs", n)
		}
		_, err = db.Transition(ctx, app.ID, jobpilot.StatusApproved, jobpilot.Change{Tasks: send})
		must(t, err)
		must(t, e.Start(ctx))
		eventually(t, 10*time.Second, "both jobs run", func() bool {
			return len(rec.of(jobpilot.TaskProcessPosting)) == 1 && len(rec.of(jobpilot.TaskSendApplication)) == 1
		})
		if c := rec.of(jobpilot.TaskSendApplication)[0]; c.Task.ApplicationID != app.ID {
			t.Fatalf("send task %+v, want application %d", c.Task, app.ID)
		}
	})
}
