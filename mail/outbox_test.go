package mail_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/mail"
)

func testMessage(id int64) *jobpilot.Message {
	return &jobpilot.Message{
		MessageID: jobpilot.MessageID(id, "candidate.example.org"),
		From:      "ada@candidate.example.org",
		FromName:  "Ada Lovelace",
		To:        "jobs@employer.example.com",
		Subject:   "Application: Senior Go Engineer — Ada Lovelace",
		Body:      "Dear hiring team,\n\nplease find my resume and cover letter attached.\n\nAda",
		Attachments: []jobpilot.Attachment{
			{Filename: "resume.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 resume\n%%EOF\n")},
			{Filename: "cover-letter.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 letter\n%%EOF\n")},
		},
		Date: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC),
	}
}

// parsed is what a receiver sees in a message.
type parsed struct {
	header      netmail.Header
	body        string
	attachments map[string][]byte
}

func parseEML(t *testing.T, r io.Reader) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		t.Fatalf("net/mail cannot parse the message: %v", err)
	}
	p := parsed{header: msg.Header, attachments: map[string][]byte{}}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type %q: want multipart (%v)", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		data, err := io.ReadAll(part) // multipart decodes quoted-printable itself
		if err != nil {
			t.Fatal(err)
		}
		if name := part.FileName(); name != "" {
			if part.Header.Get("Content-Transfer-Encoding") == "base64" {
				data = decodeBase64(t, data)
			}
			p.attachments[name] = data
			continue
		}
		p.body += string(data)
	}
	return p
}

func TestOutboxWritesParseableEMLIdempotently(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	box := mail.NewOutbox(dir)
	m := testMessage(7)
	ctx := context.Background()
	if err := box.Send(ctx, m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	path := filepath.Join(dir, "application-7@candidate.example.org.eml")
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the .eml is not where the Message-ID says: %v", err)
	}
	p := parseEML(t, strings.NewReader(string(first)))
	if got := p.header.Get("Message-Id"); got != m.MessageID {
		t.Errorf("Message-ID = %q, want %q", got, m.MessageID)
	}
	if got := p.header.Get("Subject"); got == "" {
		t.Error("no Subject")
	} else if dec, _ := new(mime.WordDecoder).DecodeHeader(got); dec != m.Subject {
		t.Errorf("Subject = %q, want %q", dec, m.Subject)
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(m.Date) {
		t.Errorf("Date = %v (%v), want %v", d, err, m.Date)
	}
	if !strings.Contains(p.body, "please find my resume") {
		t.Errorf("body %q lacks the text", p.body)
	}
	for _, a := range m.Attachments {
		if got := string(p.attachments[a.Filename]); got != string(a.Data) {
			t.Errorf("attachment %s = %q, want %q", a.Filename, got, a.Data)
		}
	}

	// A repeat (retry, restart, concurrent duplicates) leaves one file, unchanged.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := box.Send(ctx, testMessage(7)); err != nil {
				t.Errorf("repeat Send: %v", err)
			}
		})
	}
	wg.Wait()
	again, _ := os.ReadFile(path)
	if string(again) != string(first) {
		t.Error("a repeat rewrote the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("outbox holds %v, want exactly one file", names)
	}
}

func TestOutboxRefusesInjectionAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	box := mail.NewOutbox(dir)
	m := testMessage(8)
	m.Subject = "Hello\r\nBcc: everyone@example.com"
	err := box.Send(context.Background(), m)
	if !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Fatalf("err = %v, want a Permanent EINVALID error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("outbox has %d files after a refused message", len(entries))
	}
}

func TestFileNameNeverCollides(t *testing.T) {
	a, b := mail.FileName("<a/b@x>"), mail.FileName("<a_b@x>")
	if a == b {
		t.Errorf("%q and %q share a file name", "<a/b@x>", "<a_b@x>")
	}
	if strings.ContainsAny(a, "/\\") || strings.HasPrefix(mail.FileName("<../x@y>"), ".") {
		t.Errorf("unsafe file name %q", a)
	}
}
