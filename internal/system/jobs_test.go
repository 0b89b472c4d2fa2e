package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
)

func loadConfig(t *testing.T, vars map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"JOBPILOT_DATA_DIR": dir, "DATABASE_URL": "sqlite://" + filepath.Join(dir, "jobpilot.db"),
		"JOBPILOT_EXAMPLES": "false", "JOBPILOT_WRITER": "template", "JOBPILOT_NODE_ID": "kinds-test",
	}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// apply's kinds are registered with their options: a ready application's
// send outranks the drafting of others and gets more attempts; drafting and
// sending are unique per posting and per application; the periodic kinds
// are listed in schedule order, can be triggered, and nothing else can.
func TestJobKindsRegistration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := loadConfig(t, map[string]string{"SCHEDULER_TIMEZONE": "Europe/Paris", "FOLLOW_UP_CRON": "30 9 * * 1-5"})
	sys, err := Open(ctx, cfg, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	process := jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 2, ApplicationID: 3}
	send := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 3}
	for range 2 {
		if err := sys.Engine.Enqueue(ctx, process, send, jobpilot.Task{Kind: jobpilot.TaskCleanup}); err != nil {
			t.Fatal(err)
		}
	}
	want := "cleanup p1 x3 ×2; send_application p1 x10 ×1; process_posting p2 x5 ×1"
	if got := queuedJobs(t, sys); got != want {
		t.Fatalf("jobs: %s\nwant: %s", got, want)
	}

	var sched []string
	for _, j := range sys.Engine.PeriodicJobs() {
		sched = append(sched, j.Name+" "+j.Schedule)
	}
	wantSched := "fetch_postings every 6h0m0s; automation_run every 1h0m0s; follow_ups cron 30 9 * * 1-5 (Europe/Paris); cleanup cron 0 2 * * * (Europe/Paris); notify_digest cron 0 9 * * * (Europe/Paris)"
	if strings.Join(sched, "; ") != wantSched {
		t.Fatalf("schedule: %s\nwant: %s", strings.Join(sched, "; "), wantSched)
	}
	for _, k := range []jobpilot.TaskKind{jobpilot.TaskSendApplication, jobpilot.TaskProcessPosting, "nonsense"} {
		if err := sys.Engine.Trigger(ctx, k); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("Trigger(%s): %v, want EINVALID", k, err)
		}
	}
}

// DRAFT_, SEND_ and SCHEDULED_MAX_ATTEMPTS reach the job kinds, and
// REQUEUE_STUCK_AFTER the pipeline's requeue of stuck applications (70 min
// by default: JOB_TIMEOUT + 1 h).
func TestJobAttemptsAndRequeueAreConfigured(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys, err := Open(ctx, loadConfig(t, nil), Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if sys.Apply.StaleAfter != 70*time.Minute {
		t.Errorf("default requeue after %s, want 70m", sys.Apply.StaleAfter)
	}
	sys.Close()

	cfg := loadConfig(t, map[string]string{"DRAFT_MAX_ATTEMPTS": "2", "SEND_MAX_ATTEMPTS": "7", "SCHEDULED_MAX_ATTEMPTS": "1", "REQUEUE_STUCK_AFTER": "2h"})
	sys, err = Open(ctx, cfg, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if sys.Apply.StaleAfter != 2*time.Hour {
		t.Errorf("requeue after %s, want 2h", sys.Apply.StaleAfter)
	}
	if err := sys.Engine.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 2, ApplicationID: 3},
		jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 3}, jobpilot.Task{Kind: jobpilot.TaskCleanup}); err != nil {
		t.Fatal(err)
	}
	if got, want := queuedJobs(t, sys), "cleanup p1 x1 ×1; send_application p1 x7 ×1; process_posting p2 x2 ×1"; got != want {
		t.Errorf("jobs: %s, want %s", got, want)
	}
}

// queuedJobs describes River's jobs as "kind pPRIORITY xMAX_ATTEMPTS ×COUNT".
func queuedJobs(t *testing.T, sys *System) string {
	t.Helper()
	rows, err := sys.Store.SQL().QueryContext(context.Background(), `SELECT kind, priority, max_attempts, count(*) FROM river_job GROUP BY kind, priority, max_attempts ORDER BY priority, kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind string
		var priority, attempts, n int
		if err := rows.Scan(&kind, &priority, &attempts, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s p%d x%d ×%d", kind, priority, attempts, n))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, "; ")
}

// The engine's timings follow JOBPILOT_TIME_SCALE as the guide's do, the
// supervisor's health-check interval and restart delay included (the
// guide's 5 minutes and 60 s); the schedule and the shutdown grace do not.
func TestEngineConfig(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, map[string]string{"JOBPILOT_TIME_SCALE": "0.01", "INITIAL_DELAY": "2", "HEALTH_CHECK_INTERVAL": "30", "WORKERS": "4"})
	ec := engineConfig(cfg)
	if ec.JobTimeout != 6*time.Second || ec.Backoff.Initial != 20*time.Millisecond || ec.Backoff.Max != 600*time.Millisecond || ec.Backoff.Base != 2 {
		t.Errorf("scaled timings: %+v", ec)
	}
	if ec.HealthCheckInterval != 300*time.Millisecond || ec.RestartDelay != 600*time.Millisecond {
		t.Errorf("supervisor timings %s and %s, want 300ms and 600ms (30 s and the default 60 s, scaled)", ec.HealthCheckInterval, ec.RestartDelay)
	}
	if ec.Workers != 4 || ec.NodeID != "kinds-test" || ec.ShutdownGrace != 30*time.Second {
		t.Errorf("scheduler settings: %+v", ec)
	}
	job, automation := jobTimeouts(cfg)
	if job != 6*time.Second || automation != 36*time.Second {
		t.Errorf("job timeouts %s, %s; want 6s and 36s", job, automation)
	}
}

// A bad time zone or cron expression is EINVALID on its variable.
func TestSchedulesInvalid(t *testing.T) {
	t.Parallel()
	for field, mutate := range map[string]func(*config.Config){
		"SCHEDULER_TIMEZONE": func(c *config.Config) { c.Scheduler.Timezone = "Mars/Olympus" },
		"FOLLOW_UP_CRON":     func(c *config.Config) { c.Scheduler.FollowUpCron = "61 * * * *" },
		"CLEANUP_CRON":       func(c *config.Config) { c.Scheduler.CleanupCron = "every day" },
	} {
		cfg := loadConfig(t, nil)
		mutate(cfg)
		_, err := schedules(cfg)
		var je *jobpilot.Error
		if jobpilot.ErrorCode(err) != jobpilot.EINVALID || !asError(err, &je) || je.Field != field {
			t.Errorf("%s: %v, want EINVALID on %s", field, err, field)
		}
	}
}

// The default node id is stable for one host and database, and differs
// between databases, so two services on one host never share one.
func TestNodeID(t *testing.T) {
	t.Parallel()
	a := &config.Config{DatabaseURL: "sqlite://data/jobpilot.db", DataDir: "./data"}
	b := &config.Config{DatabaseURL: "postgres://db/jobpilot", DataDir: "./data"}
	if NodeID(a) != NodeID(a) || NodeID(a) == NodeID(b) {
		t.Errorf("node ids: %q %q", NodeID(a), NodeID(b))
	}
	a.NodeID = "web-1"
	if NodeID(a) != "web-1" {
		t.Errorf("configured node id ignored: %q", NodeID(a))
	}
}

func asError(err error, target **jobpilot.Error) bool { return errors.As(err, target) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
