// Package mailtest is the conformance suite of jobpilot.Mailer: what every
// transport (the SMTP mailer, the .eml outbox) must do, and above all the
// rule sending relies on. A send whose message was handed over in full but
// whose answer never came back (the connection cut after the final ".", or
// the context ending while the server decides) fails with
// jobpilot.ErrOutcomeUnknown, classified permanent: never a plain transient
// error, which a retry loop would answer with a second email. A failure
// before the final "." left is a known outcome, transient, safe to retry.
// It is for tests only.
package mailtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Fault is a way a mail server fails one transaction.
type Fault int

const (
	// Refuse4xx: the server refuses the message with 421 (try later).
	Refuse4xx Fault = iota + 1
	// Refuse5xx: the server refuses the message with 550 (never).
	Refuse5xx
	// CutBeforeDot: the server closes the connection while a large message
	// is still being written, before its final ".".
	CutBeforeDot
	// CutAfterDot: the server reads the whole message, final "." included,
	// and closes the connection without a reply.
	CutAfterDot
	// HangAfterDot: the server reads the message and never answers.
	HangAfterDot
)

// Transport is one Mailer under test.
type Transport struct {
	Mailer jobpilot.Mailer
	// Delivered returns the raw RFC 5322 bytes of every message delivered
	// so far, oldest first.
	Delivered func() [][]byte
	// Fail makes the server fail every later transaction with f. Nil for a
	// transport with no server (the outbox): the fault tests are skipped.
	Fail func(f Fault)
}

// Exercise runs the suite, each test as a subtest on a fresh transport made
// by open.
func Exercise(t *testing.T, open func(t *testing.T) Transport) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, tr Transport)
	}{
		{"DeliversWhatItIsGiven", deliversWhatItIsGiven},
		{"RefusesHeaderInjection", refusesHeaderInjection},
		{"CanceledBeforeSending", canceledBeforeSending},
		{"RefusedTryLaterIsTransient", refusedTryLaterIsTransient},
		{"RefusedForGoodIsPermanent", refusedForGoodIsPermanent},
		{"CutBeforeTheDotIsKnownAndTransient", cutBeforeTheDotIsKnownAndTransient},
		{"CutAfterTheDotIsOutcomeUnknown", cutAfterTheDotIsOutcomeUnknown},
		{"NoReplyBeforeTheDeadlineIsOutcomeUnknown", noReplyBeforeTheDeadlineIsOutcomeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Message is the suite's application email: a body and two PDF
// attachments, its Message-ID derived from id.
func Message(id int64) *jobpilot.Message {
	return &jobpilot.Message{
		MessageID: jobpilot.MessageID(id, "candidate.example.org"),
		From:      "ada@candidate.example.org",
		FromName:  "Ada Lovelace",
		To:        "jobs@employer.example.com",
		Subject:   "Application for Senior Go Engineer – Ada Lovelace",
		Body:      "Dear Acme hiring team,\n\nPlease find attached my application.\n\nKind regards,\nAda Lovelace\n",
		Attachments: []jobpilot.Attachment{
			{Filename: "Ada Lovelace - Resume.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 resume\n%%EOF\n")},
			{Filename: "Ada Lovelace - Cover Letter.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 letter\n%%EOF\n")},
		},
		Date: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC),
	}
}

func deliversWhatItIsGiven(t *testing.T, tr Transport) {
	msg := Message(1)
	if err := tr.Mailer.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := tr.Delivered()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	p := parse(t, got[0])
	for k, want := range map[string]string{"Message-Id": msg.MessageID, "To": msg.To, "Subject": msg.Subject} {
		if v := p.header.Get(k); k == "Subject" {
			if dec, err := new(mime.WordDecoder).DecodeHeader(v); err != nil || dec != want {
				t.Errorf("Subject %q (%v), want %q", dec, err, want)
			}
		} else if !strings.Contains(v, want) {
			t.Errorf("%s %q, want %q", k, v, want)
		}
	}
	if !strings.Contains(p.body, "Please find attached my application.") {
		t.Errorf("body %q lacks the text sent", p.body)
	}
	for _, a := range msg.Attachments {
		if !bytes.Equal(p.attachments[a.Filename], a.Data) {
			t.Errorf("attachment %q: %q, want %q", a.Filename, p.attachments[a.Filename], a.Data)
		}
	}
}

func refusesHeaderInjection(t *testing.T, tr Transport) {
	msg := Message(2)
	msg.Subject = "Application\r\nBcc: everyone@example.net"
	err := tr.Mailer.Send(context.Background(), msg)
	if !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Fatalf("err %v, want a permanent EINVALID error", err)
	}
	if n := len(tr.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func canceledBeforeSending(t *testing.T, tr Transport) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := tr.Mailer.Send(ctx, Message(3))
	if !errors.Is(err, context.Canceled) || errors.Is(err, jobpilot.ErrOutcomeUnknown) {
		t.Fatalf("err %v, want context.Canceled and a known outcome", err)
	}
	if n := len(tr.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func refusedTryLaterIsTransient(t *testing.T, tr Transport) {
	err := sendWith(t, tr, Refuse4xx, context.Background(), Message(4))
	wantKnownFailure(t, tr, err, true)
}

func refusedForGoodIsPermanent(t *testing.T, tr Transport) {
	err := sendWith(t, tr, Refuse5xx, context.Background(), Message(5))
	wantKnownFailure(t, tr, err, false)
}

func cutBeforeTheDotIsKnownAndTransient(t *testing.T, tr Transport) {
	// Larger than the socket buffers can take (net.ipv4.tcp_wmem caps the
	// send buffer at 4 MiB by default), so the client is still writing when
	// the connection goes: its final "." never left.
	msg := Message(6)
	msg.Attachments[0].Data = bytes.Repeat([]byte("0123456789abcdef"), (5<<20)/16)
	err := sendWith(t, tr, CutBeforeDot, context.Background(), msg)
	wantKnownFailure(t, tr, err, true)
}

func cutAfterTheDotIsOutcomeUnknown(t *testing.T, tr Transport) {
	err := sendWith(t, tr, CutAfterDot, context.Background(), Message(7))
	wantOutcomeUnknown(t, tr, err)
}

func noReplyBeforeTheDeadlineIsOutcomeUnknown(t *testing.T, tr Transport) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := sendWith(t, tr, HangAfterDot, ctx, Message(8))
	wantOutcomeUnknown(t, tr, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v does not carry the deadline that ended it", err)
	}
}

// sendWith sends msg through a server failing with f, or skips t when the
// transport has no server.
func sendWith(t *testing.T, tr Transport, f Fault, ctx context.Context, msg *jobpilot.Message) error {
	t.Helper()
	if tr.Fail == nil {
		t.Skip("the transport has no server to fail")
	}
	tr.Fail(f)
	err := tr.Mailer.Send(ctx, msg)
	if err == nil {
		t.Fatal("Send succeeded against a failing server")
	}
	return err
}

// wantKnownFailure: nothing was delivered and the error says so, with the
// retry class given.
func wantKnownFailure(t *testing.T, tr Transport, err error, transient bool) {
	t.Helper()
	if errors.Is(err, jobpilot.ErrOutcomeUnknown) {
		t.Fatalf("err %v: a known outcome reported as unknown", err)
	}
	if errors.Is(err, jobpilot.ErrTransient) != transient || errors.Is(err, jobpilot.ErrPermanent) == transient {
		t.Fatalf("err %v: transient=%v, want %v", err, errors.Is(err, jobpilot.ErrTransient), transient)
	}
	if n := len(tr.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// wantOutcomeUnknown is the rule: unknown, permanent, never transient.
func wantOutcomeUnknown(t *testing.T, tr Transport, err error) {
	t.Helper()
	if !errors.Is(err, jobpilot.ErrOutcomeUnknown) {
		t.Fatalf("err %v, want ErrOutcomeUnknown: the whole message had been handed over", err)
	}
	if errors.Is(err, jobpilot.ErrTransient) || !errors.Is(err, jobpilot.ErrPermanent) {
		t.Fatalf("err %v: an unknown outcome must be permanent, never transient (a retry would send it twice)", err)
	}
	if n := len(tr.Delivered()); n != 0 {
		t.Fatalf("%d messages recorded as delivered", n)
	}
}

// parsed is what a receiver sees in a message.
type parsed struct {
	header      netmail.Header
	body        string
	attachments map[string][]byte
}

// parse reads a multipart message as a mail client would.
func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the message does not parse: %v", err)
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
			return p
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		data, err := io.ReadAll(part) // quoted-printable is decoded by multipart
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
}

func decodeBase64(t *testing.T, data []byte) []byte {
	t.Helper()
	clean := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, string(data))
	out, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	return out
}
