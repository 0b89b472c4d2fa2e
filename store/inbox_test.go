package store_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// The mailbox reader's cursor per folder, the bad addresses and the lookup
// by Message-ID, on both databases.
func TestInboxStore(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, err := db.MailboxCursor(ctx, "INBOX")
		if err != nil || c.UIDValidity != 0 || c.LastUID != 0 || c.Folder != "INBOX" {
			t.Fatalf("unseen folder: %+v, %v", c, err)
		}
		// UIDs and UIDVALIDITY are 32-bit unsigned: the largest must survive.
		for _, want := range []jobpilot.MailboxCursor{{Folder: "INBOX", UIDValidity: 1, LastUID: 7}, {Folder: "INBOX", UIDValidity: 4294967295, LastUID: 4294967290}} {
			if err := db.SaveMailboxCursor(ctx, want); err != nil {
				t.Fatal(err)
			}
			got, err := db.MailboxCursor(ctx, "INBOX")
			if err != nil || got.UIDValidity != want.UIDValidity || got.LastUID != want.LastUID || got.UpdatedAt.IsZero() {
				t.Fatalf("cursor %+v, want %+v (%v)", got, want, err)
			}
		}
		if other, _ := db.MailboxCursor(ctx, "Archive"); other.LastUID != 0 {
			t.Fatalf("folders share a cursor: %+v", other)
		}

		if _, err := db.BadAddress(ctx, "jobs@acme.example"); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
			t.Fatalf("unknown address: %v", err)
		}
		for _, b := range []jobpilot.BadAddress{
			{Address: "Jobs@Acme.example", Status: "5.1.1", Reason: "user unknown", ApplicationID: 3},
			{Address: "jobs@acme.example", Status: "5.2.2", Reason: "mailbox full", ApplicationID: 9},
		} {
			if err := db.MarkAddressBad(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		b, err := db.BadAddress(ctx, "JOBS@acme.example")
		if err != nil || b.Status != "5.1.1" || b.ApplicationID != 3 || b.Address != "jobs@acme.example" {
			t.Fatalf("bad address %+v, %v: want the first record, lower case", b, err)
		}

		f := storetest.NewFixture(t, db, 2)
		app := storetest.NewApp(t, db, f, 0, jobpilot.StatusMatched, "fp-msgid")
		storetest.NewApp(t, db, f, 1, jobpilot.StatusMatched, "fp-other")
		mid := jobpilot.MessageID(app.ID, "example.com")
		if _, err := db.Update(ctx, app.ID, jobpilot.Change{MessageID: &mid}); err != nil {
			t.Fatal(err)
		}
		got, err := db.ApplicationByMessageID(ctx, mid)
		if err != nil || got.ID != app.ID {
			t.Fatalf("by message id: %+v, %v", got, err)
		}
		for _, miss := range []string{"", "<application-999@example.com>"} {
			if _, err := db.ApplicationByMessageID(ctx, miss); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
				t.Fatalf("%q: %v, want ENOTFOUND", miss, err)
			}
		}
	})
}
