// Package storetest is the conformance suite of jobpilot.Store, after
// River's riverdrivertest: what any store must do (profiles, postings and
// their fingerprints, applications and their transitions, compare-and-swap,
// events, documents, runs, counts, pagination), exercised through the
// interface only. package store runs it on SQLite and PostgreSQL through
// internal/dbtest; another implementation runs the same suite. It also
// holds the fixtures those tests share. It is for tests only.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Exercise runs every test of the suite as a parallel subtest, each on a
// fresh, empty store made by open.
func Exercise(t *testing.T, open func(t *testing.T) jobpilot.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, st jobpilot.Store)
	}{
		{"Profiles", profiles},
		{"UpsertPostings", upsertPostings},
		{"InvalidTransitionsChangeNothing", invalidTransitionsChangeNothing},
		{"EveryAllowedTransitionWritesAnEvent", everyAllowedTransitionWritesAnEvent},
		{"TransitionAppliesChange", transitionAppliesChange},
		{"ControlFields", controlFields},
		{"BlockedCompanies", blockedCompanies},
		{"CompareAndSwap", compareAndSwap},
		{"Documents", documents},
		{"CountsAndSentSince", countsAndSentSince},
		{"EventsPagination", eventsPagination},
		{"Runs", runs},
		{"ConcurrentUpserts", concurrentUpserts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

func profiles(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	p := Profile("Ada Lovelace")
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

	p2 := Profile("Grace Hopper")
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
	WantCode(t, err, jobpilot.ENOTFOUND)
	missing := Profile("Nobody")
	missing.ID = 9999
	WantCode(t, db.ReplaceProfile(ctx, missing), jobpilot.ENOTFOUND)
	WantCode(t, db.CreateProfile(ctx, Profile("")), jobpilot.EINVALID)
}

// upsertPostings follows one board through three imports (all new; one
// changed, one missing, one new; the missing one back), then a second board,
// and reads the result through the filters and the pages; an invalid import
// stores nothing. Each step starts from the store the previous one left.
func upsertPostings(t *testing.T, db jobpilot.Store) {
	a, b, c := importNewPostings(t, db)
	ps := importChangedAndMissing(t, db, a, b)
	readBackChangedAndClosed(t, db, ps, a.PublishedAt)
	reopenWithoutClosing(t, db, c)
	otherSourceIsUntouched(t, db)
	postingFilters(t, db)
	postingPages(t, db)
	invalidImportsStoreNothing(t, db)
}

// acmeBoard is the source upsertPostings imports again and again.
const acmeBoard = "greenhouse:acme"

// importNewPostings imports three new postings (a with a contact email and a
// publication time in another zone, b remote) and returns them.
func importNewPostings(t *testing.T, db jobpilot.Store) (a, b, c jobpilot.Posting) {
	t.Helper()
	a = Posting("a", "Acme", "Backend Engineer", "Berlin")
	a.PublishedAt = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))
	a.ContactEmail = "jobs@acme.example"
	b = Posting("b", "Acme", "Frontend Engineer", "Lisbon")
	b.Remote = true
	c = Posting("c", "Acme", "Data Engineer", "Paris")
	res, err := db.UpsertPostings(context.Background(), acmeBoard, []jobpilot.Posting{a, b, c}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res != (jobpilot.UpsertResult{New: 3}) {
		t.Fatalf("first import: %+v", res)
	}
	return a, b, c
}

// importChangedAndMissing imports the board again: b changes, c disappears,
// a is unchanged, d is new. It returns a, b and d as the store filled them in.
func importChangedAndMissing(t *testing.T, db jobpilot.Store, a, b jobpilot.Posting) []jobpilot.Posting {
	t.Helper()
	b.Description = "Now with more TypeScript."
	d := Posting("d", "Acme", "SRE", "Remote")
	ps := []jobpilot.Posting{a, b, d}
	res, err := db.UpsertPostings(context.Background(), acmeBoard, ps, true)
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
	return ps
}

// readBackChangedAndClosed reads the second import back: a as it was, its
// publication time in UTC at microsecond precision, b updated, c closed.
func readBackChangedAndClosed(t *testing.T, db jobpilot.Store, ps []jobpilot.Posting, published time.Time) {
	t.Helper()
	ctx := context.Background()
	gotA, err := db.Posting(ctx, ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !SameTime(gotA.PublishedAt, published) || gotA.PublishedAt.Location() != time.UTC ||
		gotA.PublishedAt.Nanosecond() != 123456000 {
		t.Fatalf("published_at %v, want %v at microsecond precision in UTC", gotA.PublishedAt, published)
	}
	if gotA.ContactEmail != "jobs@acme.example" || gotA.Source != acmeBoard || gotA.ClosedAt != nil {
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
}

// reopenWithoutClosing imports c alone, unchanged: it is reopened and counted
// as updated. Without closeMissing nothing is closed.
func reopenWithoutClosing(t *testing.T, db jobpilot.Store, c jobpilot.Posting) {
	t.Helper()
	ctx := context.Background()
	res, err := db.UpsertPostings(ctx, acmeBoard, []jobpilot.Posting{c}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res != (jobpilot.UpsertResult{Updated: 1}) {
		t.Fatalf("reopen: %+v", res)
	}
	open, err := db.Postings(ctx, jobpilot.PostingFilter{Source: acmeBoard, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 4 {
		t.Fatalf("open postings: %d, want 4", len(open))
	}
}

// otherSourceIsUntouched imports another board with closeMissing: the first
// board's postings stay open.
func otherSourceIsUntouched(t *testing.T, db jobpilot.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.UpsertPostings(ctx, "lever:other", []jobpilot.Posting{Posting("x", "Other", "Go Dev", "Rome")}, true); err != nil {
		t.Fatal(err)
	}
	if open, _ := db.Postings(ctx, jobpilot.PostingFilter{OpenOnly: true}); len(open) != 5 {
		t.Fatalf("open postings after other source: %d, want 5", len(open))
	}
}

// postingFilters reads the five postings through the remote, email and text
// filters; the text filter's LIKE wildcards match literally.
func postingFilters(t *testing.T, db jobpilot.Store) {
	t.Helper()
	ctx := context.Background()
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
}

// postingPages checks that keyset pagination visits every one of the five
// postings once, in ID order.
func postingPages(t *testing.T, db jobpilot.Store) {
	t.Helper()
	var seen []int64
	var after int64
	for {
		page, err := db.Postings(context.Background(), jobpilot.PostingFilter{AfterID: after, Limit: 2})
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
}

// invalidImportsStoreNothing imports a batch with one posting lacking its ID,
// and a posting of another source: both are refused, nothing is stored. An
// unknown posting is not found.
func invalidImportsStoreNothing(t *testing.T, db jobpilot.Store) {
	t.Helper()
	ctx := context.Background()
	bad := Posting("", "Acme", "No ID", "")
	_, err := db.UpsertPostings(ctx, acmeBoard, []jobpilot.Posting{Posting("e", "Acme", "E", ""), bad}, false)
	WantCode(t, err, jobpilot.EINVALID)
	if got, _ := db.Postings(ctx, jobpilot.PostingFilter{}); len(got) != 5 {
		t.Fatalf("a failed import stored postings: %d", len(got))
	}
	foreign := Posting("f", "Acme", "F", "")
	foreign.Source = "elsewhere"
	_, err = db.UpsertPostings(ctx, acmeBoard, []jobpilot.Posting{foreign}, false)
	WantCode(t, err, jobpilot.EINVALID)
	_, err = db.Posting(ctx, 9999)
	WantCode(t, err, jobpilot.ENOTFOUND)
}

func invalidTransitionsChangeNothing(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	// One application per status; refused moves leave it where it is.
	for _, from := range jobpilot.Statuses {
		a := NewApp(t, db, f, 0, from, "fp-"+string(from))
		for _, to := range jobpilot.Statuses {
			if from.CanTransition(to) {
				continue
			}
			_, err := db.Transition(ctx, a.ID, to, jobpilot.Change{Reason: "test", Score: ptr(1), IncAttempts: true})
			WantCode(t, err, jobpilot.ECONFLICT)
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
	WantCode(t, err, jobpilot.ENOTFOUND)
	_, err = db.Transition(ctx, 1, "bogus", jobpilot.Change{})
	WantCode(t, err, jobpilot.EINVALID)
}

func everyAllowedTransitionWritesAnEvent(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	n := 0
	for _, from := range jobpilot.Statuses {
		for _, to := range jobpilot.Transitions[from] {
			n++
			a := NewApp(t, db, f, 0, from, fmt.Sprintf("fp-%d", n))
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
}

func transitionAppliesChange(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	a := NewApp(t, db, f, 0, jobpilot.StatusApproved, "")
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
			x.Writer != "llm:test" || x.SentAt == nil || !SameTime(*x.SentAt, sent) || x.Score != 90 ||
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
	WantCode(t, err, jobpilot.ECONFLICT)
	_, err = db.Update(ctx, 9999, jobpilot.Change{})
	WantCode(t, err, jobpilot.ENOTFOUND)
}

func compareAndSwap(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	a := NewApp(t, db, f, 0, jobpilot.StatusSending, "")
	// A late job expecting "approved" loses to the one that already moved it.
	_, err := db.Transition(ctx, a.ID, jobpilot.StatusFailed, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusApproved}})
	WantCode(t, err, jobpilot.ECONFLICT)
	if got, _ := db.Application(ctx, a.ID); got.Status != jobpilot.StatusSending {
		t.Fatalf("status changed by a lost CAS: %s", got.Status)
	}
	got, err := db.Transition(ctx, a.ID, jobpilot.StatusNeedsReview, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusApproved, jobpilot.StatusSending}, Reason: "outcome unknown"})
	if err != nil || got.Status != jobpilot.StatusNeedsReview {
		t.Fatalf("CAS from a listed status: %+v %v", got, err)
	}
}

func documents(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	a := NewApp(t, db, f, 0, jobpilot.StatusDrafting, "")
	_, err := db.Documents(ctx, a.ID)
	WantCode(t, err, jobpilot.ENOTFOUND)

	pdf := append([]byte("%PDF-1.7\n"), 0x00, 0xff, 0xfe, 0x80, '\n')
	pdf = append(pdf, bytes.Repeat([]byte{0, 1, 2, 3}, 10000)...)
	d := &jobpilot.Documents{
		ApplicationID: a.ID,
		Resume:        f.Profile.Resume,
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
		!SameTime(got.CreatedAt, d.CreatedAt) {
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
	WantCode(t, db.SaveDocuments(ctx, &jobpilot.Documents{ApplicationID: 9999}), jobpilot.ENOTFOUND)
}

func countsAndSentSince(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	sends := []time.Time{day.Add(-time.Microsecond), day, day.Add(90 * time.Minute), day.Add(23 * time.Hour)}
	for i, at := range sends {
		a := NewApp(t, db, f, 0, jobpilot.StatusSending, fmt.Sprintf("sent-%d", i))
		if _, err := db.Transition(ctx, a.ID, jobpilot.StatusSent, jobpilot.Change{SentAt: &at}); err != nil {
			t.Fatal(err)
		}
	}
	NewApp(t, db, f, 0, jobpilot.StatusReady, "r1")
	NewApp(t, db, f, 0, jobpilot.StatusReady, "r2")
	NewApp(t, db, f, 0, jobpilot.StatusSkipped, "s1")

	other := Profile("Grace Hopper")
	if err := db.CreateProfile(ctx, other); err != nil {
		t.Fatal(err)
	}
	g := Fixture{Profile: other, Postings: f.Postings}
	b := NewApp(t, db, g, 0, jobpilot.StatusSending, "g")
	if _, err := db.Transition(ctx, b.ID, jobpilot.StatusSent, jobpilot.Change{SentAt: ptr(day.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		profile int64
		since   time.Time
		want    int
	}{
		{f.Profile.ID, day, 3},
		{f.Profile.ID, day.Add(-time.Microsecond), 4},
		{f.Profile.ID, day.Add(time.Microsecond), 2},
		{f.Profile.ID, day.Add(24 * time.Hour), 0},
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
	counts, err := db.CountByStatus(ctx, f.Profile.ID)
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
		page, err := db.Applications(ctx, jobpilot.ApplicationFilter{ProfileID: f.Profile.ID, AfterID: after, Limit: 3})
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
}

func eventsPagination(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	a := NewApp(t, db, f, 0, jobpilot.StatusMatched, "")
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
	WantCode(t, db.AddEvent(ctx, &jobpilot.Event{ApplicationID: 9999, Kind: jobpilot.EventNote}), jobpilot.ENOTFOUND)
	WantCode(t, db.AddEvent(ctx, &jobpilot.Event{Message: "no kind"}), jobpilot.EINVALID)
}

func runs(t *testing.T, db jobpilot.Store) {
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
		got.FinishedAt == nil || !SameTime(*got.FinishedAt, *r2.FinishedAt) || !SameTime(got.StartedAt, r2.StartedAt) {
		t.Fatalf("finished run: %+v", got)
	}
	if runs[1].Status != jobpilot.RunRunning || runs[1].FinishedAt != nil {
		t.Fatalf("running run: %+v", runs[1])
	}
	WantCode(t, db.FinishRun(ctx, &jobpilot.Run{ID: 9999, Status: jobpilot.RunSucceeded}), jobpilot.ENOTFOUND)
	WantCode(t, db.FinishRun(ctx, &jobpilot.Run{ID: r1.ID}), jobpilot.EINVALID)
}

// Two imports of one source at once (two nodes fetching the same board)
// both succeed and insert each posting once.
func concurrentUpserts(t *testing.T, db jobpilot.Store) {
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
				ps[j] = Posting(fmt.Sprint(j), "Acme", fmt.Sprintf("Role %d", j), "Berlin")
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
}

// controlFields: the undo window, the delivery, the checked recipient and
// the candidate's note and date are stored, read back and cleared.
func controlFields(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	rcpt := &jobpilot.Recipient{Address: "jobs@acme.test", Domain: "acme.test", Source: "boards.example", Flags: []string{"domain differs"}}
	a := &jobpilot.Application{ProfileID: f.Profile.ID, PostingID: f.Postings[0].ID, Status: jobpilot.StatusReady, Recipient: rcpt}
	if _, err := db.CreateApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Recipient == nil || a.Recipient.Address != "jobs@acme.test" || len(a.Recipient.Flags) != 1 {
		t.Fatalf("recipient not stored at creation: %+v", a.Recipient)
	}
	after := time.Date(2026, 5, 1, 12, 0, 30, 0, time.UTC)
	got, err := db.Transition(ctx, a.ID, jobpilot.StatusApproved, jobpilot.Change{SendAfter: &after})
	if err != nil {
		t.Fatal(err)
	}
	if got.SendAfter == nil || !got.SendAfter.Equal(after) {
		t.Fatalf("send_after: %v", got.SendAfter)
	}
	got, err = db.Transition(ctx, a.ID, jobpilot.StatusReady, jobpilot.Change{ClearSendAfter: true, Note: ptr("cancelled")})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Application(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SendAfter != nil || stored.SendAfter != nil || stored.Note != "cancelled" {
		t.Fatalf("after cancel: %+v", stored)
	}
	day := time.Date(2026, 4, 28, 0, 0, 0, 0, time.UTC)
	if _, err := db.Transition(ctx, a.ID, jobpilot.StatusApplied, jobpilot.Change{SentAt: &day, StatusAt: &day, Delivery: ptr("manual")}); err != nil {
		t.Fatal(err)
	}
	stored, err = db.Application(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != jobpilot.StatusApplied || stored.StatusAt == nil || !stored.StatusAt.Equal(day) ||
		stored.Delivery != "manual" || stored.Recipient == nil || stored.Recipient.Domain != "acme.test" {
		t.Fatalf("after applied: %+v", stored)
	}
}

// blockedCompanies: a block is per profile, keyed by the company's name
// without case or legal suffix; blocking again replaces the reason.
func blockedCompanies(t *testing.T, db jobpilot.Store) {
	ctx := context.Background()
	f := NewFixture(t, db, 1)
	if err := db.BlockCompany(ctx, &jobpilot.BlockedCompany{ProfileID: f.Profile.ID, Company: "Acme, Inc.", Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if err := db.BlockCompany(ctx, &jobpilot.BlockedCompany{ProfileID: f.Profile.ID, Company: "ACME", Reason: "ghosted me"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.BlockedCompanies(ctx, f.Profile.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Company != "ACME" || got[0].Reason != "ghosted me" || got[0].CreatedAt.IsZero() {
		t.Fatalf("blocked: %+v", got)
	}
	WantCode(t, db.BlockCompany(ctx, &jobpilot.BlockedCompany{ProfileID: 9999, Company: "X"}), jobpilot.ENOTFOUND)
	WantCode(t, db.BlockCompany(ctx, &jobpilot.BlockedCompany{ProfileID: f.Profile.ID, Company: " , "}), jobpilot.EINVALID)
	other := Profile("other")
	if err := db.CreateProfile(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.BlockedCompanies(ctx, other.ID); len(got) != 0 {
		t.Fatalf("another profile's blocks: %+v", got)
	}
}
