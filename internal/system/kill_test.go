package system_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/store"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// jobpilotBinary builds the real binary once per test process, only for the
// tests that need it (a warm build cache makes it a link step).
func jobpilotBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jobpilot-system-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "jobpilot")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/jobpilot/jobpilot/cmd/jobpilot").CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("%s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("building jobpilot: %v", binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := dbtest.ParallelWaits(m)
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// TestKillDuringData: kill -9 of a serve process while the mail server
// stalls in DATA, then a restart: the interrupted application ends
// needs_review with no message ever accepted for it, and every other
// application is sent exactly once.
func TestKillDuringData(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := jobpilotBinary(t)
	srv := fakesmtp.StartTest(t, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("hang in data")))
	dir := t.TempDir()
	env := append(os.Environ(),
		"JOBPILOT_DATA_DIR="+dir,
		"APPLY_MODE=direct",
		"SMTP_HOST="+srv.Host(),
		"SMTP_PORT="+strconv.Itoa(srv.Port()),
		"SMTP_TLS=none",
		"SMTP_FROM=jobs@example.com",
		"JOBPILOT_TIME_SCALE=0.01",
		"EMAIL_TIMEOUT=3000", // 30 s scaled: the kill comes first
		"WORKERS=1",          // one send at a time: exactly one is in DATA at the kill
		"JOBPILOT_EXAMPLES=true",
		"JOBPILOT_NODE_ID=kill-test",
		"SHUTDOWN_GRACE=2",
	)
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

	first := serve()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if st, err := srv.WaitStats(ctx, func(s fakesmtp.Stats) bool { return s.Hung >= 1 }); err != nil {
		_ = first.Process.Kill()
		_ = first.Wait()
		t.Fatalf("the server never stalled in DATA: %+v", st)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	hung := srv.AllAttempts() // the Message-IDs that reached DATA before the kill
	if len(hung) != 1 {
		t.Fatalf("%d messages reached DATA before the kill, want 1: %v", len(hung), hung)
	}
	srv.SetSchedule(fakesmtp.MustParseSchedule("accept"))

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

	db, err := store.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(dir, "jobpilot.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var apps []*jobpilot.Application
	deadline := time.Now().Add(2 * time.Minute)
	for {
		apps, err = db.Applications(context.Background(), jobpilot.ApplicationFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		settled := len(apps) > 0
		for _, a := range apps {
			if a.ApplyVia == jobpilot.ApplyViaEmail && !a.Status.Settled() {
				settled = false
			}
		}
		if settled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("applications not settled after the restart: %+v", apps)
		}
		time.Sleep(50 * time.Millisecond)
	}

	var review, sent int
	for _, a := range apps {
		if a.ApplyVia != jobpilot.ApplyViaEmail || a.Status == jobpilot.StatusSkipped {
			continue
		}
		id := msgID(a.ID)
		got := len(messagesFor(srv, id))
		if _, wasHung := hung[id]; wasHung {
			review++
			if a.Status != jobpilot.StatusNeedsReview || got != 0 {
				t.Errorf("interrupted application %d: %s with %d messages accepted, want needs_review and none", a.ID, a.Status, got)
			}
			continue
		}
		sent++
		if a.Status != jobpilot.StatusSent || got != 1 {
			t.Errorf("application %d: %s with %d messages, want sent exactly once", a.ID, a.Status, got)
		}
	}
	if review != 1 || sent == 0 {
		t.Errorf("%d needs_review and %d sent; want 1 and the rest", review, sent)
	}
	if d := srv.Duplicates(); d != 0 {
		t.Errorf("%d duplicates", d)
	}
	t.Logf("kill during DATA: 1 interrupted → needs_review, %d sent once; server %+v", sent, srv.Stats())
}
