package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/dbtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// anyPort is the HTTP_ADDR the serve tests give: the kernel picks a free
// port when serve binds it, and servingAddr reads which. A port the test
// picked beforehand and closed again could be taken by any socket of the
// tests beside it before serve, busy with its start-up, bound it (seen
// once under load: "bind: address already in use").
const anyPort = "127.0.0.1:0"

// servingAddr waits for serve's start-up line in log ("jobpilot serving"
// addr=…) and returns the address it names; serve exiting first (a value
// on done) fails the test.
func servingAddr(t *testing.T, log fmt.Stringer, done <-chan int) string {
	t.Helper()
	var addr string
	dbtest.Eventually(t, 2*time.Minute, "serve listening", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before listening; log:\n%s", code, log.String())
		default:
		}
		if m := servingLine.FindStringSubmatch(log.String()); m != nil {
			addr = m[1] + m[2]
		}
		return addr != ""
	})
	return addr
}

// servingLine finds the address in the text and the JSON log formats.
var servingLine = regexp.MustCompile(`msg="jobpilot serving" addr=(\S+)|"msg":"jobpilot serving","addr":"([^"]+)"`)

// serve runs as the service would: on SIGTERM (here: its context ends) it
// stops taking work, lets the engine stop within SHUTDOWN_GRACE and exits 0.
// On a fresh data directory it loads the examples and, because fetch and
// automation run at start-up, prepares their applications without waiting an
// interval.
func TestServeStartsHealthyAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{
		"JOBPILOT_DATA_DIR":  dir,
		"HTTP_ADDR":          anyPort,
		"SHUTDOWN_GRACE":     "5s",
		"JOBPILOT_API_TOKEN": "test-token-123-0123456789abcdefghij",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	addr := servingAddr(t, &stderr, done)

	// Healthy, and the example applications get prepared at start-up.
	deadline := time.Now().Add(2 * time.Minute)
	var health struct {
		Status    string `json:"status"`
		Scheduler struct {
			Running bool `json:"running"`
			Jobs    int  `json:"jobs"`
		} `json:"scheduler"`
		Database struct {
			OK bool `json:"ok"`
		} `json:"database"`
	}
	for {
		if time.Now().After(deadline) {
			t.Fatalf("serve never became healthy; log:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d; log:\n%s", code, stderr.String())
		default:
		}
		// The details (the number of jobs) need the token.
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/health", nil)
		req.Header.Set("Authorization", "Bearer test-token-123-0123456789abcdefghij")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if err == nil && health.Status == "healthy" && health.Scheduler.Running && health.Database.OK &&
				strings.Contains(stderr.String(), "application ready") {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if health.Scheduler.Jobs != 5 {
		t.Errorf("periodic jobs = %d, want 5 (fetch, automation, follow-ups, cleanup, the notification digest; no mailbox without IMAP_HOST)", health.Scheduler.Jobs)
	}

	// River UI is mounted behind the token and lists the start-up jobs. An
	// application can be ready while the start-up fetch still runs (it goes
	// on to its other sources), so the completed fetch is waited for.
	riverJobs := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/riverui/api/jobs?state=completed", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	if code, body := riverJobs(""); code != http.StatusUnauthorized {
		t.Errorf("River UI job list without a token: %d %.200s, want 401", code, body)
	}
	var code int
	var body string
	dbtest.Eventually(t, time.Minute, "River UI to list the completed start-up fetch", func() bool {
		code, body = riverJobs("test-token-123-0123456789abcdefghij")
		return code != http.StatusOK || strings.Contains(body, `"kind":"fetch_postings"`)
	})
	if code != http.StatusOK {
		t.Errorf("River UI job list with the token: %d %.200s, want 200", code, body)
	}

	cancel() // what SIGTERM does through signal.NotifyContext in main
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after shutdown; log:\n%s", code, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not stop after SIGTERM; log:\n%s", stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{"shutting down", "engine stopped", "jobpilot stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(log, "test-token-123-0123456789abcdefghij") {
		t.Error("the API token appeared in the log")
	}
	if _, err := filepath.Glob(filepath.Join(dir, "jobpilot.db")); err != nil {
		t.Fatal(err)
	}
}

// A second serve on the same data directory would share the first one's node
// identity and take its running jobs for orphans: it refuses to start. run
// is a node of its own and works beside it.
func TestSecondServeOnSameNodeRefusesToStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "HTTP_ADDR": anyPort, "JOBPILOT_API_TOKEN": "t-0123456789abcdefghijklmnopqrstuv"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, &first)
	}()
	servingAddr(t, &first, done)

	second := map[string]string{"JOBPILOT_DATA_DIR": dir, "HTTP_ADDR": anyPort, "JOBPILOT_API_TOKEN": "t-0123456789abcdefghijklmnopqrstuv"}
	code, _, errOut := runCLI(t, second, "serve")
	if code == 0 || !strings.Contains(errOut, "JOBPILOT_NODE_ID") {
		t.Fatalf("second serve: exit %d, %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, map[string]string{"JOBPILOT_DATA_DIR": dir}, "run"); code != 0 {
		t.Fatalf("run beside serve: exit %d\n%s\n%s", code, out, errOut)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("first serve exit %d:\n%s", code, first.String())
	}
}
