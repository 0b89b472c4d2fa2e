package chaos_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/system"
)

// hangingMailer hangs the first send until the attempt's context ends and
// then reports an unknown outcome, as the real SMTP client does when the
// per-attempt timeout closes the connection after the DATA was written.
// Later sends succeed (and are counted: there must be none).
type hangingMailer struct{ calls atomic.Int32 }

func (m *hangingMailer) Send(ctx context.Context, msg *jobpilot.Message) error {
	if m.calls.Add(1) == 1 {
		<-ctx.Done()
		return fmt.Errorf("%w: reply lost when the attempt timed out: %v", jobpilot.ErrOutcomeUnknown, ctx.Err())
	}
	return nil
}

// TestSendTimeoutAfterDataEndsInNeedsReview replays the chaos harness's
// finding 2 ("an application left sending with no job"): attempt 1 marks the
// application sending and its SMTP transaction outlives EMAIL_TIMEOUT; the
// timeout policy reports its own (retryable) error, so attempt 2 runs and
// finds the application still sending, and its compare-and-swap from approved
// fails. The old code took that refusal for a permanent failure from
// approved, got ECONFLICT and completed the job with the application stuck in
// sending. Deciding from the recorded state must park it in needs_review
// (outcome unknown) without a second send, and complete the job.
func TestSendTimeoutAfterDataEndsInNeedsReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "fate.db"))
	profile, err := chaos.Profile(1)
	if err != nil {
		t.Fatal(err)
	}
	profileID, _, err := chaos.Seed(ctx, dbURL, profile, chaos.Postings(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"DATABASE_URL": dbURL, "JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_EXAMPLES": "false",
		"JOBPILOT_WRITER": "template", "APPLY_MODE": "direct",
		// EMAIL_TIMEOUT 1.5 s, retries 100, 200, 400 ms. The attempt must
		// reach the mailer before its timeout, which the hanging send then
		// spends: at 1/1000 (30 ms) a loaded machine spent it on the way,
		// and no attempt ever sent.
		"JOBPILOT_TIME_SCALE": "0.05",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	mailer := &hangingMailer{}
	sys, err := system.Open(ctx, cfg, system.Options{Logger: quiet(), FastStart: true, Mailer: mailer})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()

	// Drive the pipeline by hand, as the engine's workers would (the engine
	// is not started).
	if err := sys.Apply.AutomationRun(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		t.Fatal(err)
	}
	apps, err := sys.Store.Applications(ctx, jobpilot.ApplicationFilter{ProfileID: profileID, Limit: 10})
	if err != nil || len(apps) != 1 {
		t.Fatalf("applications: %v, %v", apps, err)
	}
	app := apps[0]
	if err := sys.Apply.ProcessPosting(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ApplicationID: app.ID, ProfileID: profileID, PostingID: app.PostingID}); err != nil {
		t.Fatal(err)
	}
	if a, _ := sys.Store.Application(ctx, app.ID); a.Status != jobpilot.StatusApproved {
		t.Fatalf("after processing: %s, want approved (direct mode)", a.Status)
	}

	err = sys.Apply.SendApplication(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID})
	if err != nil {
		t.Errorf("SendApplication = %v, want nil: the outcome is parked for the candidate, nothing left to retry", err)
	}
	got, err := sys.Store.Application(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != jobpilot.StatusNeedsReview {
		t.Errorf("status %s, want needs_review (a send whose outcome is unknown must not stay sending with no job)", got.Status)
	}
	if n := mailer.calls.Load(); n != 1 {
		t.Errorf("%d sends, want 1: a send whose outcome is unknown is never repeated silently", n)
	}
	// A rerun of the job (a crash before it completed) changes nothing.
	if err := sys.Apply.SendApplication(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}); err != nil {
		t.Errorf("second run: %v", err)
	}
	if n := mailer.calls.Load(); n != 1 {
		t.Errorf("%d sends after the job ran again, want 1", n)
	}
}
