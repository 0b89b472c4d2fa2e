package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/mail"
)

var quiet = mail.WithLogger(slog.New(slog.DiscardHandler))

// With no SMTP server configured, mail goes to the outbox as .eml files
// named from the Message-ID; sending the same message again changes nothing.
func ExampleNewOutbox() {
	dataDir, _ := os.MkdirTemp("", "jobpilot-example-")
	defer os.RemoveAll(dataDir)
	box := mail.NewOutbox(mail.OutboxDir(dataDir), quiet)

	msg := &jobpilot.Message{
		MessageID: jobpilot.MessageID(7, "example.org"),
		From:      "ada@example.org",
		To:        "jobs@example.com",
		Subject:   "Application: Go engineer",
		Body:      "Resume attached.",
		Attachments: []jobpilot.Attachment{
			{Filename: "resume.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")},
		},
	}
	for range 2 {
		if err := box.Send(context.Background(), msg); err != nil {
			fmt.Println(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(mail.OutboxDir(dataDir), "*.eml"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output: application-7@example.org.eml
}

// A server that answers 421 gives a transient error (retry later); a 550
// gives a permanent one that keeps the server's text.
func ExampleSMTP_Send_errorClasses() {
	for _, spec := range []string{"421 always", "550 always"} {
		srv, _ := fakesmtp.Start("127.0.0.1:0", "", fakesmtp.WithSchedule(fakesmtp.MustParseSchedule(spec)))
		m, _ := mail.New(mail.Config{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone}, quiet)
		err := m.Send(context.Background(), &jobpilot.Message{
			MessageID: "<application-1@example.org>", From: "ada@example.org", To: "jobs@example.com",
			Subject: "Application", Body: "Hello",
		})
		var reply *mail.ReplyError
		errors.As(err, &reply)
		fmt.Printf("%s: transient=%v permanent=%v reply=%q\n", spec,
			errors.Is(err, jobpilot.ErrTransient), errors.Is(err, jobpilot.ErrPermanent), reply.Text)
		srv.Close()
	}
	// Output:
	// 421 always: transient=true permanent=false reply="421 4.3.0 service not available, try again later (fakesmtp)"
	// 550 always: transient=false permanent=true reply="550 5.1.1 mailbox unavailable"
}

// A subject carrying a line break is refused before any connection.
func ExampleValidate() {
	err := mail.Validate(&jobpilot.Message{
		MessageID: "<application-1@example.org>", To: "jobs@example.com",
		Subject: "Hello\r\nBcc: everyone@example.com",
	})
	fmt.Println(jobpilot.ErrorCode(err), errors.Is(err, jobpilot.ErrPermanent))
	fmt.Println(err)
	// Output:
	// invalid true
	// subject: must not contain line breaks or control characters
}
