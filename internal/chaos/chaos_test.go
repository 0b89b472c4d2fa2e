package chaos_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// binary is the jobpilot executable built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jobpilot-chaos-bin-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "jobpilot")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/jobpilot/jobpilot/cmd/jobpilot").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building jobpilot: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := dbtest.ParallelWaits(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// ciRun is the CI-sized chaos run: 20 postings, a 30 % SMTP 421 rate, the
// LLM writer against the lab LLM with a 10 % 429/500 rate, and one SIGKILL
// of the server.
func ciRun(t *testing.T, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	var progress strings.Builder
	rep, err := chaos.Run(ctx, chaos.Options{
		Binary: binary, Postings: 20, SMTPFail: 0.3, LLMFail: 0.1, Kills: 1, Writer: "llm",
		DatabaseURL: dbURL, Seed: 7, Deadline: 4 * time.Minute, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	_ = rep.WriteTable(&table)
	t.Logf("%s%s\n%s", progress.String(), table.String(), rep.Line())
	if !rep.OK() {
		t.Fatalf("lost=%d duplicates=%d unresolved=%d no_copy=%d cut=%d mismatches=%v", rep.Lost, rep.Duplicates, rep.Unresolved, rep.NoCopy, rep.Cut, rep.Mismatches)
	}
	if rep.Kills != 1 || len(rep.Restarts) != 1 {
		t.Errorf("kills=%d restarts=%d, want 1 and 1", rep.Kills, len(rep.Restarts))
	}
	if got := rep.Sent + rep.NeedsReview + rep.Failed; got != 20 {
		t.Errorf("sent+needs_review+failed = %d, want 20 (by status: %v)", got, rep.ByStatus)
	}
	// With a 30 % refusal rate some attempts must have been refused and
	// retried: the faults were really injected.
	if rep.SMTP.Rejected == 0 || rep.Attempts <= rep.Sent {
		t.Errorf("no SMTP refusal was seen (rejected=%d, attempts=%d, sent=%d)", rep.SMTP.Rejected, rep.Attempts, rep.Sent)
	}
	// The documents came from the LLM writer: two calls (resume, letter)
	// per application at least, some of them refused by the injector.
	if rep.Writer != "llm" || rep.LLMAccepted < 2*20 {
		t.Errorf("writer %q, LLM calls accepted %d: want the LLM writer with ≥ 40 accepted calls", rep.Writer, rep.LLMAccepted)
	}
	if rep.SMTP.Accepted < rep.Sent {
		t.Errorf("the server accepted %d messages but %d applications are sent", rep.SMTP.Accepted, rep.Sent)
	}
	if !strings.HasPrefix(rep.Line(), "chaos: postings=20 sent=") || !strings.Contains(rep.Line(), " lost=0 duplicates=0 kills=1 ") ||
		!strings.Contains(rep.Line(), " unresolved=0 no_copy=") {
		t.Errorf("final line %q", rep.Line())
	}
}

func TestChaosSQLite(t *testing.T) { ciRun(t, "") }

func TestChaosPostgres(t *testing.T) {
	t.Parallel()
	url := os.Getenv("JOBPILOT_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("JOBPILOT_TEST_DATABASE_URL is not set")
	}
	ciRun(t, url)
}
