package system_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/store"
)

// TestUndoWindowSurvivesSIGKILL: two applications are approved with the
// real binary, then `serve` is killed with SIGKILL inside their undo window
// (SEND_DELAY). After a restart neither has been sent early; one is
// cancelled with `jobpilot cancel` and never sent, the other goes out
// exactly once, no earlier than its SendAfter.
func TestUndoWindowSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := jobpilotBinary(t)
	srv := fakesmtp.StartTest(t)
	dir := t.TempDir()
	const delay = 20 * time.Second
	env := append(os.Environ(),
		"JOBPILOT_DATA_DIR="+dir,
		"SMTP_HOST="+srv.Host(),
		"SMTP_PORT="+strconv.Itoa(srv.Port()),
		"SMTP_TLS=none",
		"SMTP_FROM=jobs@example.com",
		"SEND_DELAY="+delay.String(),
		"JOBPILOT_EXAMPLES=true",
		"JOBPILOT_NODE_ID=undo-kill-test",
		"SHUTDOWN_GRACE=2",
	)
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("jobpilot %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		// A port of the kernel's choosing: one picked beforehand could be
		// taken by another test's socket before serve binds it.
		cmd.Env = append(env, "HTTP_ADDR=127.0.0.1:0")
		if os.Getenv("SYSTEM_TEST_LOG") != "" {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	db, err := store.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(dir, "jobpilot.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ready := func() []*jobpilot.Application {
		apps, err := db.Applications(context.Background(), jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady}})
		if err != nil {
			return nil // the first serve may still be migrating
		}
		var out []*jobpilot.Application
		for _, a := range apps {
			if a.ApplyVia == jobpilot.ApplyViaEmail {
				out = append(out, a)
			}
		}
		return out
	}
	app := func(id int64) *jobpilot.Application {
		a, err := db.Application(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	first := serve()
	var apps []*jobpilot.Application
	dbtest.Eventually(t, 60*time.Second, "two ready applications by email", func() bool { apps = ready(); return len(apps) >= 2 })
	keep, undo := apps[0], apps[1]
	cli("approve", strconv.FormatInt(keep.ID, 10), strconv.FormatInt(undo.ID, 10))
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	sendAfter := *app(keep.ID).SendAfter
	if time.Now().After(sendAfter) {
		t.Fatalf("the kill came after the window (%s): the machine is too slow for this test", sendAfter)
	}

	second := serve()
	t.Cleanup(func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = second.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			_ = second.Process.Kill()
			<-done
		}
	})
	// Cancellable after the restart, inside the window.
	if out := cli("cancel", strconv.FormatInt(undo.ID, 10)); !strings.Contains(out, "nothing was sent") {
		t.Fatalf("cancel: %s", out)
	}
	if n := len(srv.Messages()); n != 0 || time.Now().After(sendAfter) {
		t.Fatalf("%d messages before the window closed (at %s)", n, sendAfter)
	}
	if a := app(keep.ID); a.Status != jobpilot.StatusApproved {
		t.Fatalf("the approved application is %s after the restart, want approved", a.Status)
	}

	dbtest.Eventually(t, delay+60*time.Second, "the kept application sent", func() bool { return app(keep.ID).Status == jobpilot.StatusSent })
	msgs := messagesFor(srv, msgID(keep.ID))
	if len(msgs) != 1 || msgs[0].ReceivedAt.Before(sendAfter) {
		t.Fatalf("kept application: %d messages (%v), want 1 received after %s", len(msgs), msgs, sendAfter)
	}
	if a := app(undo.ID); a.Status != jobpilot.StatusReady || len(messagesFor(srv, msgID(undo.ID))) != 0 {
		t.Fatalf("cancelled application: %s with %d messages", a.Status, len(messagesFor(srv, msgID(undo.ID))))
	}
	if d := srv.Duplicates(); d != 0 {
		t.Errorf("%d duplicates", d)
	}
	t.Logf("undo window across SIGKILL: sent %s after the window closed, the cancelled one never", msgs[0].ReceivedAt.Sub(sendAfter).Round(time.Millisecond))
}
