package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// `jobpilot version` and /health show one version: the string the linker's
// -X sets on jobpilot.Version. The binary is built the way a release is.
func TestVersionAndHealthAgree(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const want = "v9.8.7-agree"
	bin := filepath.Join(t.TempDir(), "jobpilot")
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X github.com/jobpilot/jobpilot.Version="+want, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); first != "jobpilot "+want {
		t.Errorf("jobpilot version: %q, want %q", first, "jobpilot "+want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "serve")
	serve.Env = []string{"JOBPILOT_DATA_DIR=" + t.TempDir(), "HTTP_ADDR=" + anyPort, "JOBPILOT_API_TOKEN=version-test-token-0123456789abcdef",
		"JOBPILOT_EXAMPLES=off", "SHUTDOWN_GRACE=1s"}
	var logs lockedBuffer
	serve.Stderr = &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { _ = serve.Wait(); done <- serve.ProcessState.ExitCode() }()
	defer func() { cancel(); <-done }()
	addr := servingAddr(t, &logs, done)
	var health struct {
		Version string `json:"version"`
	}
	for health.Version == "" {
		if ctx.Err() != nil {
			t.Fatalf("no /health answer; log:\n%s", logs.String())
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/health", nil)
		req.Header.Set("Authorization", "Bearer version-test-token-0123456789abcdef")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
		}
		if health.Version == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if health.Version != want {
		t.Errorf("/health version %q, want %q", health.Version, want)
	}
}

// Without -X, the command prints jobpilot.Version, which comes from the
// build information (never a hard-coded "0.1.0-dev").
func TestVersionWithoutLinkerFlag(t *testing.T) {
	t.Parallel()
	_, out, _ := runCLI(t, nil, "version")
	if first, _, _ := strings.Cut(out, "\n"); first != "jobpilot "+jobpilot.Version || strings.Contains(out, "0.1.0-dev") {
		t.Errorf("version prints %q; jobpilot.Version is %q", first, jobpilot.Version)
	}
}
