package system_test

import (
	"context"
	"crypto/tls"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/mail"
)

// tlsMailer builds the configured SMTP mailer trusting the fake server's
// certificate.
func tlsMailer(roots *tls.Config) func(t *testing.T, cfg *config.Config) jobpilot.Mailer {
	return func(t *testing.T, cfg *config.Config) jobpilot.Mailer {
		m, err := mail.New(system.MailConfig(cfg), mail.WithTLSConfig(roots.Clone()))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// waitPaused waits until every one of n applications is approved with its
// send job snoozed at least twice while the email breaker was paused (so
// the pause outlasted a recovery time without a probe), and checks what
// /health says meanwhile.
func (h *harness) waitPaused(n int, reason string) {
	h.t.Helper()
	ctx := context.Background()
	h.waitFor("the email breaker paused", 90*time.Second, func() bool {
		return h.sys.Health(ctx).CircuitBreakers["email"].Reason != ""
	})
	h.waitFor("every send job woken and snoozed again while paused", 90*time.Second, func() bool {
		js := h.sendJobs()
		if len(js) != n {
			return false
		}
		for _, j := range js {
			if j.Snoozes < 2 {
				return false
			}
		}
		return true
	})
	c := h.counts()
	if c[jobpilot.StatusApproved] != n || c[jobpilot.StatusFailed] != 0 {
		h.t.Fatalf("status counts %v, want all %d approved and none failed", c, n)
	}
	for _, j := range h.sendJobs() {
		if j.State == "cancelled" || j.State == "discarded" || j.State == "completed" {
			h.t.Errorf("send job %d ended %s while paused, want it waiting", j.ID, j.State)
		}
	}
	health := h.sys.Health(ctx)
	email := health.CircuitBreakers["email"]
	if health.Status != jobpilot.HealthDegraded || email.State != jobpilot.BreakerOpen || !strings.Contains(email.Reason, reason) {
		h.t.Errorf("health %s, email breaker %+v; want degraded, open, with a reason naming %q", health.Status, email, reason)
	}
	for _, app := range h.apps() {
		if app.Attempts > 1 {
			h.t.Errorf("application %d: %d send attempts, want at most one before the pause", app.ID, app.Attempts)
		}
	}
	if r := h.resEvents("email", "retry"); len(r) != 0 {
		h.t.Errorf("a configuration error was retried: %+v", r)
	}
	if len(h.smtp.Messages()) != 0 {
		h.t.Errorf("messages were accepted while paused")
	}
}

// The stability guide's "handles authentication failures": a mail server
// refusing the password (535) pauses sending instead of failing every queued
// application after one attempt. The email breaker is held open with the
// server's reply as its reason (in /health), no probe is made with the same
// password, the applications stay approved, and once the password is fixed
// and the service restarted each is sent exactly once.
func TestSMTPAuthFailurePausesSending(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		serverTLS, roots, err := fakesmtp.SelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		clientTLS := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		const n = 3
		h := newHarness(t, harnessOpts{
			db: b, postings: n,
			smtpOpts: []fakesmtp.Option{fakesmtp.WithTLS(serverTLS), fakesmtp.WithAuth("ada", "s3cret")},
			env:      map[string]string{"SMTP_TLS": "starttls", "SMTP_USERNAME": "ada", "SMTP_PASSWORD": "wrong"},
			mailer:   tlsMailer(clientTLS),
		})
		h.automate()
		h.waitPaused(n, "535")
		// Those that met the server record its reply; the others waited
		// on the paused breaker without an attempt.
		refused := 0
		for _, app := range h.apps() {
			switch {
			case strings.Contains(app.Error, "535"):
				refused++
			case app.Error != "" || app.Attempts != 0:
				t.Errorf("application %d: error %q after %d attempts, want the server's 535 or no attempt", app.ID, app.Error, app.Attempts)
			}
		}
		if refused == 0 {
			t.Errorf("no application records the server's 535")
		}
		connections := h.smtp.Stats().Connections

		// The password is fixed and the service restarted.
		ctx := context.Background()
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := h.sys.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		h.sys.Close()
		if c := h.smtp.Stats().Connections; c != connections {
			t.Errorf("%d connections while paused, want none after the first %d", c-connections, connections)
		}
		fixed := *h.cfg
		fixed.SMTP.Password = "s3cret"
		sys, err := system.Open(ctx, &fixed, system.Options{Logger: quietLogger(), FastStart: true, Mailer: tlsMailer(clientTLS)(t, &fixed)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			sys.Stop(stopCtx)
			sys.Close()
		})
		if err := sys.Start(ctx); err != nil {
			t.Fatal(err)
		}
		h.sys = sys
		h.waitStatus(n, 90*time.Second, jobpilot.StatusSent)
		for _, app := range h.apps() {
			if got := messagesFor(h.smtp, msgID(app.ID)); len(got) != 1 || got[0].AuthUser != "ada" {
				t.Errorf("application %d: %d messages arrived (%+v), want exactly one, authenticated", app.ID, len(got), got)
			}
		}
	})
}

// A server that offers only PLAIN over a connection without TLS is a
// configuration error too: before, it was retried for ever as if the server
// were away. Sending pauses at once, and after the configuration is fixed
// (here: another server) a reset of the breaker sends every application,
// once, without a restart.
func TestSMTPPlainAuthInClearPausesUntilReset(t *testing.T) {
	t.Parallel()
	var current atomic.Pointer[jobpilot.Mailer]
	h := newHarness(t, harnessOpts{
		postings: 2,
		smtpOpts: []fakesmtp.Option{fakesmtp.WithAuth("ada", "s3cret")},
		env:      map[string]string{"SMTP_USERNAME": "ada", "SMTP_PASSWORD": "s3cret"},
		mailer: func(t *testing.T, cfg *config.Config) jobpilot.Mailer {
			m, err := mail.New(system.MailConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			current.Store(&m)
			return switchMailer{&current}
		},
	})
	h.automate()
	h.waitPaused(2, "SMTP_TLS")
	if c := h.smtp.Stats().Connections; c > 2 {
		t.Errorf("%d connections to a server we cannot authenticate with, want at most one per application", c)
	}

	fixedSrv := fakesmtp.StartTest(t)
	m, err := mail.New(mail.Config{Host: fixedSrv.Host(), Port: fixedSrv.Port(), TLS: mail.TLSNone, From: h.cfg.SMTP.From})
	if err != nil {
		t.Fatal(err)
	}
	current.Store(&m)
	if err := h.sys.Resilience.Breakers.Reset("email"); err != nil {
		t.Fatal(err)
	}
	if r := h.sys.Health(context.Background()).CircuitBreakers["email"]; r.State != jobpilot.BreakerClosed || r.Reason != "" {
		t.Errorf("email breaker after the reset: %+v, want closed without a reason", r)
	}
	h.waitStatus(2, 90*time.Second, jobpilot.StatusSent)
	for _, app := range h.apps() {
		if got := messagesFor(fixedSrv, msgID(app.ID)); len(got) != 1 {
			t.Errorf("application %d: %d messages arrived, want exactly one", app.ID, len(got))
		}
	}
}

// A failed application can be sent again by the candidate: Retry brings it
// back to review with its documents (failed → ready), approving it queues
// the send, and it goes out once.
func TestFailedSendCanBeRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{schedule: `first 1 attempt of each message 550 "5.1.1 mailbox unavailable"`})
	h.automate()
	h.waitStatus(1, 90*time.Second, jobpilot.StatusFailed, jobpilot.StatusSent)
	app := h.apps()[0]
	if app.Status != jobpilot.StatusFailed {
		t.Fatalf("status %s, want failed", app.Status)
	}
	// The send job that failed it has finished (a send still queued would
	// make the retry's own a duplicate).
	h.waitFor("the send job to be finalized", 90*time.Second, func() bool {
		js := h.sendJobs()
		return len(js) == 1 && (js[0].State == "cancelled" || js[0].State == "completed")
	})
	got, err := h.sys.Apply.Retry(context.Background(), app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != jobpilot.StatusReady {
		t.Fatalf("after the retry: %s, want ready (its documents kept)", got.Status)
	}
	if got, err = h.sys.Apply.Approve(context.Background(), app.ID); err != nil || got.Status != jobpilot.StatusApproved {
		t.Fatalf("approve after the retry: %v, %v", got, err)
	}
	h.waitStatus(1, 90*time.Second, jobpilot.StatusSent)
	if m := messagesFor(h.smtp, msgID(app.ID)); len(m) != 1 || m[0].Attempt != 2 {
		t.Errorf("%d messages (%+v), want one, accepted on the second attempt", len(m), m)
	}
	if _, err := h.sys.Apply.Retry(context.Background(), app.ID); jobpilot.ErrorCode(err) != jobpilot.ECONFLICT {
		t.Errorf("retrying a sent application: %v, want ECONFLICT", err)
	}
}

// switchMailer sends through whichever mailer is current.
type switchMailer struct {
	current *atomic.Pointer[jobpilot.Mailer]
}

func (s switchMailer) Send(ctx context.Context, m *jobpilot.Message) error {
	return (*s.current.Load()).Send(ctx, m)
}
