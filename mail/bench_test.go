package mail_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/mail"
)

// BenchmarkSMTPSend is one full SMTP transaction (connect, EHLO, MAIL, RCPT,
// DATA with two small PDFs, QUIT) against the in-process fake server.
func BenchmarkSMTPSend(b *testing.B) {
	srv := fakesmtp.StartTest(b)
	m, err := mail.New(smtpConfig(srv, mail.TLSNone), quiet, mail.WithHELO("bench.test"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := m.Send(ctx, testMessage(int64(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutboxSend writes one .eml (temp file, fsync, link).
func BenchmarkOutboxSend(b *testing.B) {
	box := mail.NewOutbox(b.TempDir(), quiet)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := box.Send(ctx, testMessage(int64(i))); err != nil {
			b.Fatal(fmt.Errorf("send %d: %w", i, err))
		}
	}
}
