package store_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// A draft run again replaces its guard_removal events and its removals;
// the application's guard report survives the round trip.
func TestSaveDocumentsReplacesGuardEvents(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.NewFixture(t, db, 1)
		app := storetest.NewApp(t, db, f, 0, jobpilot.StatusDrafting, "fp-guard")
		first := []jobpilot.Removal{{Kind: "name", Field: "cover_letter", Value: "Acme", Reason: "r"},
			{Kind: "number", Field: "cover_letter", Value: "fifteen", Reason: "r"}, {Kind: "degree", Field: "basics.summary", Value: "PhD", Reason: "r"}}
		second := []jobpilot.Removal{{Kind: "name", Field: "cover_letter", Value: "Globex", Reason: "r"}}
		for _, rs := range [][]jobpilot.Removal{first, second} {
			if err := db.SaveDocuments(ctx, &jobpilot.Documents{ApplicationID: app.ID, CoverLetter: "x", Writer: "llm:m", Removals: rs}); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := db.Events(ctx, jobpilot.EventFilter{ApplicationID: app.ID, Kinds: []string{jobpilot.EventGuardRemoval}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Data["value"] != "Globex" || evs[0].Data["kind"] != "name" {
			t.Fatalf("guard events after a retried draft: %+v", evs)
		}
		docs, err := db.Documents(ctx, app.ID)
		if err != nil || len(docs.Removals) != 1 || docs.Removals[0].Value != "Globex" {
			t.Fatalf("documents removals %+v, err %v", docs, err)
		}
		report := jobpilot.GuardReport{Removed: 1, Phrases: []string{"Globex"}, Hold: "the writer invented 1 facts; 1 removed"}
		got, err := db.Transition(ctx, app.ID, jobpilot.StatusReady, jobpilot.Change{Guard: &report})
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.Application(ctx, app.ID)
		if err != nil || again.Guard.Hold != report.Hold || len(again.Guard.Phrases) != 1 || got.Guard.Removed != 1 {
			t.Fatalf("guard report %+v (err %v)", again.Guard, err)
		}
	})
}
