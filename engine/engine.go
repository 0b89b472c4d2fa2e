package engine

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/store"
)

// DB is what the engine needs from the store; *store.DB satisfies it (pass
// it to New). SQL is
// called again whenever the supervisor builds a new River client, so a store
// that reopened its handle hands out the new one.
type DB interface {
	SQL() *sql.DB
	Postgres() bool
}

// Options configure an Engine.
type Options struct {
	Config   *config.Config        // required: Scheduler, Timeouts, Retry, TimeScale, NodeID
	Handlers Handlers              // required
	Logger   *slog.Logger          // nil = slog.Default(); River's own logs are passed at warn level and above
	Metrics  prometheus.Registerer // optional

	// RunOnStart makes fetch_postings and automation_run also run once when
	// the engine (re)starts, not one interval later (serve sets it).
	RunOnStart bool

	// FastStart skips River's randomly staggered start of its maintenance
	// services (periodic jobs, rescuer), which otherwise delays the first
	// periodic run by a few seconds. For tests.
	FastStart bool
}

// Engine runs durable jobs on River. It is safe for concurrent use.
type Engine struct {
	db       DB
	opts     Options
	cfg      *config.Config
	log      *slog.Logger
	metrics  *metrics
	nodeID   string
	backoff  backoff
	periodic []*periodicDef

	mu       sync.Mutex
	rt       *runtime // the current River client; replaced by the supervisor
	started  bool     // Start succeeded and Stop was not called
	closed   bool     // Stop was called: the supervisor no longer restarts
	healthy  bool     // the last check's verdict
	restarts int
	// releaseNode gives up the node identity taken at Start (see nodeLocker).
	releaseNode func()
	lastCheck   time.Time
}

// runtime is one River client and the handle it was built on. A River client
// cannot be started again after Stop, so the supervisor builds a new runtime.
type runtime struct {
	client   *river.Client[*sql.Tx]
	sqlDB    *sql.DB
	stopping *atomic.Bool
	started  bool
}

// New builds an engine (and its first River client, not started). It
// registers itself with db as the store's task inserter when db supports it,
// so the store's Change.Tasks are enqueued in the store's own transaction.
func New(db DB, opts Options) (*Engine, error) {
	if db == nil || opts.Config == nil || opts.Handlers == nil {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "engine: db, Config and Handlers are required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{
		db:      db,
		opts:    opts,
		cfg:     opts.Config,
		log:     log.With("component", "engine"),
		backoff: backoffFrom(opts.Config),
		nodeID:  NodeID(opts.Config),
	}
	var err error
	if e.metrics, err = newMetrics(opts.Metrics); err != nil {
		return nil, err
	}
	if e.periodic, err = periodicDefs(opts.Config, opts.RunOnStart); err != nil {
		return nil, err
	}
	if e.rt, err = e.newRuntime(); err != nil {
		return nil, err
	}
	registerInserter(db, e)
	return e, nil
}

// registerInserter registers e as db's task inserter when db is a store
// (*store.DB) or anything else that accepts one.
func registerInserter(db DB, e *Engine) {
	if s, ok := db.(interface{ SetTaskInserter(store.TaskInserter) }); ok {
		s.SetTaskInserter(e)
	}
}

var (
	_ DB                 = (*store.DB)(nil)
	_ store.TaskInserter = (*Engine)(nil)
)

// NodeID is this process's stable identity, River's client ID: cfg.NodeID,
// or the host name plus a short hash of the database URL and data directory,
// so a restarted process on the same host and data recognises its orphans.
func NodeID(cfg *config.Config) string {
	if cfg.NodeID != "" {
		return cfg.NodeID
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	sum := sha256.Sum256([]byte(cfg.DatabaseURL + "\x00" + cfg.DataDir))
	return host + "-" + hex.EncodeToString(sum[:4])
}

// timeouts are JOB_TIMEOUT and AUTOMATION_TIMEOUT scaled by TimeScale (the
// resilience table's job and automation rows), with the guide's 600 s and
// 3600 s when unset.
func (e *Engine) timeouts() (job, automation time.Duration) {
	scale := e.cfg.TimeScale
	if scale <= 0 {
		scale = 1
	}
	job = time.Duration(float64(orDur(e.cfg.Timeouts.Job, 600*time.Second)) * scale)
	automation = time.Duration(float64(orDur(e.cfg.Timeouts.Automation, 3600*time.Second)) * scale)
	return job, automation
}

func (e *Engine) driver(db *sql.DB) riverdriver.Driver[*sql.Tx] {
	return driverFor(e.db.Postgres(), db)
}

// driverFor is River's driver for a store handle: database/sql on
// PostgreSQL (the store's pool is pgx's stdlib), riversqlite otherwise.
func driverFor(postgres bool, db *sql.DB) riverdriver.Driver[*sql.Tx] {
	if postgres {
		return riverdatabasesql.New(db)
	}
	return riversqlite.New(db)
}

func (e *Engine) newRuntime() (*runtime, error) {
	rt := &runtime{sqlDB: e.db.SQL(), stopping: new(atomic.Bool)}
	if rt.sqlDB == nil {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "engine: db.SQL() is nil")
	}
	jobTimeout, autoTimeout := e.timeouts()
	h := e.opts.Handlers
	workers := river.NewWorkers()
	env := workerEnv{backoff: e.backoff, stopping: rt.stopping, metrics: e.metrics}
	addWorker[ProcessPostingArgs](workers, env, h.ProcessPosting, jobTimeout)
	addWorker[SendApplicationArgs](workers, env, h.SendApplication, jobTimeout)
	addWorker[AutomationRunArgs](workers, env, h.AutomationRun, autoTimeout)
	addWorker[FetchPostingsArgs](workers, env, h.FetchPostings, autoTimeout)
	addWorker[FollowUpsArgs](workers, env, h.FollowUps, autoTimeout)
	addWorker[CleanupArgs](workers, env, h.Cleanup, jobTimeout)

	periodic := make([]*river.PeriodicJob, 0, len(e.periodic))
	for _, p := range e.periodic {
		periodic = append(periodic, p.riverJob())
	}
	nWorkers := e.cfg.Scheduler.Workers
	if nWorkers <= 0 {
		nWorkers = 10
	}
	// River requires RescueStuckJobsAfter ≥ the client's JobTimeout; kinds
	// with a longer Timeout are rescued only once that has passed too.
	rescueAfter := max(orDur(e.cfg.Scheduler.RescueAfter, jobTimeout+60*time.Second), jobTimeout)
	grace := orDur(e.cfg.Timeouts.Shutdown, 30*time.Second)
	client, err := river.NewClient(e.driver(rt.sqlDB), &river.Config{
		ID:                   e.nodeID,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: nWorkers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		MaxAttempts:          maxAttemptsProcess,
		// Neither database/sql driver listens (no LISTEN/NOTIFY): poll, but
		// often enough that new work starts within a tenth of a second.
		FetchPollInterval: 100 * time.Millisecond,
		FetchCooldown:     10 * time.Millisecond,
		SoftStopTimeout:   grace,
		ErrorHandler:      &errorHandler{log: e.log, metrics: e.metrics},
		Logger:            slog.New(minLevel{e.log.Handler(), slog.LevelWarn}),
		TestOnly:          e.opts.FastStart,
	})
	if err != nil {
		return nil, fmt.Errorf("engine: new river client: %w", err)
	}
	rt.client = client
	return rt, nil
}

type workerEnv struct {
	backoff  backoff
	stopping *atomic.Bool
	metrics  *metrics
}

func addWorker[T taskArgs](workers *river.Workers, env workerEnv, handle func(context.Context, jobpilot.Task) error, timeout time.Duration) {
	river.AddWorker[T](workers, &worker[T]{handle: handle, timeout: timeout, backoff: env.backoff, stopping: env.stopping, metrics: env.metrics})
}

// Client is the current River client (the supervisor may replace it).
func (e *Engine) Client() *river.Client[*sql.Tx] {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rt.client
}

// NodeID is the River client ID this engine runs as.
func (e *Engine) NodeID() string { return e.nodeID }

// InsertTasks enqueues tasks inside tx, so they exist exactly when tx commits
// (store.TaskInserter). All tasks are validated first; an unknown kind or a
// task missing its ids is EINVALID and nothing is inserted. A task that
// duplicates a unique job still queued or running is skipped silently.
func (e *Engine) InsertTasks(ctx context.Context, tx *sql.Tx, tasks []jobpilot.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	params, err := insertParams(tasks)
	if err != nil {
		return err
	}
	if _, err := e.Client().InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("engine: insert %d task(s): %w", len(tasks), err)
	}
	return nil
}

// Enqueue inserts tasks in their own transaction. Never call it while holding
// a transaction on SQLite (one connection): use InsertTasks with that tx.
func (e *Engine) Enqueue(ctx context.Context, tasks ...jobpilot.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	params, err := insertParams(tasks)
	if err != nil {
		return err
	}
	if _, err := e.Client().InsertMany(ctx, params); err != nil {
		return fmt.Errorf("engine: enqueue %d task(s): %w", len(tasks), err)
	}
	return nil
}

// Start rescues this node's orphaned jobs (left running by a killed process
// with the same NodeID) and starts River with the periodic jobs. The client
// runs until Stop, independent of ctx's cancellation (so a signal context
// does not turn a graceful Stop into a hard one); ctx bounds start-up only.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return jobpilot.Errorf(jobpilot.ECONFLICT, "engine: stopped; build a new engine")
	}
	if e.started {
		return nil
	}
	if nl, ok := e.db.(nodeLocker); ok && e.releaseNode == nil {
		release, err := nl.LockNode(ctx, e.nodeID)
		if err != nil {
			return err
		}
		e.releaseNode = release
	}
	if err := e.startRuntime(ctx, e.rt, true); err != nil {
		if e.releaseNode != nil { // e.mu is held: release directly
			e.releaseNode()
			e.releaseNode = nil
		}
		return err
	}
	e.started, e.healthy, e.lastCheck = true, true, time.Now()
	e.metrics.running.Set(1)
	return nil
}

// nodeLocker is implemented by a store that can claim a node identity for
// the life of the process (*store.DB): Start then refuses to run as a node
// that another live process already is, because rescuing "our" orphans at
// start would take that process's running jobs.
type nodeLocker interface {
	LockNode(ctx context.Context, nodeID string) (release func(), err error)
}

func (e *Engine) unlockNode() {
	e.mu.Lock()
	release := e.releaseNode
	e.releaseNode = nil
	e.mu.Unlock()
	if release != nil {
		release()
	}
}

// startRuntime must be called with e.mu held.
func (e *Engine) startRuntime(ctx context.Context, rt *runtime, rescue bool) error {
	if rescue {
		n, err := rescueOrphans(ctx, rt.sqlDB, e.db.Postgres(), e.nodeID)
		if err != nil {
			return fmt.Errorf("engine: rescue orphaned jobs: %w", err)
		}
		if n > 0 {
			e.log.Warn("rescued jobs left running by a previous process of this node", "node_id", e.nodeID, "jobs", n)
			e.metrics.rescued.Add(float64(n))
		}
	}
	if n, err := releaseLeadership(ctx, rt.sqlDB, e.db.Postgres(), e.nodeID); err != nil {
		return fmt.Errorf("engine: release stale leadership: %w", err)
	} else if n > 0 {
		e.log.Info("released a stale leadership lease of this node", "node_id", e.nodeID)
	}
	if err := rt.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("engine: start river: %w", err)
	}
	rt.started = true
	e.log.Info("engine started", "node_id", e.nodeID, "periodic_jobs", len(e.periodic))
	return nil
}

// Stop shuts down gracefully: no new jobs are fetched, running jobs get
// Timeouts.Shutdown (SHUTDOWN_GRACE) to finish, then their contexts are
// cancelled; a handler that returns because of that cancellation has its job
// snoozed (not failed), so it runs again at the next start here or on another
// node. Stop returns once every job has returned or ctx is done (then the
// remaining jobs are abandoned as "running" and rescued at the next start).
// The supervisor does not restart a stopped engine.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	rt := e.rt
	active := e.started && rt.started
	e.started = false
	e.mu.Unlock()
	e.metrics.running.Set(0)
	if !active {
		e.unlockNode()
		return nil
	}
	err := e.stopRuntime(ctx, rt)
	e.unlockNode()
	e.log.Info("engine stopped", "node_id", e.nodeID, "error", err)
	return err
}

func (e *Engine) stopRuntime(ctx context.Context, rt *runtime) error {
	rt.stopping.Store(true)
	// SoftStopTimeout makes River cancel running jobs after the grace.
	err := rt.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		// The caller's deadline came first: cancel now and give jobs a
		// moment to record their snooze.
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if err2 := rt.client.StopAndCancel(hard); err2 != nil {
			return errors.Join(err, err2)
		}
		return nil
	}
	return err
}

// Status is the engine's state for /health.
type Status struct {
	Running   bool      `json:"running"`
	Jobs      int       `json:"jobs"` // number of periodic jobs
	Restarts  int       `json:"restarts"`
	LastCheck time.Time `json:"last_check"`
	NodeID    string    `json:"node_id"`
}

// Status reports whether the engine runs (started, not stopped, its River
// client alive and the last health check good), its periodic job count,
// supervisor restarts and the last check's time.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	running := e.started && e.healthy && e.rt.started
	if running {
		select {
		case <-e.rt.client.Stopped():
			running = false
		default:
		}
	}
	return Status{Running: running, Jobs: len(e.periodic), Restarts: e.restarts, LastCheck: e.lastCheck, NodeID: e.nodeID}
}

// Trigger runs a periodic job now (fetch_postings for all sources,
// automation_run, follow_ups or cleanup), even if one is already queued or
// running; other kinds are EINVALID.
func (e *Engine) Trigger(ctx context.Context, kind jobpilot.TaskKind) error {
	var known bool
	for _, p := range e.periodic {
		known = known || p.kind == kind
	}
	if !known {
		return jobpilot.FieldError("kind", "%q is not a periodic job", kind)
	}
	args, err := argsFor(jobpilot.Task{Kind: kind})
	if err != nil {
		return err
	}
	if _, err := e.Client().Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("engine: trigger %s: %w", kind, err)
	}
	return nil
}

// minLevel drops records below a level (River logs routine events at info).
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
