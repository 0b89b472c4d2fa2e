package mailbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakeimap"
	"github.com/jobpilot/jobpilot/mail/mailbox"
)

// servers runs fn against go-imap's in-memory server and against Dovecot
// (skipped, saying why, when Dovecot is not installed).
func servers(t *testing.T, fn func(t *testing.T, m fakeimap.Mailbox)) {
	t.Run("memory", func(t *testing.T) { fn(t, fakeimap.StartTest(t)) })
	t.Run("dovecot", func(t *testing.T) { fn(t, fakeimap.StartDovecot(t)) })
}

func reader(t *testing.T, m fakeimap.Mailbox) *mailbox.Reader {
	t.Helper()
	r, err := mailbox.New(mailbox.Config{Host: m.Host(), Port: m.Port(), Username: m.Username(), Password: m.Password(), TLS: mailbox.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func note(i int) []byte {
	return []byte(fmt.Sprintf("From: Grace <grace@acme.example>\r\nTo: jobs@example.com\r\nSubject: note %d\r\n"+
		"Message-ID: <note-%d@acme.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nHello %d.\r\n", i, i, i))
}

// The reader returns only the messages after the cursor, at most the limit,
// in UID order, with a stable UIDVALIDITY; reading changes nothing (a
// second read returns the same); folders are apart; a missing folder and
// bad credentials are permanent.
func TestReaderReadsNewMail(t *testing.T) {
	servers(t, func(t *testing.T, m fakeimap.Mailbox) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r := reader(t, m)
		validity, msgs, err := r.Read(ctx, "INBOX", 0, 10)
		if err != nil || len(msgs) != 0 || validity == 0 {
			t.Fatalf("empty INBOX: validity %d, %d messages, %v", validity, len(msgs), err)
		}
		for i := 1; i <= 5; i++ {
			if err := m.Append(ctx, "INBOX", note(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Append(ctx, "Archive", note(99)); err != nil {
			t.Fatal(err)
		}
		v1, first, err := r.Read(ctx, "INBOX", 0, 3)
		if err != nil || v1 != validity || len(first) != 3 {
			t.Fatalf("first page: validity %d (was %d), %d messages, %v", v1, validity, len(first), err)
		}
		for i, msg := range first {
			if msg.MessageID != fmt.Sprintf("<note-%d@acme.example>", i+1) || msg.Folder != "INBOX" || msg.From != "grace@acme.example" {
				t.Errorf("message %d: %+v", i, msg)
			}
			if i > 0 && msg.UID <= first[i-1].UID {
				t.Errorf("UIDs not ascending: %d after %d", msg.UID, first[i-1].UID)
			}
		}
		_, again, _ := r.Read(ctx, "INBOX", 0, 3)
		if len(again) != 3 || again[0].UID != first[0].UID {
			t.Errorf("a second read differs: %+v", again)
		}
		_, rest, err := r.Read(ctx, "INBOX", first[2].UID, 10)
		if err != nil || len(rest) != 2 || rest[0].MessageID != "<note-4@acme.example>" {
			t.Fatalf("after the cursor: %+v, %v", rest, err)
		}
		_, none, err := r.Read(ctx, "INBOX", rest[1].UID, 10)
		if err != nil || len(none) != 0 {
			t.Fatalf("past the last UID: %d messages (%v): \"n:*\" must not return the last one again", len(none), err)
		}
		_, archived, err := r.Read(ctx, "Archive", 0, 10)
		if err != nil || len(archived) != 1 || archived[0].MessageID != "<note-99@acme.example>" {
			t.Fatalf("Archive: %+v, %v", archived, err)
		}

		_, _, err = r.Read(ctx, "No/Such/Folder", 0, 10)
		if !errors.Is(err, jobpilot.ErrPermanent) {
			t.Errorf("missing folder: %v, want permanent", err)
		}
		bad, _ := mailbox.New(mailbox.Config{Host: m.Host(), Port: m.Port(), Username: m.Username(), Password: "wrong", TLS: mailbox.TLSNone})
		if _, _, err := bad.Read(ctx, "INBOX", 0, 10); !errors.Is(err, jobpilot.ErrPermanent) {
			t.Errorf("bad password: %v, want permanent", err)
		}
	})
}

// Nothing listening is transient: the breaker counts it and the work waits.
func TestReaderServerDown(t *testing.T) {
	srv := fakeimap.StartTest(t)
	r := reader(t, srv)
	srv.Down()
	_, _, err := r.Read(context.Background(), "INBOX", 0, 10)
	if !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("server down: %v, want transient", err)
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Read(context.Background(), "INBOX", 0, 10); err != nil {
		t.Fatalf("server back: %v", err)
	}
}

// Reading leaves every message unseen: EXAMINE and BODY.PEEK.
func TestReaderIsReadOnly(t *testing.T) {
	servers(t, func(t *testing.T, m fakeimap.Mailbox) {
		ctx := context.Background()
		if err := m.Append(ctx, "INBOX", note(1)); err != nil {
			t.Fatal(err)
		}
		r := reader(t, m)
		if _, _, err := r.Read(ctx, "INBOX", 0, 10); err != nil {
			t.Fatal(err)
		}
		seen, err := fakeimap.Seen(ctx, m, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if seen != 0 {
			t.Errorf("%d messages flagged \\Seen after reading, want 0", seen)
		}
	})
}
