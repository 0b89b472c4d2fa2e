package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/mail"
)

func smtpConfig(srv *fakesmtp.Server, tlsMode string) mail.Config {
	return mail.Config{Host: srv.Host(), Port: srv.Port(), TLS: tlsMode}
}

func newMailer(t *testing.T, cfg mail.Config, opts ...mail.Option) jobpilot.Mailer {
	t.Helper()
	m, err := mail.New(cfg, append([]mail.Option{mail.WithHELO("client.test")}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func TestSendDeliversAttachmentsAndMessageID(t *testing.T) {
	srv := fakesmtp.StartTest(t)
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	msg := testMessage(42)
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server recorded %d messages, want 1", len(got))
	}
	rec := got[0]
	if rec.MessageID != msg.MessageID {
		t.Errorf("Message-ID = %q, want %q", rec.MessageID, msg.MessageID)
	}
	if want := []string{"resume.pdf", "cover-letter.pdf"}; fmt.Sprint(rec.Attachments) != fmt.Sprint(want) {
		t.Errorf("attachments = %v, want %v", rec.Attachments, want)
	}
	if rec.MailFrom != msg.From || len(rec.RcptTo) != 1 || rec.RcptTo[0] != msg.To {
		t.Errorf("envelope = %s → %v", rec.MailFrom, rec.RcptTo)
	}
	if rec.Subject != msg.Subject {
		t.Errorf("subject = %q, want %q", rec.Subject, msg.Subject)
	}
	// The bytes the server got parse as the outbox's would, attachments intact.
	p := parseEML(t, bytes.NewReader(rec.Raw))
	for _, a := range msg.Attachments {
		if string(p.attachments[a.Filename]) != string(a.Data) {
			t.Errorf("attachment %s corrupted in transit", a.Filename)
		}
	}
	if !strings.Contains(p.body, "please find my resume") {
		t.Errorf("body %q", p.body)
	}
}

func TestSendFollowUpIsThreadedAndUsesSMTPFrom(t *testing.T) {
	srv := fakesmtp.StartTest(t)
	cfg := smtpConfig(srv, mail.TLSNone)
	cfg.From = "jobpilot@relay.example.net"
	m := newMailer(t, cfg)
	orig := jobpilot.MessageID(5, "candidate.example.org")
	msg := testMessage(5)
	msg.MessageID = jobpilot.FollowUpMessageID(5, "candidate.example.org")
	msg.InReplyTo = orig
	msg.Attachments = nil
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	rec := srv.Messages()[0]
	h := func(k string) string { return strings.Join(rec.Header[k], ",") }
	if h("In-Reply-To") != orig || h("References") != orig {
		t.Errorf("In-Reply-To %q References %q, want %q", h("In-Reply-To"), h("References"), orig)
	}
	if rec.MailFrom != cfg.From || !strings.Contains(h("From"), cfg.From) {
		t.Errorf("From = %q (envelope %q), want SMTP_FROM %q", h("From"), rec.MailFrom, cfg.From)
	}
	if !strings.Contains(h("Reply-To"), msg.From) {
		t.Errorf("Reply-To = %q, want the candidate %q", h("Reply-To"), msg.From)
	}
}

func TestSendClassifiesReplies(t *testing.T) {
	for _, tc := range []struct {
		spec      string
		transient bool
		code      int
		text      string
	}{
		{"421 always", true, 421, "421 4.3.0"},
		{"451 always", true, 451, "451"},
		{"550 always", false, 550, "550 5.1.1 mailbox unavailable"},
		{`554 "no thanks" always`, false, 554, "554 5.0.0 no thanks"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule(tc.spec)))
			err := newMailer(t, smtpConfig(srv, mail.TLSNone)).Send(context.Background(), testMessage(1))
			if err == nil {
				t.Fatal("Send succeeded against a refusing server")
			}
			if got := errors.Is(err, jobpilot.ErrTransient); got != tc.transient {
				t.Errorf("transient = %v, want %v (%v)", got, tc.transient, err)
			}
			if got := errors.Is(err, jobpilot.ErrPermanent); got == tc.transient {
				t.Errorf("permanent = %v, want %v (%v)", got, !tc.transient, err)
			}
			var re *mail.ReplyError
			if !errors.As(err, &re) || re.Code != tc.code {
				t.Errorf("ReplyError = %+v, want code %d", re, tc.code)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not keep the server's text %q", err, tc.text)
			}
			if errors.Is(err, mail.ErrOutcomeUnknown) {
				t.Error("a refusal is a known outcome")
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages recorded", n)
			}
		})
	}
}

func TestSendRetriedKeepsMessageIDAndArrivesOnce(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("first 2 attempts of each message 421")))
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	var errs []error
	for range 5 {
		err := m.Send(context.Background(), testMessage(9))
		errs = append(errs, err)
		if err == nil {
			break
		}
		if !errors.Is(err, jobpilot.ErrTransient) {
			t.Fatalf("attempt %d: %v is not transient", len(errs), err)
		}
	}
	if len(errs) != 3 || errs[2] != nil {
		t.Fatalf("attempts = %v, want 421, 421, accepted", errs)
	}
	id := jobpilot.MessageID(9, "candidate.example.org")
	if srv.Attempts(id) != 3 || len(srv.Messages()) != 1 || srv.Messages()[0].Attempt != 3 || srv.Duplicates() != 0 {
		t.Errorf("attempts %d, messages %d, duplicates %d", srv.Attempts(id), len(srv.Messages()), srv.Duplicates())
	}
}

func TestSendHangInDataEndsWithCtxAndIsNeverDelivered(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("hang in data")))
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := m.Send(ctx, testMessage(3))
	elapsed := time.Since(start)
	if elapsed > 2*time.Second {
		t.Errorf("Send took %v past a 150ms deadline", elapsed)
	}
	// The small message was written in full; only the reply is missing.
	if !errors.Is(err, mail.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown with the deadline", err)
	}
	if errors.Is(err, jobpilot.ErrTransient) || !errors.Is(err, jobpilot.ErrPermanent) {
		t.Errorf("an unknown outcome must not look retryable: %v", err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	st, werr := srv.WaitStats(wctx, func(s fakesmtp.Stats) bool { return s.HangsEnded == 1 })
	if werr != nil {
		t.Fatalf("the server never saw the client go away: %+v", st)
	}
	if st.Accepted != 0 || len(srv.Messages()) != 0 {
		t.Errorf("a timed-out message was recorded: %+v", st)
	}
}

func TestSendCutOffMidBodyIsKnownNotSent(t *testing.T) {
	// The server reads the headers and closes: the client is still writing
	// the body, its write fails first, so the final "." never left. The body
	// (5 MiB, about 7 MB once encoded) is larger than anything the socket
	// buffers can absorb (net.ipv4.tcp_wmem caps the send buffer at 4 MiB
	// by default), so the write really is still going when the reset comes;
	// with a smaller one the kernel could take the whole message before the
	// reset, and the client would rightly see only a lost reply.
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("drop in data")))
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	msg := testMessage(4)
	msg.Attachments[0].Data = bytes.Repeat([]byte("0123456789abcdef"), (5<<20)/16)
	err := m.Send(context.Background(), msg)
	if err == nil || errors.Is(err, mail.ErrOutcomeUnknown) || !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("err = %v, want Transient and a known outcome", err)
	}
	if st := srv.Stats(); st.Dropped != 1 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSendDropMidDataIsNeverSuccess(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("drop in data")))
	err := newMailer(t, smtpConfig(srv, mail.TLSNone)).Send(context.Background(), testMessage(6))
	switch {
	case err == nil:
		t.Fatal("Send reported success on a dropped connection")
	case errors.Is(err, mail.ErrOutcomeUnknown):
		// The whole message left before the drop: unknown, as it should be.
	case !errors.Is(err, jobpilot.ErrTransient):
		t.Fatalf("err = %v, want Transient or ErrOutcomeUnknown", err)
	}
	if st := srv.Stats(); st.Dropped != 1 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSendServerDownIsTransient(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("down from t=0s to t=1h")))
	err := newMailer(t, smtpConfig(srv, mail.TLSNone)).Send(context.Background(), testMessage(2))
	if !errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, mail.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want Transient", err)
	}
	if st := srv.Stats(); st.Refused != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A blind copy is an envelope recipient and never a header: the employer
// cannot see that the candidate copied themself.
func TestSendBlindCopy(t *testing.T) {
	srv := fakesmtp.StartTest(t)
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	msg := testMessage(43)
	msg.Bcc = []string{"ada.copy@example.org"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || fmt.Sprint(got[0].RcptTo) != fmt.Sprint([]string{msg.To, "ada.copy@example.org"}) {
		t.Fatalf("envelope recipients %v, want the employer and the copy", got[0].RcptTo)
	}
	if bytes.Contains(bytes.ToLower(got[0].Raw), []byte("bcc")) || bytes.Contains(got[0].Raw, []byte("ada.copy@")) {
		t.Errorf("the blind copy shows in the message:\n%s", got[0].Raw[:min(len(got[0].Raw), 800)])
	}
}

func TestSendRefusesHeaderInjectionBeforeConnecting(t *testing.T) {
	srv := fakesmtp.StartTest(t)
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	for _, tc := range []struct {
		field string
		edit  func(*jobpilot.Message)
	}{
		{"subject", func(m *jobpilot.Message) { m.Subject = "Hi\r\nBcc: all@example.com" }},
		{"subject", func(m *jobpilot.Message) { m.Subject = "Hi\nX-Injected: 1" }},
		{"from_name", func(m *jobpilot.Message) { m.FromName = "Ada\r\nBcc: all@example.com" }},
		{"to", func(m *jobpilot.Message) { m.To = "jobs@example.com\r\nBcc: all@example.com" }},
		{"to", func(m *jobpilot.Message) { m.To = "jobs@example.com, all@example.com" }},
		{"to", func(m *jobpilot.Message) { m.To = "Jobs <jobs@example.com>" }},
		{"from", func(m *jobpilot.Message) { m.From = "ada@example.org\nBcc: x@example.com" }},
		{"reply_to", func(m *jobpilot.Message) { m.ReplyTo = "a@example.org\r\n" }},
		{"bcc[0]", func(m *jobpilot.Message) { m.Bcc = []string{"me@example.org, all@example.com"} }},
		{"bcc[1]", func(m *jobpilot.Message) { m.Bcc = []string{"me@example.org", ""} }},
		{"message_id", func(m *jobpilot.Message) { m.MessageID = "<a@b>\r\nBcc: x@example.com" }},
		{"message_id", func(m *jobpilot.Message) { m.MessageID = "" }},
		{"in_reply_to", func(m *jobpilot.Message) { m.InReplyTo = "<a@b> <c@d>" }},
		{"references[0]", func(m *jobpilot.Message) { m.References = []string{"<a@b>\n"} }},
		{"attachments[0].filename", func(m *jobpilot.Message) { m.Attachments[0].Filename = "resume.pdf\r\nX-Evil: 1" }},
		{"attachments[1].filename", func(m *jobpilot.Message) { m.Attachments[1].Filename = `a".pdf` }},
		{"attachments[0].filename", func(m *jobpilot.Message) { m.Attachments[0].Filename = "../../etc/passwd" }},
		{"attachments[0].content_type", func(m *jobpilot.Message) { m.Attachments[0].ContentType = "application/pdf\r\nX: 1" }},
	} {
		msg := testMessage(11)
		tc.edit(msg)
		err := m.Send(context.Background(), msg)
		var de *jobpilot.Error
		if !errors.As(err, &de) || de.Code != jobpilot.EINVALID || de.Field != tc.field || !errors.Is(err, jobpilot.ErrPermanent) {
			t.Errorf("%s: err = %v, want a Permanent EINVALID on %s", tc.field, err, tc.field)
		}
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("refused messages opened %d connections", st.Connections)
	}
}

func tlsPair(t *testing.T) (*tls.Config, *tls.Config) {
	t.Helper()
	serverCfg, roots, err := fakesmtp.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	return serverCfg, &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

func TestSendTLSModesAndAuth(t *testing.T) {
	serverCfg, clientCfg := tlsPair(t)
	for _, tc := range []struct {
		name string
		mode string
		opt  fakesmtp.Option
	}{
		{"starttls", mail.TLSStartTLS, fakesmtp.WithTLS(serverCfg)},
		{"implicit", mail.TLSImplicit, fakesmtp.WithImplicitTLS(serverCfg)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakesmtp.StartTest(t, tc.opt, fakesmtp.WithAuth("ada", "s3cret"))
			cfg := smtpConfig(srv, tc.mode)
			cfg.Username, cfg.Password = "ada", "s3cret"
			if err := newMailer(t, cfg, mail.WithTLSConfig(clientCfg)).Send(context.Background(), testMessage(21)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			rec := srv.Messages()
			if len(rec) != 1 || !rec[0].TLS || rec[0].AuthUser != "ada" {
				t.Fatalf("recorded %+v, want one message over TLS authenticated as ada", rec)
			}

			// The configuration's faults, not the message's: neither
			// transient (a retry meets the same) nor permanent (no
			// application is failed for them).
			cfg.Password = "wrong"
			err := newMailer(t, cfg, mail.WithTLSConfig(clientCfg)).Send(context.Background(), testMessage(22))
			if !isMisconfigured(err) || !strings.Contains(err.Error(), "535") {
				t.Errorf("bad password: err = %v, want misconfigured 535", err)
			}

			cfg.Password = "s3cret"
			err = newMailer(t, cfg).Send(context.Background(), testMessage(23)) // system roots: self-signed is untrusted
			if !isMisconfigured(err) {
				t.Errorf("untrusted certificate: err = %v, want misconfigured", err)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%d messages recorded, want 1", n)
			}
		})
	}
}

func TestSendStartTLSIsMandatory(t *testing.T) {
	srv := fakesmtp.StartTest(t) // no TLS offered
	err := newMailer(t, smtpConfig(srv, mail.TLSStartTLS)).Send(context.Background(), testMessage(30))
	if !isMisconfigured(err) || len(srv.Messages()) != 0 {
		t.Fatalf("err = %v, want misconfigured and nothing sent in clear", err)
	}
}

// A server that offers only PLAIN over a connection without TLS cannot be
// authenticated with (the password would travel in clear), and one that
// wants authentication we were not configured for refuses MAIL FROM: both
// are configuration errors, never retried as if the server were away, and
// nothing is sent.
func TestSendWithoutUsableAuthIsMisconfigured(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithAuth("ada", "s3cret")) // AUTH PLAIN offered in clear
	cfg := smtpConfig(srv, mail.TLSNone)
	cfg.Username, cfg.Password = "ada", "s3cret"
	err := newMailer(t, cfg).Send(context.Background(), testMessage(31))
	if !isMisconfigured(err) || !strings.Contains(err.Error(), "SMTP_TLS") {
		t.Errorf("PLAIN over plaintext: err = %v, want misconfigured, naming SMTP_TLS", err)
	}
	cfg.Username, cfg.Password = "", ""
	err = newMailer(t, cfg).Send(context.Background(), testMessage(32))
	if !isMisconfigured(err) || !strings.Contains(err.Error(), "authenticate") {
		t.Errorf("no credentials for a server that wants them: err = %v, want misconfigured", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages recorded, want none", n)
	}
}

func isMisconfigured(err error) bool {
	return errors.Is(err, jobpilot.ErrMisconfigured) && !errors.Is(err, jobpilot.ErrTransient) && !errors.Is(err, jobpilot.ErrPermanent)
}

func TestNewValidatesConfig(t *testing.T) {
	for _, cfg := range []mail.Config{
		{},
		{Host: "mail.example.com", TLS: "ssl"},
		{Host: "mail.example.com", Port: 70000},
		{Host: "mail.example.com", From: "a@b.c\r\nBcc: x@y.z"},
	} {
		if _, err := mail.New(cfg); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("New(%+v) = %v, want EINVALID", cfg, err)
		}
	}
}

func TestConcurrentSends(t *testing.T) {
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("fail 30% with 421")), fakesmtp.WithSeed(7))
	m := newMailer(t, smtpConfig(srv, mail.TLSNone))
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := testMessage(int64(100 + i))
			for attempt := 1; ; attempt++ {
				err := m.Send(context.Background(), msg)
				if err == nil {
					return
				}
				if !errors.Is(err, jobpilot.ErrTransient) || attempt == 20 {
					t.Errorf("message %d attempt %d: %v", i, attempt, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := len(srv.Messages()); got != n || srv.Duplicates() != 0 {
		t.Errorf("messages %d, duplicates %d, want %d and 0", got, srv.Duplicates(), n)
	}
	total := 0
	for _, a := range srv.AllAttempts() {
		total += a
	}
	if st := srv.Stats(); total != st.Accepted+st.Rejected || st.Rejected == 0 {
		t.Errorf("attempts %d, stats %+v: want attempts = accepted + rejected and some 421s", total, st)
	}
}
