package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/store"
)

// runSummary parses the summary table of `jobpilot run`: a header line
// starting with "postings" and one row of numbers.
func runSummary(t *testing.T, stdout string) map[string]int {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "postings") || i+1 >= len(lines) {
			continue
		}
		cols := []string{"postings", "matched", "skipped", "ready", "sent", "failed", "needs_review"}
		vals := strings.Fields(lines[i+1])
		if len(vals) != len(cols) {
			t.Fatalf("summary row %q has %d values, want %d", lines[i+1], len(vals), len(cols))
		}
		out := map[string]int{}
		for j, c := range cols {
			n, err := strconv.Atoi(vals[j])
			if err != nil {
				t.Fatalf("summary row %q: %v", lines[i+1], err)
			}
			out[c] = n
		}
		return out
	}
	t.Fatalf("no summary table in:\n%s", stdout)
	return nil
}

// runCLIConcurrent is runCLI with goroutine-safe output buffers: the
// engine's workers log warnings (here: many failed LLM calls at once) while
// the command writes its progress, and bytes.Buffer is not safe for that.
func runCLIConcurrent(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut lockedBuffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func openDB(t *testing.T, dir string) jobpilot.Store {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(dir, "jobpilot.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The summary table tells the truth (each number is the database's), every
// stage shows its progress bar. How long the main job takes is a figure
// (TestRunMainJob logs it, BENCHMARKS.md records it), not an assertion: a
// loaded machine took 72 s for what an idle one does in 3.
func TestRunSummaryMatchesTheDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runCLIConcurrent(t, map[string]string{"JOBPILOT_DATA_DIR": dir, "APPLY_MODE": "direct", "JOBPILOT_NODE_ID": "run-summary"}, "run")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	got := runSummary(t, stdout)
	// Not a terminal: plain progress lines, no bar redrawn with carriage
	// returns.
	for _, stage := range []string{"match", "draft", "send"} {
		if !regexp.MustCompile(`(?m)^` + stage + `: \d+/\d+ done$`).MatchString(stderr) {
			t.Errorf("no progress line for the %s stage in:\n%s", stage, stderr)
		}
	}
	if strings.Contains(stderr, "\r") || strings.Contains(stderr, "█") {
		t.Errorf("a progress bar was drawn into a file:\n%q", stderr)
	}

	db := openDB(t, dir)
	ctx := context.Background()
	counts, err := db.CountByStatus(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	posts, err := db.Postings(ctx, jobpilot.PostingFilter{OpenOnly: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	all := 0
	for _, n := range counts {
		all += n
	}
	want := map[string]int{
		"postings": len(posts), "matched": all - counts[jobpilot.StatusSkipped], "skipped": counts[jobpilot.StatusSkipped],
		"ready": counts[jobpilot.StatusReady], "sent": counts[jobpilot.StatusSent], "failed": counts[jobpilot.StatusFailed],
		"needs_review": counts[jobpilot.StatusNeedsReview],
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("summary %s = %d, the database says %d (summary %v, counts %v)", k, got[k], v, got, counts)
		}
	}
	if got["sent"] == 0 || got["ready"] == 0 || got["skipped"] == 0 {
		t.Errorf("summary %v: the examples should give sent, ready and skipped applications", got)
	}
}

// A posting that fails (here: the LLM answers run's check, then rejects
// every completion as a bad request, a permanent error) is counted in the
// table; it is not an operational failure of the command. (A refused key
// would not do: it pauses drafting instead, see
// TestRunStopsWaitingOnAPausedBreaker.)
func TestRunFailedPostingsExitZero(t *testing.T) {
	t.Parallel()
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answerModels(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"message":"Invalid value for 'messages'","type":"invalid_request_error","code":null}}`))
	}))
	defer llm.Close()
	dir := t.TempDir()
	code, stdout, stderr := runCLIConcurrent(t, map[string]string{
		"JOBPILOT_DATA_DIR": dir, "JOBPILOT_NODE_ID": "run-failed",
		"OPENAI_API_KEY": "sk-wrong", "OPENAI_BASE_URL": llm.URL + "/v1",
	}, "run")
	if code != 0 {
		t.Fatalf("exit %d for failed postings, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	got := runSummary(t, stdout)
	if got["failed"] == 0 || got["failed"] != got["matched"] || got["ready"] != 0 {
		t.Errorf("summary %v: want every matched application failed", got)
	}
}

// An operational failure (the database cannot be reached) exits non-zero.
func TestRunOperationalFailureExitsNonZero(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLIConcurrent(t, map[string]string{
		"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_NODE_ID": "run-nodb",
		"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
	}, "run")
	if code == 0 {
		t.Fatal("exit 0 with an unreachable database")
	}
	if !strings.Contains(stderr, "database") {
		t.Errorf("the error does not say what failed: %s", stderr)
	}
}

// An LLM that goes down after run's check opens the shared breaker and
// holds the drafts; run does not wait for it past --wait: it prints the
// summary, says what is still queued, and exits 0 — the work is durable and
// serve finishes it.
func TestRunStopsWaitingAfterWait(t *testing.T) {
	t.Parallel()
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answerModels(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"message":"overloaded","type":"server_error"}}`))
	}))
	defer llm.Close()
	start := time.Now()
	code, stdout, stderr := runCLIConcurrent(t, map[string]string{
		"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_NODE_ID": "run-wait", "JOBPILOT_TIME_SCALE": "0.01",
		"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": llm.URL + "/v1",
	}, "run", "--wait", "1s")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// The bound tells "stopped after --wait 1s" from "waited the default
	// 10 min", with room for a loaded machine.
	if took := time.Since(start); took > 3*time.Minute {
		t.Errorf("run took %s with --wait 1s", took)
	}
	if !strings.Contains(stdout, "still in progress after --wait 1s") {
		t.Fatalf("summary does not say what is still queued:\n%s", stdout)
	}
	if got := runSummary(t, stdout); got["ready"] != 0 || got["failed"] != 0 {
		t.Errorf("summary %v: the drafts wait for the LLM, neither ready nor failed", got)
	}
}

// answerModels answers GET …/models (run's check of the endpoint) with an
// empty list and reports whether it did.
func answerModels(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasSuffix(r.URL.Path, "/models") {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	return true
}

// run checks the LLM endpoint before any work and says what it found: a
// dead endpoint is reported at once, then run writes with the template
// writer (the default) or exits 1 (LLM_UNAVAILABLE=stop). It never waits on
// it in silence.
func TestRunChecksTheLLMFirst(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/v1"
	dead.Close()
	env := func(node, mode string) map[string]string {
		return map[string]string{"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_NODE_ID": node,
			"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": url, "LLM_UNAVAILABLE": mode}
	}
	start := time.Now()
	code, stdout, stderr := runCLIConcurrent(t, env("run-llm-stop", "stop"), "run")
	if code != 1 || !strings.Contains(stderr, "the LLM endpoint "+url+" does not answer") || stdout != "" {
		t.Fatalf("stop: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("stop took %s", took)
	}
	code, stdout, stderr = runCLIConcurrent(t, env("run-llm-template", "template"), "run")
	if code != 0 || !strings.Contains(stderr, "does not answer") || !strings.Contains(stderr, "writing with the template writer instead") {
		t.Fatalf("template: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := runSummary(t, stdout); got["ready"] == 0 || got["failed"] != 0 {
		t.Errorf("summary %v: want the matches drafted by the template writer", got)
	}
}

// An endpoint that answers but refuses the key (401) is reported as such,
// not as an endpoint that does not answer: the fix is the key, not the
// network. run then behaves as LLM_UNAVAILABLE says.
func TestRunReportsARefusedKey(t *testing.T) {
	t.Parallel()
	fake := fakellm.New(fakellm.Options{APIKey: "sk-right-not-a-secret"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	url := srv.URL + "/v1"
	env := func(node, mode string) map[string]string {
		return map[string]string{"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_NODE_ID": node,
			"OPENAI_API_KEY": "sk-wrong-not-a-secret", "OPENAI_BASE_URL": url, "LLM_UNAVAILABLE": mode}
	}
	refused := "LLM endpoint " + url + " answers, but the API key was refused"
	code, stdout, stderr := runCLIConcurrent(t, env("run-key-stop", "stop"), "run")
	if code != 1 || !strings.Contains(stderr, refused) || !strings.Contains(stderr, "OPENAI_API_KEY") || strings.Contains(stderr, "does not answer") || stdout != "" {
		t.Fatalf("stop: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLIConcurrent(t, env("run-key-template", "template"), "run")
	if code != 0 || !strings.Contains(stderr, refused) || strings.Contains(stderr, "does not answer") || !strings.Contains(stderr, "writing with the template writer instead") {
		t.Fatalf("template: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := runSummary(t, stdout); got["ready"] == 0 || got["failed"] != 0 {
		t.Errorf("summary %v: want the matches drafted by the template writer", got)
	}
	if strings.Contains(stderr, "sk-wrong-not-a-secret") {
		t.Errorf("the key was printed:\n%s", stderr)
	}
}

// A key that passes the check but is refused for the chat model (403: its
// project may not use the model) pauses the openai breaker. run does not
// wait out --wait for work no wait can finish: it says which breaker is
// paused and why, and leaves the applications queued, none failed.
func TestRunStopsWaitingOnAPausedBreaker(t *testing.T) {
	t.Parallel()
	fake := fakellm.New(fakellm.Options{})
	refused := make([]fakellm.Reply, 50)
	for i := range refused {
		refused[i] = fakellm.Reply{Status: http.StatusForbidden}
	}
	fake.Script(refused...)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := map[string]string{"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_NODE_ID": "run-key-paused",
		"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": srv.URL + "/v1", "APPLY_MODE": "direct"}
	// The old behaviour waited all of --wait; 2 minutes bounds the
	// failure, while a run that notices the pause ends long before.
	code, stdout, stderr := runCLIConcurrent(t, env, "run", "--wait", "2m")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, `draft: not waiting for`) || !strings.Contains(stderr, `circuit breaker "openai" is paused`) || !strings.Contains(stderr, "HTTP 403") {
		t.Errorf("stderr does not say drafting waits for the paused openai breaker:\n%s", stderr)
	}
	if !strings.Contains(stdout, "wait for the configuration to be fixed") || strings.Contains(stdout, "after --wait") {
		t.Errorf("the summary does not say the work waits for the configuration:\n%s", stdout)
	}
	if got := runSummary(t, stdout); got["failed"] != 0 || got["matched"] == 0 {
		t.Errorf("summary %v: want matches, none failed", got)
	}
	if n := fake.Calls(); n == 0 || fake.Accepted() != 0 {
		t.Errorf("%d calls, %d accepted: want the refused ones only", n, fake.Accepted())
	}
}
