package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/mail"
	"github.com/jobpilot/jobpilot/notify"
)

type request struct {
	header http.Header
	body   string
}

// server records each request and answers with the next status (200 when
// none is left).
func server(t *testing.T, statuses ...int) (*httptest.Server, chan request) {
	got := make(chan request, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{header: r.Header.Clone(), body: string(b)}
		if len(statuses) > 0 {
			w.WriteHeader(statuses[0])
			statuses = statuses[1:]
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func notice() *jobpilot.Notice {
	return &jobpilot.Notice{Kind: jobpilot.NoticeInterview, ProfileID: 1, To: "lena@example.com", Title: "Interview invitation",
		Items:     []jobpilot.NoticeItem{{Kind: "interview", ApplicationID: 7, Text: "Backend Engineer at Acme (application 7): an interview"}},
		CreatedAt: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}
}

func only(t *testing.T, cfg notify.Config, name string) jobpilot.Notifier {
	t.Helper()
	chs := notify.Channels(cfg, notify.Builtin())
	if len(chs) != 1 || chs[0].Name() != name {
		t.Fatalf("channels %v, want only %s", chs, name)
	}
	return chs[0]
}

// The webhook gets the notice as JSON; ntfy gets the text with a title and
// a high priority for an interview; the email channel writes to the
// candidate through the mailer. 5xx is transient, 4xx permanent.
func TestChannels(t *testing.T) {
	ctx := context.Background()
	t.Run("webhook", func(t *testing.T) {
		srv, got := server(t, 200, 503, 400)
		ch := only(t, notify.Config{WebhookURL: srv.URL + "/hook"}, "webhook")
		if err := ch.Notify(ctx, notice()); err != nil {
			t.Fatal(err)
		}
		r := <-got
		var n jobpilot.Notice
		if err := json.Unmarshal([]byte(r.body), &n); err != nil || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("body %q (%v), content type %q", r.body, err, r.header.Get("Content-Type"))
		}
		if n.Kind != "interview" || len(n.Items) != 1 || n.Items[0].ApplicationID != 7 || strings.Contains(r.body, "lena@example.com") {
			t.Errorf("notice %+v (the address stays out of the payload)", n)
		}
		if err := ch.Notify(ctx, notice()); !errors.Is(err, jobpilot.ErrTransient) {
			t.Errorf("503: %v, want transient", err)
		}
		if err := ch.Notify(ctx, notice()); !errors.Is(err, jobpilot.ErrPermanent) {
			t.Errorf("400: %v, want permanent", err)
		}
	})
	t.Run("ntfy", func(t *testing.T) {
		srv, got := server(t)
		ch := only(t, notify.Config{NtfyURL: srv.URL + "/jobpilot-topic"}, "ntfy")
		if err := ch.Notify(ctx, notice()); err != nil {
			t.Fatal(err)
		}
		r := <-got
		if r.header.Get("Title") != "Interview invitation" || r.header.Get("Priority") != "high" ||
			r.body != "- Backend Engineer at Acme (application 7): an interview\n" {
			t.Errorf("ntfy request: %v %q", r.header, r.body)
		}
	})
	t.Run("email", func(t *testing.T) {
		smtp := fakesmtp.StartTest(t)
		m, err := mail.New(mail.Config{Host: smtp.Host(), Port: smtp.Port(), TLS: mail.TLSNone})
		if err != nil {
			t.Fatal(err)
		}
		ch := only(t, notify.Config{Email: true, Mailer: m, From: "jobs@example.com"}, "email")
		if err := ch.Notify(ctx, notice()); err != nil {
			t.Fatal(err)
		}
		msgs := smtp.Messages()
		if len(msgs) != 1 || msgs[0].RcptTo[0] != "lena@example.com" || msgs[0].Subject != "jobpilot: Interview invitation" ||
			!strings.Contains(string(msgs[0].Raw), "Backend Engineer at Acme (application 7)") {
			t.Fatalf("email %+v", msgs)
		}
		n := notice()
		n.To = ""
		if err := ch.Notify(ctx, n); err != nil || len(smtp.Messages()) != 1 {
			t.Errorf("a profile without an address: %v, %d messages", err, len(smtp.Messages()))
		}
	})
	if chs := notify.Channels(notify.Config{}, notify.Builtin()); len(chs) != 0 {
		t.Errorf("nothing configured gives %d channels", len(chs))
	}
}
