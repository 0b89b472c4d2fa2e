package engine

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// The crash and multi-node tests re-execute this test binary as a small
// server ("node"): TestMain sees ENGINE_NODE=1 and runs nodeMain instead of
// the tests. A node opens the database, starts the engine with slow no-op
// handlers that record what they do in tables, prints READY, and on SIGTERM
// stops gracefully.
func TestMain(m *testing.M) {
	if os.Getenv("ENGINE_NODE") == "1" {
		os.Exit(nodeMain())
	}
	os.Exit(dbtest.ParallelWaits(m))
}

// Tables the node handlers write:
//
//	node_exec: one row per handler start (executions, including interrupted ones)
//	node_done: one row per completed posting, primary key = posting: a second
//	           completion would violate it and land in node_dupe instead
//	node_tick: one row per automation_run execution (periodic ticks)
var nodeTables = []string{
	`CREATE TABLE node_exec (posting_id BIGINT NOT NULL, node TEXT NOT NULL, attempt INT NOT NULL)`,
	`CREATE TABLE node_done (posting_id BIGINT PRIMARY KEY, node TEXT NOT NULL)`,
	`CREATE TABLE node_dupe (posting_id BIGINT NOT NULL, node TEXT NOT NULL)`,
	`CREATE TABLE node_tick (job_id BIGINT NOT NULL, node TEXT NOT NULL)`,
}

type nodeHandlers struct {
	db   *sql.DB
	pg   bool
	node string
	work time.Duration
}

func (h *nodeHandlers) q(s string) string {
	if !h.pg {
		return s
	}
	n := 0
	var b strings.Builder
	for _, r := range s {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ProcessPosting: record the execution, "work", then record the completion
// and complete the job in one transaction (engine.CompleteTx).
func (h *nodeHandlers) ProcessPosting(ctx context.Context, t jobpilot.Task) error {
	j, _ := JobFromContext(ctx)
	if _, err := h.db.ExecContext(ctx, h.q(`INSERT INTO node_exec (posting_id, node, attempt) VALUES (?, ?, ?)`), t.PostingID, h.node, j.Attempt); err != nil {
		return jobpilot.Transient(err)
	}
	select {
	case <-time.After(h.work):
	case <-ctx.Done():
		return ctx.Err()
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return jobpilot.Transient(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, h.q(`INSERT INTO node_done (posting_id, node) VALUES (?, ?)`), t.PostingID, h.node); err != nil {
		tx.Rollback()
		_, _ = h.db.ExecContext(ctx, h.q(`INSERT INTO node_dupe (posting_id, node) VALUES (?, ?)`), t.PostingID, h.node)
		return jobpilot.Permanent(fmt.Errorf("posting %d completed twice: %w", t.PostingID, err))
	}
	if err := CompleteTx(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (h *nodeHandlers) AutomationRun(ctx context.Context, t jobpilot.Task) error {
	j, _ := JobFromContext(ctx)
	_, err := h.db.ExecContext(ctx, h.q(`INSERT INTO node_tick (job_id, node) VALUES (?, ?)`), j.ID, h.node)
	return err
}

// handle is the Handler of every kind: postings and ticks are recorded,
// the rest does nothing.
func (h *nodeHandlers) handle(ctx context.Context, t jobpilot.Task) error {
	switch t.Kind {
	case jobpilot.TaskProcessPosting:
		return h.ProcessPosting(ctx, t)
	case jobpilot.TaskAutomationRun:
		return h.AutomationRun(ctx, t)
	}
	return nil
}

func envDur(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// nodeMain is the node process: ENGINE_DSN, ENGINE_PG, ENGINE_NODE_ID,
// ENGINE_WORK (per posting), ENGINE_AUTOMATION (interval), ENGINE_RESCUE_AFTER.
func nodeMain() int {
	pg := os.Getenv("ENGINE_PG") == "1"
	db, err := openSQL(os.Getenv("ENGINE_DSN"), pg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	node := os.Getenv("ENGINE_NODE_ID")
	cfg := testConfig(node)
	cfg.Workers = 4
	cfg.AutomationInterval = envDur("ENGINE_AUTOMATION", time.Hour)
	cfg.RescueAfter = envDur("ENGINE_RESCUE_AFTER", time.Hour)
	cfg.ShutdownGrace = 5 * time.Second
	// Unscaled, like the rescue delay: a loaded machine must not turn the
	// node's 100–200 ms of "work" into job timeouts that use up attempts.
	if d := envDur("ENGINE_JOB_TIMEOUT", 0); d > 0 {
		cfg.JobTimeout = d
	}
	h := &nodeHandlers{db: db, pg: pg, node: node, work: envDur("ENGINE_WORK", 100*time.Millisecond)}
	e, err := New(&testDB{db: db, pg: pg}, Options{
		Config:    cfg.Config,
		Kinds:     cfg.testKinds(h.handle),
		Logger:    quietLogger(),
		FastStart: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if err := e.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("READY")
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// node is a running node process.
type node struct {
	cmd     *exec.Cmd
	started time.Time
	ready   time.Time
}

func startNode(t *testing.T, db *testDB, id string, env ...string) *node {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	pgFlag := "0"
	if db.pg {
		pgFlag = "1"
	}
	cmd.Env = append(os.Environ(), append([]string{"ENGINE_NODE=1", "ENGINE_DSN=" + db.dsn, "ENGINE_PG=" + pgFlag, "ENGINE_NODE_ID=" + id}, env...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	n := &node{cmd: cmd, started: time.Now()}
	must(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "READY" {
		t.Fatalf("node %s did not start: %q %v", id, line, err)
	}
	n.ready = time.Now()
	return n
}

func (n *node) kill(t *testing.T) {
	t.Helper()
	must(t, n.cmd.Process.Signal(syscall.SIGKILL))
	_ = n.cmd.Wait()
}

func (n *node) term(t *testing.T) {
	t.Helper()
	must(t, n.cmd.Process.Signal(syscall.SIGTERM))
	if err := n.cmd.Wait(); err != nil {
		t.Fatalf("node exit after SIGTERM: %v", err)
	}
}

// jobStates counts river_job rows per state, for failure messages.
func jobStates(t testing.TB, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT state, count(*) FROM river_job GROUP BY state`)
	must(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		must(t, rows.Scan(&st, &n))
		out[st] = n
	}
	must(t, rows.Err())
	return out
}

func count(t testing.TB, db *sql.DB, q string) int {
	t.Helper()
	var n int
	must(t, db.QueryRow(q).Scan(&n))
	return n
}

func setupNodeDB(t *testing.T, pg bool, postings int) *testDB {
	t.Helper()
	db := newTestDB(t, pg)
	for _, q := range nodeTables {
		_, err := db.SQL().Exec(q)
		must(t, err)
	}
	if postings > 0 {
		// An engine that is never started only inserts.
		e := newEngine(t, db, testConfig("enqueuer"), newRecorder().handle)
		var tasks []jobpilot.Task
		for i := 1; i <= postings; i++ {
			tasks = append(tasks, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: int64(i), ApplicationID: int64(i)})
		}
		must(t, e.Enqueue(context.Background(), tasks...))
	}
	return db
}

// Crash test: a node is SIGKILLed several times mid-work and restarted;
// every posting completes exactly once, none is lost, and work resumes
// within a moment of each restart (this node's orphans are rescued at start).
func TestCrashRecoverySubprocess(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("subprocess crash test")
	}
	dialects(t, func(t *testing.T, pg bool) {
		const postings, kills = 40, 4
		db := setupNodeDB(t, pg, postings)
		sqlDB := db.SQL()
		var resumes []time.Duration
		for k := 0; k < kills; k++ {
			before := count(t, sqlDB, `SELECT count(*) FROM node_exec`)
			done := count(t, sqlDB, `SELECT count(*) FROM node_done`)
			n := startNode(t, db, "crash-node", "ENGINE_WORK=150ms", "ENGINE_JOB_TIMEOUT=30s")
			eventually(t, 20*time.Second, "work resumes", func() bool { return count(t, sqlDB, `SELECT count(*) FROM node_exec`) > before })
			resumes = append(resumes, time.Since(n.started))
			// Kill mid-work, at a point that moves with k: after k+1
			// completions, while the other workers' postings are in flight.
			eventually(t, 20*time.Second, "postings complete", func() bool { return count(t, sqlDB, `SELECT count(*) FROM node_done`) > done+k })
			n.kill(t)
			running := count(t, sqlDB, `SELECT count(*) FROM river_job WHERE state = 'running'`)
			t.Logf("kill %d: %d done, %d executions, %d jobs left running", k+1,
				count(t, sqlDB, `SELECT count(*) FROM node_done`), count(t, sqlDB, `SELECT count(*) FROM node_exec`), running)
		}
		n := startNode(t, db, "crash-node", "ENGINE_WORK=150ms", "ENGINE_JOB_TIMEOUT=30s")
		eventually(t, 2*time.Minute, "all postings done", func() bool {
			done := count(t, sqlDB, `SELECT count(*) FROM river_job WHERE kind = 'process_posting' AND state = 'completed'`) == postings
			if !done && count(t, sqlDB, `SELECT count(*) FROM river_job WHERE state IN ('discarded', 'cancelled')`) > 0 {
				t.Fatalf("jobs given up: %v", jobStates(t, sqlDB))
			}
			return done
		})
		n.term(t)
		if d := count(t, sqlDB, `SELECT count(*) FROM node_done`); d != postings {
			t.Errorf("%d postings done, want %d", d, postings)
		}
		if d := count(t, sqlDB, `SELECT count(*) FROM node_dupe`); d != 0 {
			t.Errorf("%d postings completed twice", d)
		}
		execs := count(t, sqlDB, `SELECT count(*) FROM node_exec`)
		if execs <= postings {
			t.Errorf("%d executions for %d postings: the kills interrupted nothing", execs, postings)
		}
		t.Logf("%d postings done exactly once after %d kills; %d executions (%d interrupted); restart → resumed work: %v",
			postings, kills, execs, execs-postings, resumes)
		for _, r := range resumes[1:] {
			if r > 10*time.Second {
				t.Errorf("resumed %s after restart, want seconds", r)
			}
		}
	})
}

// Multi-node on PostgreSQL: two nodes share the work and the periodic
// schedule runs once per tick across both; killing one leaves the other to
// finish everything, its orphans rescued by River's rescuer after
// RescueAfter (scaled down here; the rescuer itself runs on the leader at
// election and every 30 s, so the dead node is made the leader first).
func TestMultiNodePostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("subprocess multi-node test")
	}
	if os.Getenv(testPGEnv) == "" {
		t.Skip(testPGEnv + " not set")
	}
	const postings = 60
	db := setupNodeDB(t, true, 0)
	sqlDB := db.SQL()
	// The job timeout (which River's rescue delay cannot undercut) is 5 s
	// unscaled: a loaded machine must not time 200 ms of work out until its
	// attempts are used up.
	env := []string{"ENGINE_WORK=200ms", "ENGINE_AUTOMATION=300ms", "ENGINE_RESCUE_AFTER=1s", "ENGINE_JOB_TIMEOUT=5s"}
	a := startNode(t, db, "node-a", env...)
	eventually(t, 20*time.Second, "node-a leads", func() bool {
		return count(t, sqlDB, `SELECT count(*) FROM river_leader WHERE leader_id = 'node-a'`) == 1
	})
	b := startNode(t, db, "node-b", env...)
	// Ticks while both run: one automation_run per tick, not one per node.
	// River schedules tick n+1 exactly one interval (300 ms) after tick n
	// and gives the job that time, however late it is inserted; so two jobs
	// scheduled closer together would be one tick enqueued twice.
	ticks0 := count(t, sqlDB, `SELECT count(*) FROM river_job WHERE kind = 'automation_run'`)
	eventually(t, 20*time.Second, "five ticks with both nodes up", func() bool {
		return count(t, sqlDB, `SELECT count(*) FROM river_job WHERE kind = 'automation_run'`) >= ticks0+5
	})
	if gap := minTickGap(t, sqlDB); gap < 150*time.Millisecond {
		t.Errorf("two automation ticks scheduled %s apart with two nodes, want one per 300ms tick", gap)
	}
	if d := count(t, sqlDB, `SELECT count(*) FROM (SELECT job_id FROM node_tick GROUP BY job_id HAVING count(*) > 1) d`); d != 0 {
		t.Errorf("%d ticks ran on more than one node", d)
	}

	tdb := &testDB{db: sqlDB, pg: true}
	e := newEngine(t, tdb, testConfig("enqueuer"), newRecorder().handle)
	var tasks []jobpilot.Task
	for i := 1; i <= postings; i++ {
		tasks = append(tasks, jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: int64(i)})
	}
	must(t, e.Enqueue(context.Background(), tasks...))
	eventually(t, 20*time.Second, "both nodes work", func() bool {
		return count(t, sqlDB, `SELECT count(DISTINCT node) FROM node_exec`) == 2 &&
			count(t, sqlDB, `SELECT count(*) FROM node_done`) >= 10 &&
			count(t, sqlDB, `SELECT count(*) FROM river_job WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = 'node-a'`) > 0
	})
	a.kill(t)
	killed := time.Now()
	orphans := count(t, sqlDB, `SELECT count(*) FROM river_job WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = 'node-a'`)
	eventually(t, 2*time.Minute, "survivor finishes everything", func() bool {
		done := count(t, sqlDB, `SELECT count(*) FROM river_job WHERE kind = 'process_posting' AND state = 'completed'`) == postings
		if !done && count(t, sqlDB, `SELECT count(*) FROM river_job WHERE state IN ('discarded', 'cancelled')`) > 0 {
			t.Fatalf("jobs given up: %v", jobStates(t, sqlDB))
		}
		return done
	})
	t.Logf("node-a killed with %d jobs running; node-b finished all %d postings %s later", orphans, postings, time.Since(killed).Round(time.Millisecond))
	byNode := map[string]int{}
	rows, err := sqlDB.Query(`SELECT node, count(*) FROM node_done GROUP BY node`)
	must(t, err)
	for rows.Next() {
		var n string
		var c int
		must(t, rows.Scan(&n, &c))
		byNode[n] = c
	}
	must(t, rows.Err())
	rows.Close()
	t.Logf("completions by node: %v", byNode)
	if byNode["node-a"] == 0 || byNode["node-b"] == 0 {
		t.Errorf("work not shared: %v", byNode)
	}
	if d := count(t, sqlDB, `SELECT count(*) FROM node_dupe`); d != 0 {
		t.Errorf("%d postings completed twice", d)
	}
	if d := count(t, sqlDB, `SELECT count(*) FROM node_done`); d != postings {
		t.Errorf("%d postings done, want %d", d, postings)
	}
	// The survivor took over the schedule.
	after := count(t, sqlDB, `SELECT count(*) FROM node_tick WHERE node = 'node-b'`)
	eventually(t, 5*time.Second, "node-b ticks", func() bool { return count(t, sqlDB, `SELECT count(*) FROM node_tick WHERE node = 'node-b'`) > after })
	b.term(t)
}

// minTickGap is the smallest interval between the scheduled times of two
// automation_run jobs (PostgreSQL).
func minTickGap(t *testing.T, db *sql.DB) time.Duration {
	t.Helper()
	rows, err := db.Query(`SELECT scheduled_at FROM river_job WHERE kind = 'automation_run' ORDER BY scheduled_at`)
	must(t, err)
	defer rows.Close()
	gap := time.Duration(math.MaxInt64)
	var prev time.Time
	for rows.Next() {
		var at time.Time
		must(t, rows.Scan(&at))
		if !prev.IsZero() {
			gap = min(gap, at.Sub(prev))
		}
		prev = at
	}
	must(t, rows.Err())
	return gap
}
