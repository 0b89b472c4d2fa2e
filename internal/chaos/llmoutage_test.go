package chaos_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/chaos"
)

// A small run with the lab LLM down for its first twelve seconds, a 30 % SMTP
// 421 rate, 10 % injected LLM 429/500 and two SIGKILLs: the outage is really
// hit (calls answered 503) and still nothing is lost or sent twice. The
// window starts at 0 because when the server's first drafting call comes
// varies (River's leader election on SQLite takes 0.3–5 s, and longer on a
// loaded machine); it ends at 12 s so that even a slow start drafts inside
// it, and the run still drafts and sends everything after it.
func TestChaosLLMOutage(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a jobpilot server and waits out a 12 s LLM outage")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var progress strings.Builder
	rep, err := chaos.Run(ctx, chaos.Options{
		Binary: binary, Postings: 20, SMTPFail: 0.3, LLMFail: 0.1, LLMFaults: "down from t=0s to t=12s",
		Kills: 2, Writer: "llm", Seed: 11, Deadline: 8 * time.Minute, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	_ = rep.WriteTable(&table)
	t.Logf("%s%s\n%s", progress.String(), table.String(), rep.Line())
	if !rep.OK() {
		t.Fatalf("lost=%d duplicates=%d mismatches=%v", rep.Lost, rep.Duplicates, rep.Mismatches)
	}
	if rep.LLMDown == 0 {
		t.Errorf("no LLM call came during the outage: the window missed the drafting")
	}
	if rep.Kills != 2 || len(rep.Restarts) != 2 {
		t.Errorf("kills=%d restarts=%d, want 2 and 2", rep.Kills, len(rep.Restarts))
	}
	if got := rep.Sent + rep.NeedsReview + rep.Failed; got != 20 {
		t.Errorf("sent+needs_review+failed = %d, want 20 (by status: %v)", got, rep.ByStatus)
	}
	if !strings.Contains(table.String(), "outage 503: ") || !strings.Contains(rep.Line(), " lost=0 duplicates=0 kills=2 ") {
		t.Errorf("table or final line lacks the figures:\n%s\n%s", table.String(), rep.Line())
	}
}

// A bad outage spec is bad input, refused before any database or server is
// made.
func TestChaosBadLLMFaults(t *testing.T) {
	t.Parallel()
	_, err := chaos.Run(context.Background(), chaos.Options{Binary: binary, LLMFaults: "down whenever"})
	var e *jobpilot.Error
	if !errors.As(err, &e) || e.Code != jobpilot.EINVALID || !strings.Contains(err.Error(), "down whenever") {
		t.Fatalf("err = %v, want EINVALID naming the clause", err)
	}
}
