package chaos_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/internal/freshpg"
	"github.com/jobpilot/jobpilot/store"
)

// Scale-out ("Several nodes on one PostgreSQL" in docs/design-notes.md) with
// the real binary: two `jobpilot serve` processes on one fresh PostgreSQL
// database, in direct mode, tailoring with the LLM writer against the lab
// LLM and sending to the lab SMTP server.
//
//   - Work is shared: both node ids complete process_posting and
//     send_application jobs (river_job.attempted_by; the last entry is the
//     node that finished it).
//   - The periodic schedule runs once per tick across both nodes. While both
//     run, the automation_run jobs River inserted carry the tick they belong
//     to as scheduled_at; one schedule puts them exactly AUTOMATION_INTERVAL
//     apart, so every gap between consecutive ticks must be one interval and
//     their number the window over the interval. This holds under load too (a
//     late leader inserts the missed tick with its own scheduled_at), whereas
//     counting executions in a wall-clock window would not. A second schedule
//     (two leaders) would show as gaps shorter than an interval. The runs
//     table (kind automation) must agree with the ticks: one run per
//     execution of a tick's job, no more (a run is recorded as its job
//     starts, so at least the completed ticks and at most their attempts).
//   - Killing the leader with SIGKILL while it holds running jobs leaves the
//     survivor to finish everything: it is elected once the dead leader's
//     lease (≈15 s) runs out, and its rescuer, which runs at election, makes
//     the dead node's jobs older than RESCUE_STUCK_JOBS_AFTER available again.
//     Every application ends settled, no Message-ID is accepted twice, every
//     sent application's message was accepted, none is lost, and every job
//     the dead node left running is completed by the survivor.
func TestMultiNodeServePostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("multi-node subprocess test")
	}
	server := os.Getenv("JOBPILOT_TEST_DATABASE_URL")
	if server == "" {
		t.Skip("JOBPILOT_TEST_DATABASE_URL is not set")
	}
	const (
		postings = 60
		interval = time.Second // AUTOMATION_INTERVAL
		// The LLM's latency keeps jobs in flight long enough to kill a node
		// mid-work: two calls per posting, 4 workers per node.
		llmLatency = 300 * time.Millisecond
		// The tick window while both nodes run lasts at least this long.
		minWindow = 4 * time.Second
	)
	// Room for every wait below (each a ceiling of at least two minutes):
	// a job the survivor rescues is retried after River's backoff, which
	// grows with the attempts the job had already made.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()

	dbURL := freshpg.Database(t, server, "jobpilot_multinode")
	profile, err := chaos.Profile(postings)
	must(t, err)
	// The profile now, the postings once both nodes run: otherwise the first
	// node's start-up automation would take all the work before the second
	// one is up.
	profileID, _, err := chaos.Seed(ctx, dbURL, profile, nil)
	must(t, err)
	db, err := store.Open(ctx, dbURL)
	must(t, err)
	defer db.Close()
	sqlDB := db.SQL()

	smtpSrv := fakesmtp.StartTest(t) // accepts everything
	llm := fakellm.New(fakellm.Options{Latency: llmLatency, Seed: 3})
	llmURL, stopLLM, err := fakellm.Listen("127.0.0.1:0", llm)
	must(t, err)
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = stopLLM(sctx)
	}()

	dir := t.TempDir()
	common := []string{
		"DATABASE_URL=" + dbURL,
		"JOBPILOT_EXAMPLES=false",
		"APPLY_MODE=direct",
		"JOBPILOT_WRITER=llm",
		"OPENAI_BASE_URL=" + llmURL,
		"OPENAI_API_KEY=multinode-not-a-secret",
		"OPENAI_MODEL=fake-gpt",
		"SMTP_HOST=127.0.0.1",
		fmt.Sprintf("SMTP_PORT=%d", smtpSrv.Port()),
		"SMTP_TLS=none",
		"SMTP_FROM=candidate@multinode.example.org",
		"AUTOMATION_INTERVAL=" + interval.String(),
		// River rescues another node's running job once it is older than
		// RESCUE_STUCK_JOBS_AFTER (which must be >= JOB_TIMEOUT), on the
		// leader, at its election and then every 30 s. The dead leader's
		// lease (15 s, renewed every 5 s ± 1 s) can run out 9 s after the
		// kill, so the survivor's first pass may find the newest orphans
		// younger than 10 s and leave them to the next one.
		"JOB_TIMEOUT=10s",
		"RESCUE_STUCK_JOBS_AFTER=10s",
		// River rescues a job no sooner than its own timeout: the periodic
		// kinds' (AUTOMATION_TIMEOUT) must fit in the test too.
		"AUTOMATION_TIMEOUT=10s",
		"HEALTH_CHECK_INTERVAL=1s",
		"SHUTDOWN_GRACE=2s",
		"WORKERS=4",
	}
	type node struct {
		id  string
		srv *chaos.Server
		log string
	}
	start := func(id string) *node {
		t.Helper()
		logPath := filepath.Join(dir, id+".log")
		f, err := os.Create(logPath)
		must(t, err)
		t.Cleanup(func() { f.Close() })
		env := append([]string{
			"JOBPILOT_NODE_ID=" + id,
			"HTTP_ADDR=" + chaos.AnyPort,
			"JOBPILOT_DATA_DIR=" + filepath.Join(dir, id),
		}, common...)
		srv, err := chaos.StartServer(binary, env, chaos.AnyPort, f)
		must(t, err)
		n := &node{id: id, srv: srv, log: logPath}
		t.Cleanup(func() {
			if !srv.Exited() {
				srv.Kill()
			}
			if t.Failed() {
				t.Logf("%s log (tail):\n%s", id, logTail(logPath, 15))
			}
		})
		hctx, hcancel := context.WithTimeout(ctx, 30*time.Second)
		defer hcancel()
		if _, err := srv.WaitHealthy(hctx); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		return n
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		must(t, sqlDB.QueryRowContext(ctx, q, args...).Scan(&n))
		return n
	}
	dbNow := func() time.Time {
		t.Helper()
		var now time.Time
		must(t, sqlDB.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now))
		return now
	}

	// node-a starts first and becomes the leader: it is the one killed, so
	// the survivor's rescuer runs at its election instead of up to 30 s
	// later on a leader that never changed.
	a := start("node-a")
	dbtest.Eventually(t, 20*time.Second, "node-a leads", func() bool {
		return count(`SELECT count(*) FROM river_leader WHERE leader_id = 'node-a'`) == 1
	})
	b := start("node-b")
	windowStart, windowStarted := dbNow(), time.Now()

	// Two batches: the first shows both nodes sending (River takes the
	// oldest jobs first, so sends start only once every process_posting job
	// of a batch is taken), the second is being drafted when node-a dies.
	all := chaos.Postings(postings, 11)
	first, second := all[:2*postings/3], all[2*postings/3:]
	_, err = db.UpsertPostings(ctx, chaos.SourceName, first, false)
	must(t, err)
	const doneBy = `SELECT count(DISTINCT attempted_by[array_length(attempted_by, 1)]) FROM river_job
		WHERE kind = $1 AND state = 'completed'`
	dbtest.Eventually(t, 40*time.Second, "both nodes drafted and sent applications of the first batch", func() bool {
		return count(doneBy, "process_posting") == 2 && count(doneBy, "send_application") == 2
	})
	_, err = db.UpsertPostings(ctx, chaos.SourceName, second, false)
	must(t, err)

	// Kill node-a mid-work, once it has just started a process_posting job:
	// the job needs two LLM calls (600 ms), so it is surely still running a
	// few milliseconds later when the kill lands.
	const runningA = `SELECT count(*) FROM river_job WHERE state = 'running' AND kind = 'process_posting'
		AND attempted_by[array_length(attempted_by, 1)] = 'node-a'`
	dbtest.Eventually(t, 40*time.Second, "node-a starts a process_posting job of the second batch", func() bool {
		return time.Since(windowStarted) >= minWindow &&
			count(runningA+` AND attempted_at > clock_timestamp() - interval '200 milliseconds'`) > 0
	})
	windowEnd := dbNow()
	a.srv.Kill()
	killed := time.Now()
	var orphanIDs []int64
	rows, err := sqlDB.QueryContext(ctx, `SELECT id FROM river_job WHERE state = 'running'
		AND attempted_by[array_length(attempted_by, 1)] = 'node-a'`)
	must(t, err)
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		orphanIDs = append(orphanIDs, id)
	}
	must(t, rows.Err())
	rows.Close()
	orphans := len(orphanIDs)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		// What the survivor had still to do with node-a's jobs.
		rows, err := sqlDB.QueryContext(context.Background(), `SELECT id, kind, state, attempt, scheduled_at, array_to_string(attempted_by, ',')
			FROM river_job WHERE id = ANY($1) ORDER BY id`, orphanIDs)
		if err != nil {
			t.Logf("orphaned jobs: %v", err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id, attempt int64
				kind, state string
				scheduled   time.Time
				by          string
			)
			if err := rows.Scan(&id, &kind, &state, &attempt, &scheduled, &by); err == nil {
				t.Logf("orphaned job %d %s: %s, attempt %d, scheduled %s, attempted by %s", id, kind, state, attempt, scheduled.Format(time.RFC3339Nano), by)
			}
		}
	})
	doneAtKill := count(`SELECT count(*) FROM river_job WHERE kind = 'process_posting' AND state = 'completed'`)
	t.Logf("node-a killed with %d jobs running (%d process_posting); %d/%d postings processed",
		orphans, count(runningA), doneAtKill, postings)
	if doneAtKill >= postings || orphans == 0 {
		t.Fatalf("the kill interrupted nothing (%d jobs left running, %d/%d postings processed)", orphans, doneAtKill, postings)
	}

	// Periodic ticks while both nodes ran.
	checkTicks(t, ctx, sqlDB, windowStart, windowEnd, interval)

	// The survivor finishes everything.
	settledAll := func() bool {
		apps := applications(t, ctx, db, profileID)
		if len(apps) != postings {
			return false
		}
		for _, app := range apps {
			if !app.Status.Settled() {
				return false
			}
		}
		return true
	}
	dbtest.Eventually(t, 60*time.Second, "every application settled after the kill", settledAll)
	recovery := time.Since(killed)
	// And every job node-a left running, including those whose work was done
	// but whose completion River had not yet written (it batches them): the
	// survivor runs them again, and they find their work done.
	// Up to a rescuer interval (30 s) after its first pass, plus the retry's
	// backoff (see RESCUE_STUCK_JOBS_AFTER above).
	dbtest.Eventually(t, 90*time.Second, "node-b finishes every job node-a left running", func() bool {
		return count(`SELECT count(*) FROM river_job WHERE id = ANY($1) AND state = 'completed'
			AND attempted_by[array_length(attempted_by, 1)] = 'node-b'`, orphanIDs) == orphans
	})
	jobsDone := time.Since(killed)
	var leader string
	must(t, sqlDB.QueryRowContext(ctx, `SELECT leader_id FROM river_leader`).Scan(&leader))
	if leader != "node-b" {
		t.Errorf("leader after the kill is %q, want node-b", leader)
	}
	// The survivor took the schedule over: an automation tick it ran itself
	// after the kill (its start-up tick as the new leader, then each interval).
	dbtest.Eventually(t, 10*time.Second, "node-b runs automation ticks", func() bool {
		return count(`SELECT count(*) FROM river_job WHERE kind = 'automation_run' AND state = 'completed'
			AND attempted_by[array_length(attempted_by, 1)] = 'node-b' AND scheduled_at > $1`, windowEnd) > 0
	})
	var takeover time.Time
	must(t, sqlDB.QueryRowContext(ctx, `SELECT min(scheduled_at) FROM river_job WHERE kind = 'automation_run' AND scheduled_at > $1`, windowEnd).Scan(&takeover))
	t.Logf("node-b leads: its first automation tick came %s after the kill", takeover.Sub(windowEnd).Round(10*time.Millisecond))
	if err := b.srv.Stop(10 * time.Second); err != nil {
		t.Errorf("node-b: %v", err)
	} else if err := b.srv.Err(); err != nil {
		t.Errorf("node-b exited after SIGTERM: %v", err)
	}
	var tickJobs, tickDone, tickAttempts, runs int
	must(t, sqlDB.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'completed'), coalesce(sum(attempt), 0)
		FROM river_job WHERE kind = 'automation_run'`).Scan(&tickJobs, &tickDone, &tickAttempts))
	runs = count(`SELECT count(*) FROM runs WHERE kind = $1`, string(jobpilot.RunAutomation))
	if runs < tickDone || runs > tickAttempts {
		t.Errorf("%d automation runs recorded for %d ticks (%d completed, %d attempts): want one run per execution of a tick", runs, tickJobs, tickDone, tickAttempts)
	}
	t.Logf("automation: %d ticks in all (%d completed, %d executions), %d runs recorded", tickJobs, tickDone, tickAttempts, runs)

	// Nothing lost, nothing sent twice, nothing misrecorded.
	apps := applications(t, ctx, db, profileID)
	delivered := map[string]int{}
	for _, m := range smtpSrv.Messages() {
		delivered[m.MessageID]++
	}
	byStatus := map[jobpilot.Status]int{}
	ours := map[string]bool{}
	seen := map[int64]bool{}
	for _, app := range apps {
		byStatus[app.Status]++
		if seen[app.PostingID] {
			t.Errorf("posting %d has two applications", app.PostingID)
		}
		seen[app.PostingID] = true
		if app.MessageID != "" {
			ours[app.MessageID] = true
		}
		switch app.Status {
		case jobpilot.StatusSent:
			if delivered[app.MessageID] != 1 {
				t.Errorf("application %d is sent, but the mail server accepted %q %d times", app.ID, app.MessageID, delivered[app.MessageID])
			}
		case jobpilot.StatusNeedsReview:
			// A send interrupted by the kill mid-transaction: right, as long
			// as it was not delivered twice (checked below).
		default:
			t.Errorf("application %d for posting %d ended %s (%s), want sent or needs_review", app.ID, app.PostingID, app.Status, app.Error)
		}
	}
	if len(apps) != postings {
		t.Errorf("%d applications for %d postings", len(apps), postings)
	}
	if d := smtpSrv.Duplicates(); d != 0 {
		t.Errorf("%d Message-IDs accepted more than once", d)
	}
	for id, n := range delivered {
		if !ours[id] {
			t.Errorf("the mail server accepted %q (%d times), which no application records", id, n)
		}
	}

	// The split of the work, by the node that finished each job.
	split := map[string]map[string]int{}
	rows, err = sqlDB.QueryContext(ctx, `SELECT kind, attempted_by[array_length(attempted_by, 1)], count(*) FROM river_job
		WHERE kind IN ('process_posting', 'send_application') AND state = 'completed' GROUP BY 1, 2`)
	must(t, err)
	for rows.Next() {
		var kind, nodeID string
		var n int
		must(t, rows.Scan(&kind, &nodeID, &n))
		if split[kind] == nil {
			split[kind] = map[string]int{}
		}
		split[kind][nodeID] = n
	}
	must(t, rows.Err())
	rows.Close()
	for _, kind := range []string{"process_posting", "send_application"} {
		if split[kind]["node-a"] == 0 || split[kind]["node-b"] == 0 {
			t.Errorf("%s work not shared: %v", kind, split[kind])
		}
	}
	t.Logf("work split (completed jobs by node): process_posting %v, send_application %v", split["process_posting"], split["send_application"])
	t.Logf("statuses %v; %d messages accepted, 0 duplicates; kill → every application settled: %s, → node-a's %d orphaned jobs completed: %s",
		byStatus, len(smtpSrv.Messages()), recovery.Round(10*time.Millisecond), orphans, jobsDone.Round(10*time.Millisecond))
}

// checkTicks asserts that the automation ticks scheduled in [from, to] come
// from one schedule. River stamps each tick's job with the tick's own time
// (scheduled_at), and one interval schedule advances it by exactly one
// interval, even when the leader inserts a tick late; so consecutive ticks
// must be one interval apart (a second schedule would interleave closer ones,
// a lost tick would leave a wider gap) and they must cover the window: the
// first within an interval of its start (or of the very first tick, when the
// leader's schedule began inside the window), the last within an interval of
// its end (plus slack for a tick the leader is inserting at that moment).
func checkTicks(t *testing.T, ctx context.Context, sqlDB *sql.DB, from, to time.Time, interval time.Duration) {
	t.Helper()
	const slack = 50 * time.Millisecond
	// The window's ticks, and the one before it (so the window's first gap
	// is checked too: it may be a tick skipped while a run begun before the
	// window went on).
	rows, err := sqlDB.QueryContext(ctx, `SELECT scheduled_at, finalized_at FROM river_job
		WHERE kind = 'automation_run' AND scheduled_at BETWEEN
			COALESCE((SELECT max(scheduled_at) FROM river_job WHERE kind = 'automation_run' AND scheduled_at < $1), $1) AND $2
		ORDER BY scheduled_at`, from, to)
	must(t, err)
	var ticks []time.Time
	var finished []sql.NullTime
	for rows.Next() {
		var at time.Time
		var fin sql.NullTime
		must(t, rows.Scan(&at, &fin))
		ticks, finished = append(ticks, at), append(finished, fin)
	}
	must(t, rows.Err())
	rows.Close()
	window := to.Sub(from)
	if len(ticks) == 0 {
		t.Fatalf("no automation tick in a %s window at %s intervals", window.Round(time.Millisecond), interval)
	}
	// One tick is enough when its run outlasted the window (a loaded
	// machine): the checks below tell a skipped tick from a lost one.
	// lost reports a tick due at due as lost unless the previous run was
	// still unfinished then: the schedule skips a tick while its previous
	// run goes on (runs never overlap). River stamps finalized_at when a job
	// ends but records the completion in batches, so a run that ended up to
	// completionLag before the tick may still have been running in the
	// database.
	const completionLag = 2 * time.Second
	lost := func(i int, due time.Time) bool {
		return finished[i].Valid && finished[i].Time.Before(due.Add(-completionLag))
	}
	var gaps []string
	for i := 1; i < len(ticks); i++ {
		gap := ticks[i].Sub(ticks[i-1])
		gaps = append(gaps, gap.Round(time.Millisecond).String())
		n := (gap + interval/2) / interval
		switch {
		case gap < interval-slack:
			t.Errorf("automation ticks %s apart (at %s and %s): more than one schedule", gap, ticks[i-1].Format(time.StampMilli), ticks[i].Format(time.StampMilli))
		case (gap - n*interval).Abs() > slack:
			t.Errorf("automation ticks %s apart (at %s and %s): not a whole number of intervals", gap, ticks[i-1].Format(time.StampMilli), ticks[i].Format(time.StampMilli))
		case n > 1 && lost(i-1, ticks[i-1].Add((n-1)*interval)):
			t.Errorf("automation ticks %s apart (at %s and %s): a tick was lost (the previous run had finished at %s)", gap,
				ticks[i-1].Format(time.StampMilli), ticks[i].Format(time.StampMilli), finished[i-1].Time.Format(time.StampMilli))
		}
	}
	last := len(ticks) - 1
	if late := to.Sub(ticks[last]); late > interval+500*time.Millisecond && lost(last, to.Add(-500*time.Millisecond)) {
		t.Errorf("last automation tick of the window %s before its end: a tick was lost", late)
	}
	t.Logf("both nodes up for %s: %d automation ticks, once per interval or skipped while a run went on (gaps %s)", window.Round(time.Millisecond), len(ticks), strings.Join(gaps, " "))
}

func applications(t *testing.T, ctx context.Context, db *store.DB, profileID int64) []*jobpilot.Application {
	t.Helper()
	all, err := store.Collect(store.AllApplications(ctx, db, jobpilot.ApplicationFilter{ProfileID: profileID}))
	must(t, err)
	return all
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
