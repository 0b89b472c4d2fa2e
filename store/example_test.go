package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// exampleDB opens and migrates a throwaway SQLite store.
func exampleDB(ctx context.Context) (*store.DB, func()) {
	dir, err := os.MkdirTemp("", "jobpilot-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

// printTasks is a TaskInserter standing in for the engine: it runs inside
// the store's transaction, so it only prints what would be enqueued.
type printTasks struct{}

func (printTasks) InsertTasks(_ context.Context, _ *sql.Tx, tasks []jobpilot.Task) error {
	for _, t := range tasks {
		fmt.Printf("enqueued %s for application %d\n", t.Kind, t.ApplicationID)
	}
	return nil
}

// An application moves through its statuses; every move is checked against
// jobpilot.Transitions, recorded as an event, and enqueues its follow-up
// work in the same transaction. A refused move changes nothing.
func ExampleDB_Transition() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	db.SetTaskInserter(printTasks{})

	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada Lovelace"}}}
	if err := db.CreateProfile(ctx, p); err != nil {
		log.Fatal(err)
	}
	ps := []jobpilot.Posting{{ExternalID: "42", Company: "Acme", Title: "Backend Engineer", ContactEmail: "jobs@acme.example"}}
	if _, err := db.UpsertPostings(ctx, "greenhouse:acme", ps, false); err != nil {
		log.Fatal(err)
	}
	app := &jobpilot.Application{ProfileID: p.ID, PostingID: ps[0].ID, Status: jobpilot.StatusReady, Score: 82}
	if _, err := db.CreateApplication(ctx, app); err != nil {
		log.Fatal(err)
	}

	// The candidate approves: the send job is enqueued with the transition.
	_, err := db.Transition(ctx, app.ID, jobpilot.StatusApproved, jobpilot.Change{
		Reason: "approved in the dashboard",
		From:   []jobpilot.Status{jobpilot.StatusReady},
		Tasks:  []jobpilot.Task{{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}},
	})
	fmt.Println("approve:", err)

	// A second approval (a double click) loses the compare-and-swap.
	_, err = db.Transition(ctx, app.ID, jobpilot.StatusApproved, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusReady}})
	fmt.Println("approve again:", jobpilot.ErrorCode(err))

	// Skipping the send is not a move the pipeline allows.
	_, err = db.Transition(ctx, app.ID, jobpilot.StatusFollowedUp, jobpilot.Change{})
	fmt.Println("follow up:", err)

	events, err := db.Events(ctx, jobpilot.EventFilter{ApplicationID: app.ID, Kinds: []string{jobpilot.EventStatus}})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		fmt.Println("event:", e.Message)
	}
	// Output:
	// enqueued send_application for application 1
	// approve: <nil>
	// approve again: conflict
	// follow up: application 1: cannot move from approved to followed_up
	// event: ready → approved: approved in the dashboard
	// event: created as ready
}

// The same job listed for two cities, and again on another board, shares a
// fingerprint: the candidate gets one application, not three.
func ExampleDB_CreateApplication() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()

	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada Lovelace"}}}
	if err := db.CreateProfile(ctx, p); err != nil {
		log.Fatal(err)
	}
	job := func(id, location string) jobpilot.Posting {
		return jobpilot.Posting{ExternalID: id, Company: "Acme", Title: "Backend Engineer", Location: location,
			Description: "Build our Go services."}
	}
	greenhouse := []jobpilot.Posting{job("1", "Berlin"), job("2", "Lisbon")}
	lever := []jobpilot.Posting{job("a-1", "Remote")}
	if _, err := db.UpsertPostings(ctx, "greenhouse:acme", greenhouse, false); err != nil {
		log.Fatal(err)
	}
	if _, err := db.UpsertPostings(ctx, "lever:acme", lever, false); err != nil {
		log.Fatal(err)
	}
	for _, post := range append(greenhouse, lever...) {
		app := &jobpilot.Application{ProfileID: p.ID, PostingID: post.ID}
		created, err := db.CreateApplication(ctx, app)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s: created=%v, application %d\n", post.Source, post.Location, created, app.ID)
	}
	// Output:
	// greenhouse:acme Berlin: created=true, application 1
	// greenhouse:acme Lisbon: created=false, application 1
	// lever:acme Remote: created=false, application 1
}

// Importing a board's listing again tells what changed; with closeMissing,
// postings gone from the board are closed (never deleted: applications
// refer to them).
func ExampleDB_UpsertPostings() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()

	first := []jobpilot.Posting{
		{ExternalID: "1", Company: "Acme", Title: "Backend Engineer"},
		{ExternalID: "2", Company: "Acme", Title: "Frontend Engineer"},
		{ExternalID: "3", Company: "Acme", Title: "Data Engineer"},
	}
	res, err := db.UpsertPostings(ctx, "greenhouse:acme", first, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", res)

	second := []jobpilot.Posting{
		{ExternalID: "1", Company: "Acme", Title: "Backend Engineer"},
		{ExternalID: "2", Company: "Acme", Title: "Frontend Engineer (React)"},
		{ExternalID: "4", Company: "Acme", Title: "SRE"},
	}
	res, err = db.UpsertPostings(ctx, "greenhouse:acme", second, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", res)
	// Output:
	// {New:3 Updated:0 Unchanged:0 Closed:0}
	// {New:1 Updated:1 Unchanged:1 Closed:1}
}
