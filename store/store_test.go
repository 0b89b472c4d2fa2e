package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

func TestProfiles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := testProfile("Ada Lovelace")
		p.Example = true
		if err := db.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.Version != 1 || p.CreatedAt.IsZero() {
			t.Fatalf("created profile: %+v", p)
		}
		got, err := db.Profile(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name() != "Ada Lovelace" || !got.Example || got.Version != 1 ||
			!slices.Equal(got.Resume.SkillNames(), []string{"Backend", "Go", "PostgreSQL"}) ||
			got.Preferences.EffectiveMinScore() != 40 || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("read back %+v", got)
		}

		got.Resume.Basics.Name = "Ada King"
		got.Preferences.MinScore = new(60)
		got.Example = false
		if err := db.ReplaceProfile(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Fatalf("version after replace = %d, want 2", got.Version)
		}
		again, err := db.Profile(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Name() != "Ada King" || again.Preferences.EffectiveMinScore() != 60 || again.Version != 2 || again.Example {
			t.Fatalf("after replace: %+v", again)
		}

		p2 := testProfile("Grace Hopper")
		if err := db.CreateProfile(ctx, p2); err != nil {
			t.Fatal(err)
		}
		all, err := db.Profiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != p.ID || all[1].ID != p2.ID {
			t.Fatalf("profiles: %v", all)
		}

		_, err = db.Profile(ctx, 9999)
		wantCode(t, err, jobpilot.ENOTFOUND)
		missing := testProfile("Nobody")
		missing.ID = 9999
		wantCode(t, db.ReplaceProfile(ctx, missing), jobpilot.ENOTFOUND)
		wantCode(t, db.CreateProfile(ctx, testProfile("")), jobpilot.EINVALID)
	})
}

func TestUpsertPostings(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		published := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))
		a := testPosting("a", "Acme", "Backend Engineer", "Berlin")
		a.PublishedAt = published
		a.ContactEmail = "jobs@acme.example"
		b := testPosting("b", "Acme", "Frontend Engineer", "Lisbon")
		b.Remote = true
		c := testPosting("c", "Acme", "Data Engineer", "Paris")
		res, err := db.UpsertPostings(ctx, "greenhouse:acme", []jobpilot.Posting{a, b, c}, true)
		if err != nil {
			t.Fatal(err)
		}
		if res != (jobpilot.UpsertResult{New: 3}) {
			t.Fatalf("first import: %+v", res)
		}

		// b changes, c disappears, a is unchanged, d is new.
		b.Description = "Now with more TypeScript."
		d := testPosting("d", "Acme", "SRE", "Remote")
		ps := []jobpilot.Posting{a, b, d}
		res, err = db.UpsertPostings(ctx, "greenhouse:acme", ps, true)
		if err != nil {
			t.Fatal(err)
		}
		if res != (jobpilot.UpsertResult{New: 1, Updated: 1, Unchanged: 1, Closed: 1}) {
			t.Fatalf("second import: %+v", res)
		}
		for _, p := range ps {
			if p.ID == 0 || p.Fingerprint == "" || p.ContentHash == "" {
				t.Fatalf("posting not filled in: %+v", p)
			}
		}
		gotA, err := db.Posting(ctx, ps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameTime(gotA.PublishedAt, published) || gotA.PublishedAt.Location() != time.UTC ||
			gotA.PublishedAt.Nanosecond() != 123456000 {
			t.Fatalf("published_at %v, want %v at microsecond precision in UTC", gotA.PublishedAt, published)
		}
		if gotA.ContactEmail != "jobs@acme.example" || gotA.Source != "greenhouse:acme" || gotA.ClosedAt != nil {
			t.Fatalf("posting a: %+v", gotA)
		}
		gotB, _ := db.Posting(ctx, ps[1].ID)
		if gotB.Description != "Now with more TypeScript." || !gotB.Remote {
			t.Fatalf("posting b not updated: %+v", gotB)
		}
		closed, err := db.Postings(ctx, jobpilot.PostingFilter{Query: "data engineer"})
		if err != nil {
			t.Fatal(err)
		}
		if len(closed) != 1 || closed[0].ClosedAt == nil {
			t.Fatalf("posting c should be closed: %+v", closed)
		}

		// c comes back unchanged: reopened, counted as updated. Without
		// closeMissing nothing is closed.
		res, err = db.UpsertPostings(ctx, "greenhouse:acme", []jobpilot.Posting{c}, false)
		if err != nil {
			t.Fatal(err)
		}
		if res != (jobpilot.UpsertResult{Updated: 1}) {
			t.Fatalf("reopen: %+v", res)
		}
		open, err := db.Postings(ctx, jobpilot.PostingFilter{Source: "greenhouse:acme", OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 4 {
			t.Fatalf("open postings: %d, want 4", len(open))
		}

		// Another source is untouched by closeMissing.
		if _, err := db.UpsertPostings(ctx, "lever:other", []jobpilot.Posting{testPosting("x", "Other", "Go Dev", "Rome")}, true); err != nil {
			t.Fatal(err)
		}
		if open, _ := db.Postings(ctx, jobpilot.PostingFilter{OpenOnly: true}); len(open) != 5 {
			t.Fatalf("open postings after other source: %d, want 5", len(open))
		}

		// Filters.
		remote, _ := db.Postings(ctx, jobpilot.PostingFilter{Remote: ptr(true)})
		if len(remote) != 1 || remote[0].ExternalID != "b" {
			t.Fatalf("remote filter: %v", remote)
		}
		withEmail, _ := db.Postings(ctx, jobpilot.PostingFilter{HasEmail: ptr(true)})
		if len(withEmail) != 1 || withEmail[0].ExternalID != "a" {
			t.Fatalf("email filter: %v", withEmail)
		}
		noEmail, _ := db.Postings(ctx, jobpilot.PostingFilter{HasEmail: ptr(false)})
		if len(noEmail) != 4 {
			t.Fatalf("no-email filter: %d, want 4", len(noEmail))
		}
		if got, _ := db.Postings(ctx, jobpilot.PostingFilter{Query: "100%"}); len(got) != 0 {
			t.Fatalf("LIKE wildcards must match literally: %v", got)
		}

		// Keyset pagination visits every posting once, in ID order.
		var seen []int64
		var after int64
		for {
			page, err := db.Postings(ctx, jobpilot.PostingFilter{AfterID: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, p := range page {
				seen = append(seen, p.ID)
			}
			after = page[len(page)-1].ID
		}
		if len(seen) != 5 || !slices.IsSorted(seen) {
			t.Fatalf("pages: %v", seen)
		}

		// Invalid input stores nothing.
		bad := testPosting("", "Acme", "No ID", "")
		_, err = db.UpsertPostings(ctx, "greenhouse:acme", []jobpilot.Posting{testPosting("e", "Acme", "E", ""), bad}, false)
		wantCode(t, err, jobpilot.EINVALID)
		if got, _ := db.Postings(ctx, jobpilot.PostingFilter{}); len(got) != 5 {
			t.Fatalf("a failed import stored postings: %d", len(got))
		}
		foreign := testPosting("f", "Acme", "F", "")
		foreign.Source = "elsewhere"
		_, err = db.UpsertPostings(ctx, "greenhouse:acme", []jobpilot.Posting{foreign}, false)
		wantCode(t, err, jobpilot.EINVALID)
		_, err = db.Posting(ctx, 9999)
		wantCode(t, err, jobpilot.ENOTFOUND)
	})
}

func TestCreateApplicationDeduplicates(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec := newRecorder(t, db)
		p := testProfile("Ada Lovelace")
		if err := db.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		// The same job in two cities on one board, and on a second board.
		berlin := testPosting("1", "Acme", "Backend Engineer", "Berlin")
		lisbon := testPosting("2", "Acme", "Backend Engineer", "Lisbon")
		gh := []jobpilot.Posting{berlin, lisbon}
		if _, err := db.UpsertPostings(ctx, "greenhouse:acme", gh, false); err != nil {
			t.Fatal(err)
		}
		other := []jobpilot.Posting{testPosting("xyz", " ACME ", "backend engineer", "Remote")}
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
		p2 := testProfile("Grace Hopper")
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
		wantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: p.ID, PostingID: 9999})
		wantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: 9999, PostingID: gh[0].ID, Fingerprint: "other"})
		wantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: p.ID, PostingID: gh[0].ID, Status: "bogus"})
		wantCode(t, err, jobpilot.EINVALID)
	})
}

func TestInvalidTransitionsChangeNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		// One application per status; refused moves leave it where it is.
		for _, from := range jobpilot.Statuses {
			a := newApp(t, db, f, 0, from, "fp-"+string(from))
			for _, to := range jobpilot.Statuses {
				if from.CanTransition(to) {
					continue
				}
				_, err := db.Transition(ctx, a.ID, to, jobpilot.Change{Reason: "test", Score: ptr(1), IncAttempts: true})
				wantCode(t, err, jobpilot.ECONFLICT)
				if want := jobpilot.ErrInvalidTransition(a.ID, from, to).Error(); err.Error() != want {
					t.Fatalf("%s → %s: error %q, want %q", from, to, err, want)
				}
			}
			got, err := db.Application(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != from || got.Score != 70 || got.Attempts != 0 {
				t.Fatalf("refused transitions changed %s: %+v", from, got)
			}
			evs, _ := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID})
			if len(evs) != 1 { // the creation event only
				t.Fatalf("refused transitions of %s wrote events: %d", from, len(evs))
			}
		}
		_, err := db.Transition(ctx, 9999, jobpilot.StatusDrafting, jobpilot.Change{})
		wantCode(t, err, jobpilot.ENOTFOUND)
		_, err = db.Transition(ctx, 1, "bogus", jobpilot.Change{})
		wantCode(t, err, jobpilot.EINVALID)
	})
}

func TestEveryAllowedTransitionWritesAnEvent(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		n := 0
		for _, from := range jobpilot.Statuses {
			for _, to := range jobpilot.Transitions[from] {
				n++
				a := newApp(t, db, f, 0, from, fmt.Sprintf("fp-%d", n))
				got, err := db.Transition(ctx, a.ID, to, jobpilot.Change{Reason: "because"})
				if err != nil {
					t.Fatalf("%s → %s: %v", from, to, err)
				}
				if got.Status != to || !got.UpdatedAt.After(a.UpdatedAt) && !got.UpdatedAt.Equal(a.UpdatedAt) {
					t.Fatalf("%s → %s: got %+v", from, to, got)
				}
				evs, err := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID, Kinds: []string{jobpilot.EventStatus}, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprintf("%s → %s: because", from, to)
				if len(evs) != 1 || evs[0].Message != want || evs[0].Data["from"] != string(from) ||
					evs[0].Data["to"] != string(to) || evs[0].Data["reason"] != "because" {
					t.Fatalf("event: %+v, want message %q", evs, want)
				}
			}
		}
	})
}

func TestTransitionAppliesChange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		a := newApp(t, db, f, 0, jobpilot.StatusApproved, "")
		sent := time.Date(2026, 5, 1, 12, 0, 0, 987654321, time.UTC)
		got, err := db.Transition(ctx, a.ID, jobpilot.StatusSending, jobpilot.Change{
			IncAttempts: true, MessageID: ptr("<application-1@x>"), Writer: ptr("llm:test"),
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.Transition(ctx, a.ID, jobpilot.StatusSent, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusSending}, SentAt: &sent, Error: ptr(""),
			Explanation: &jobpilot.Match{Score: 90, Against: []string{"far away"}}, Score: ptr(90),
			ProfileVersion: ptr(3), PostingHash: ptr("h2"),
		})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := db.Application(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*jobpilot.Application{got, stored} {
			if x.Status != jobpilot.StatusSent || x.Attempts != 1 || x.MessageID != "<application-1@x>" ||
				x.Writer != "llm:test" || x.SentAt == nil || !sameTime(*x.SentAt, sent) || x.Score != 90 ||
				x.Explanation.Against[0] != "far away" || x.ProfileVersion != 3 || x.PostingHash != "h2" {
				t.Fatalf("after change: %+v", x)
			}
		}
		if stored.SentAt.Nanosecond() != 987654000 {
			t.Fatalf("sent_at lost sub-second precision: %v", stored.SentAt)
		}
		// Update changes fields without a status event.
		upd, err := db.Update(ctx, a.ID, jobpilot.Change{Error: ptr("bounced?"), FollowedUpAt: &sent})
		if err != nil {
			t.Fatal(err)
		}
		if upd.Status != jobpilot.StatusSent || upd.Error != "bounced?" || upd.FollowedUpAt == nil {
			t.Fatalf("update: %+v", upd)
		}
		evs, _ := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID})
		if len(evs) != 3 {
			t.Fatalf("events: %d, want creation + 2 transitions", len(evs))
		}
		_, err = db.Update(ctx, a.ID, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusReady}, Score: ptr(1)})
		wantCode(t, err, jobpilot.ECONFLICT)
		_, err = db.Update(ctx, 9999, jobpilot.Change{})
		wantCode(t, err, jobpilot.ENOTFOUND)
	})
}

func TestCompareAndSwap(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		a := newApp(t, db, f, 0, jobpilot.StatusSending, "")
		// A late job expecting "approved" loses to the one that already moved it.
		_, err := db.Transition(ctx, a.ID, jobpilot.StatusFailed, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusApproved}})
		wantCode(t, err, jobpilot.ECONFLICT)
		if got, _ := db.Application(ctx, a.ID); got.Status != jobpilot.StatusSending {
			t.Fatalf("status changed by a lost CAS: %s", got.Status)
		}
		got, err := db.Transition(ctx, a.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
			From: []jobpilot.Status{jobpilot.StatusApproved, jobpilot.StatusSending}, Reason: "outcome unknown"})
		if err != nil || got.Status != jobpilot.StatusNeedsReview {
			t.Fatalf("CAS from a listed status: %+v %v", got, err)
		}
	})
}

func TestConcurrentTransitionsOneWins(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec := newRecorder(t, db)
		f := newFixture(t, db, 1)
		a := newApp(t, db, f, 0, jobpilot.StatusReady, "")
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
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 2)
		a := newApp(t, db, f, 0, jobpilot.StatusReady, "")
		task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: a.ID}

		// No inserter registered: tasks are an error, never dropped.
		_, err := db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{Tasks: []jobpilot.Task{task}})
		if err == nil {
			t.Fatal("tasks without an inserter were accepted")
		}
		if got, _ := db.Application(ctx, a.ID); got.Status != jobpilot.StatusReady {
			t.Fatalf("status changed although tasks could not be enqueued: %s", got.Status)
		}
		_, err = db.CreateApplication(ctx, &jobpilot.Application{ProfileID: f.profile.ID, PostingID: f.postings[1].ID, Fingerprint: "no-inserter"}, task)
		if err == nil {
			t.Fatal("CreateApplication with tasks and no inserter succeeded")
		}
		if apps, _ := db.Applications(ctx, jobpilot.ApplicationFilter{PostingID: f.postings[1].ID}); len(apps) != 0 {
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

func TestDocuments(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		a := newApp(t, db, f, 0, jobpilot.StatusDrafting, "")
		_, err := db.Documents(ctx, a.ID)
		wantCode(t, err, jobpilot.ENOTFOUND)

		pdf := append([]byte("%PDF-1.7\n"), 0x00, 0xff, 0xfe, 0x80, '\n')
		pdf = append(pdf, bytes.Repeat([]byte{0, 1, 2, 3}, 10000)...)
		d := &jobpilot.Documents{
			ApplicationID: a.ID,
			Resume:        f.profile.Resume,
			ResumePDF:     pdf,
			CoverLetter:   "Dear Acme,\n\nI would like to build Go things with you.",
			Writer:        "template",
		}
		if err := db.SaveDocuments(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := db.Documents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.ResumePDF, pdf) || got.CoverLetterPDF != nil || got.CoverLetter != d.CoverLetter ||
			got.Writer != "template" || got.Resume.Basics.Name != "Ada Lovelace" || len(got.Resume.Work) != 1 ||
			!sameTime(got.CreatedAt, d.CreatedAt) {
			t.Fatalf("round trip: %+v", got)
		}
		// Saving again replaces.
		d.CoverLetterPDF = []byte("%PDF-cover")
		d.Writer = "llm:test"
		if err := db.SaveDocuments(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Documents(ctx, a.ID)
		if string(got.CoverLetterPDF) != "%PDF-cover" || got.Writer != "llm:test" || !bytes.Equal(got.ResumePDF, pdf) {
			t.Fatalf("replace: %+v", got)
		}
		wantCode(t, db.SaveDocuments(ctx, &jobpilot.Documents{ApplicationID: 9999}), jobpilot.ENOTFOUND)
	})
}

func TestCountsAndSentSince(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		sends := []time.Time{day.Add(-time.Microsecond), day, day.Add(90 * time.Minute), day.Add(23 * time.Hour)}
		for i, at := range sends {
			a := newApp(t, db, f, 0, jobpilot.StatusSending, fmt.Sprintf("sent-%d", i))
			if _, err := db.Transition(ctx, a.ID, jobpilot.StatusSent, jobpilot.Change{SentAt: &at}); err != nil {
				t.Fatal(err)
			}
		}
		newApp(t, db, f, 0, jobpilot.StatusReady, "r1")
		newApp(t, db, f, 0, jobpilot.StatusReady, "r2")
		newApp(t, db, f, 0, jobpilot.StatusSkipped, "s1")

		other := testProfile("Grace Hopper")
		if err := db.CreateProfile(ctx, other); err != nil {
			t.Fatal(err)
		}
		g := fixture{profile: other, postings: f.postings}
		b := newApp(t, db, g, 0, jobpilot.StatusSending, "g")
		if _, err := db.Transition(ctx, b.ID, jobpilot.StatusSent, jobpilot.Change{SentAt: ptr(day.Add(time.Hour))}); err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			profile int64
			since   time.Time
			want    int
		}{
			{f.profile.ID, day, 3},
			{f.profile.ID, day.Add(-time.Microsecond), 4},
			{f.profile.ID, day.Add(time.Microsecond), 2},
			{f.profile.ID, day.Add(24 * time.Hour), 0},
			{other.ID, day, 1},
			{0, day, 4},
		} {
			got, err := db.SentSince(ctx, c.profile, c.since)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("SentSince(%d, %v) = %d, want %d", c.profile, c.since, got, c.want)
			}
		}
		counts, err := db.CountByStatus(ctx, f.profile.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[jobpilot.Status]int{jobpilot.StatusSent: 4, jobpilot.StatusReady: 2, jobpilot.StatusSkipped: 1}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("counts %v, want %v", counts, want)
		}
		all, _ := db.CountByStatus(ctx, 0)
		if all[jobpilot.StatusSent] != 5 {
			t.Fatalf("all profiles: %v", all)
		}
		sent, _ := db.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusSent, jobpilot.StatusSkipped}})
		if len(sent) != 6 {
			t.Fatalf("status filter: %d, want 6", len(sent))
		}
		// Keyset pages of applications: every one once, in ID order.
		var ids []int64
		for after := int64(0); ; {
			page, err := db.Applications(ctx, jobpilot.ApplicationFilter{ProfileID: f.profile.ID, AfterID: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, a := range page {
				ids = append(ids, a.ID)
			}
			after = page[len(page)-1].ID
		}
		if len(ids) != 7 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 7 {
			t.Fatalf("application pages: %v", ids)
		}
	})
}

func TestEventsPagination(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1)
		a := newApp(t, db, f, 0, jobpilot.StatusMatched, "")
		for i := range 7 {
			e := &jobpilot.Event{ApplicationID: a.ID, Kind: jobpilot.EventRetry, Message: fmt.Sprintf("retry %d", i),
				Data: map[string]string{"attempt": fmt.Sprint(i)}}
			if err := db.AddEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		svc := &jobpilot.Event{Kind: jobpilot.EventBreaker, Message: "email: closed → open"}
		if err := db.AddEvent(ctx, svc); err != nil {
			t.Fatal(err)
		}
		var msgs []string
		var before int64
		for {
			page, err := db.Events(ctx, jobpilot.EventFilter{ApplicationID: a.ID, Kinds: []string{jobpilot.EventRetry}, BeforeID: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if e.ApplicationID != a.ID || e.Data["attempt"] == "" || e.CreatedAt.IsZero() {
					t.Fatalf("event: %+v", e)
				}
				msgs = append(msgs, e.Message)
			}
			before = page[len(page)-1].ID
		}
		want := []string{"retry 6", "retry 5", "retry 4", "retry 3", "retry 2", "retry 1", "retry 0"}
		if !slices.Equal(msgs, want) {
			t.Fatalf("pages %v, want %v", msgs, want)
		}
		all, _ := db.Events(ctx, jobpilot.EventFilter{})
		if len(all) != 9 || all[0].ID != svc.ID || all[0].ApplicationID != 0 {
			t.Fatalf("all events: %d, newest %+v", len(all), all[0])
		}
		wantCode(t, db.AddEvent(ctx, &jobpilot.Event{ApplicationID: 9999, Kind: jobpilot.EventNote}), jobpilot.ENOTFOUND)
		wantCode(t, db.AddEvent(ctx, &jobpilot.Event{Message: "no kind"}), jobpilot.EINVALID)
	})
}

func TestRuns(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r1, err := db.StartRun(ctx, jobpilot.RunFetch)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := db.StartRun(ctx, jobpilot.RunAutomation)
		if err != nil {
			t.Fatal(err)
		}
		r2.Status, r2.Counts, r2.Error = jobpilot.RunTimedOut, map[string]int{"matched": 3, "skipped": 1}, "deadline exceeded"
		if err := db.FinishRun(ctx, r2); err != nil {
			t.Fatal(err)
		}
		runs, err := db.Runs(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != r2.ID || runs[1].ID != r1.ID {
			t.Fatalf("runs: %+v", runs)
		}
		got := runs[0]
		if got.Status != jobpilot.RunTimedOut || got.Counts["matched"] != 3 || got.Error != "deadline exceeded" ||
			got.FinishedAt == nil || !sameTime(*got.FinishedAt, *r2.FinishedAt) || !sameTime(got.StartedAt, r2.StartedAt) {
			t.Fatalf("finished run: %+v", got)
		}
		if runs[1].Status != jobpilot.RunRunning || runs[1].FinishedAt != nil {
			t.Fatalf("running run: %+v", runs[1])
		}
		wantCode(t, db.FinishRun(ctx, &jobpilot.Run{ID: 9999, Status: jobpilot.RunSucceeded}), jobpilot.ENOTFOUND)
		wantCode(t, db.FinishRun(ctx, &jobpilot.Run{ID: r1.ID}), jobpilot.EINVALID)
	})
}

func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			url := b.url(t)
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
			if err := dbs[1].CreateProfile(ctx, testProfile("Ada")); err != nil {
				t.Fatal(err)
			}
			if ps, err := dbs[0].Profiles(ctx); err != nil || len(ps) != 1 {
				t.Fatalf("profiles: %v %v", ps, err)
			}
		})
	}
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
	_, err := store.Open(ctx, "postgres://nobody:secret@[bad")
	wantCode(t, err, jobpilot.EINVALID)
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
	_, err = store.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	wantCode(t, err, jobpilot.EUNAVAILABLE)
	if !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("unreachable database should be transient: %v", err)
	}
}

// Two imports of one source at once (two nodes fetching the same board)
// both succeed and insert each posting once.
func TestConcurrentUpserts(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const importers, n = 4, 20
		var wg sync.WaitGroup
		results := make([]jobpilot.UpsertResult, importers)
		errs := make([]error, importers)
		for i := range importers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ps := make([]jobpilot.Posting, n)
				for j := range ps {
					ps[j] = testPosting(fmt.Sprint(j), "Acme", fmt.Sprintf("Role %d", j), "Berlin")
				}
				results[i], errs[i] = db.UpsertPostings(ctx, "greenhouse:acme", ps, true)
			}()
		}
		wg.Wait()
		var total jobpilot.UpsertResult
		for i, err := range errs {
			if err != nil {
				t.Fatalf("importer %d: %v", i, err)
			}
			total.New += results[i].New
			total.Unchanged += results[i].Unchanged
			total.Updated += results[i].Updated
			total.Closed += results[i].Closed
		}
		if total != (jobpilot.UpsertResult{New: n, Unchanged: n * (importers - 1)}) {
			t.Fatalf("results %+v, total %+v", results, total)
		}
		if ps, _ := db.Postings(ctx, jobpilot.PostingFilter{}); len(ps) != n {
			t.Fatalf("postings stored: %d, want %d", len(ps), n)
		}
	})
}
