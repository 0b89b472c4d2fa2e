package system_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakeimap"
)

// TestNotifications: an interview reply read from the mailbox is told at
// once on the webhook; the digest lists what needs the candidate (the
// application ready for review, the reply, the bounce) by webhook and by
// email; a channel that fails is recorded and holds nothing up.
func TestNotifications(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, db dbtest.Backend) {
		ctx := context.Background()
		notices := make(chan jobpilot.Notice, 10)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var n jobpilot.Notice
			b, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(b, &n); err != nil {
				t.Errorf("webhook body %q: %v", b, err)
			}
			notices <- n
		}))
		defer hook.Close()
		broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
		defer broken.Close()
		mb := fakeimap.StartTest(t)
		h := newHarness(t, harnessOpts{db: db, postings: 3, mode: "review", mailbox: mb,
			env: map[string]string{"NOTIFY_WEBHOOK_URL": hook.URL, "NOTIFY_NTFY_URL": broken.URL + "/topic"}})
		h.automate()
		h.waitStatus(3, 90*time.Second, jobpilot.StatusReady)
		apps := h.apps()
		for _, a := range apps[:2] {
			if _, err := h.sys.Apply.Approve(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		h.waitStatus(2, 90*time.Second, jobpilot.StatusSent)
		invited, bounced, ready := apps[0], apps[1], apps[2]
		for _, raw := range [][]byte{
			reply("hiring1@example.com", msgID(invited.ID), "Next steps", "Hi Lena, could we schedule a call with the team next week?\n", time.Now(), nil),
			dsn("hiring2@example.com", msgID(bounced.ID), time.Now()),
		} {
			if err := mb.Append(ctx, "INBOX", raw); err != nil {
				t.Fatal(err)
			}
		}
		readMailbox(t, h)

		select {
		case n := <-notices:
			if n.Kind != jobpilot.NoticeInterview || len(n.Items) != 1 || n.Items[0].ApplicationID != invited.ID ||
				!strings.Contains(n.Items[0].Text, `hiring1@example.com wrote "Next steps"`) {
				t.Errorf("interview notice %+v", n)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("no interview notice within 30 s")
		}

		if err := h.sys.Apply.NotifyDigest(ctx, jobpilot.Task{Kind: jobpilot.TaskNotifyDigest}); err != nil {
			t.Fatalf("a failing channel failed the digest: %v", err)
		}
		var digest jobpilot.Notice
		select {
		case digest = <-notices:
		case <-time.After(2 * time.Minute):
			t.Fatal("no digest on the webhook")
		}
		kinds := map[int64]string{}
		for _, it := range digest.Items {
			kinds[it.ApplicationID] = it.Kind
		}
		if digest.Kind != jobpilot.NoticeDigest || len(digest.Items) != 3 || kinds[ready.ID] != "ready" || kinds[invited.ID] != "reply" || kinds[bounced.ID] != "bounce" {
			t.Errorf("digest %+v: want the ready, the reply and the bounce", digest)
		}
		var mailed bool
		for _, m := range h.smtp.Messages() {
			body, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(m.Raw)))
			if m.Subject == "jobpilot: 3 thing(s) need you" && m.RcptTo[0] == candidateEmail &&
				strings.Contains(string(body), "is ready for review") && strings.Contains(string(body), "bounced: 5.1.1") {
				mailed = true
			}
		}
		if !mailed {
			for _, m := range h.smtp.Messages() {
				t.Logf("%s %v", m.Subject, m.RcptTo)
			}
			if evs, err := h.sys.Store.Events(ctx, jobpilot.EventFilter{Kinds: []string{jobpilot.EventError}, Limit: 50}); err == nil {
				for _, e := range evs {
					t.Logf("error event: %s", e.Message)
				}
			}
			t.Errorf("no digest email to the candidate among %d messages", len(h.smtp.Messages()))
		}
		evs, err := h.sys.Store.Events(ctx, jobpilot.EventFilter{Kinds: []string{jobpilot.EventError}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var recorded bool
		for _, e := range evs {
			recorded = recorded || strings.Contains(e.Message, "digest notification via ntfy not delivered")
		}
		if !recorded {
			t.Errorf("the failing ntfy channel left no event")
		}

		// A second digest has only what is still waiting: the ready application.
		if err := h.sys.Apply.NotifyDigest(ctx, jobpilot.Task{Kind: jobpilot.TaskNotifyDigest}); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-notices:
			if len(n.Items) != 1 || n.Items[0].ApplicationID != ready.ID {
				t.Errorf("second digest %+v: want only the ready application", n)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("no second digest")
		}
	})
}
