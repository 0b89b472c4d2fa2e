package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/logrepeat"
)

// DB is what the engine needs from the store; *store.DB satisfies it. SQL
// is called again whenever the supervisor builds a new River client, so a
// store that reopened its handle hands out the new one.
type DB interface {
	SQL() *sql.DB
	Postgres() bool
}

// Options configure an Engine.
type Options struct {
	Config  Config                // NodeID is required; the rest has defaults
	Kinds   *Kinds                // required: the job kinds this engine runs
	Logger  *slog.Logger          // nil = slog.Default(); River's own logs are passed at warn level and above
	Metrics prometheus.Registerer // optional

	// FastStart skips River's randomly staggered start of its maintenance
	// services (periodic jobs, rescuer), which otherwise delays the first
	// periodic run by a few seconds. For tests and the run command.
	FastStart bool

	// ScrubError, when set, cleans a handler's error before River keeps its
	// text in the job row (River UI, the last results): internal/system
	// removes the configured secrets with it. It must keep the error's
	// chain (errors.Is and errors.As), which the error mapping reads.
	ScrubError func(error) error
}

// Engine runs durable jobs on River. It is safe for concurrent use.
type Engine struct {
	db        DB
	cfg       Config
	kinds     *Kinds
	fastStart bool
	log       *slog.Logger
	// riverLog is River's logger: warnings and errors only, each kind of
	// line written once a RepeatedLogWindow and then summarised (a database
	// outage makes River repeat the same error several times a second).
	riverLog *logrepeat.Handler
	metrics  *metrics
	scrub    func(error) error
	live     *liveJobs // the jobs this process's workers run (phantom.go)

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

// New builds an engine (and its first River client, not started) for the
// kinds registered in opts.Kinds; registering more kinds afterwards does not
// change it. To have a store's changes enqueue their tasks in the change's
// own transaction, register the engine with it as its jobpilot.TaskInserter.
func New(db DB, opts Options) (*Engine, error) {
	if db == nil || opts.Kinds == nil || len(opts.Kinds.order) == 0 {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "engine: a database and at least one job kind are required")
	}
	if opts.Config.NodeID == "" {
		return nil, jobpilot.FieldError("node_id", "engine: a node id is required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg := opts.Config.withDefaults()
	e := &Engine{
		db:        db,
		cfg:       cfg,
		kinds:     opts.Kinds.clone(cfg.JobTimeout),
		fastStart: opts.FastStart,
		log:       log.With("component", "engine"),
		scrub:     opts.ScrubError,
		live:      newLiveJobs(),
	}
	e.riverLog = logrepeat.New(minLevel{e.log.Handler(), slog.LevelWarn}, cfg.RepeatedLogWindow)
	var err error
	if e.metrics, err = newMetrics(opts.Metrics); err != nil {
		return nil, err
	}
	if e.rt, err = e.newRuntime(); err != nil {
		return nil, err
	}
	return e, nil
}

// NodeID is the River client ID this engine runs as.
func (e *Engine) NodeID() string { return e.cfg.NodeID }

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
		release, err := nl.LockNode(ctx, e.cfg.NodeID)
		if err != nil {
			return err
		}
		e.releaseNode = release
	}
	if err := e.startRuntime(ctx, e.rt); err != nil {
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
//
// Before the client starts, this node's jobs recorded as running that no
// worker of this process runs are made available again at once: at Start
// those a killed predecessor left, at a replacement those of the client
// that was stopped (a handler that ignored its cancellation and still runs
// keeps its job). Without it they would wait for River's rescuer (the
// leader's, every 30 s, after RescueAfter), and a periodic one would hold
// back its schedule. The attempt counter is kept: the job comes back to its
// handler with the next attempt number.
func (e *Engine) startRuntime(ctx context.Context, rt *runtime) error {
	n, err := releasePhantoms(ctx, rt.sqlDB, e.db.Postgres(), e.cfg.NodeID, e.live, 0)
	if err != nil {
		return fmt.Errorf("engine: rescue orphaned jobs: %w", err)
	}
	if n > 0 {
		e.log.Warn("rescued jobs left running by a previous process or client of this node", "node_id", e.cfg.NodeID, "jobs", n)
		e.metrics.rescued.Add(float64(n))
	}
	if n, err := releaseLeadership(ctx, rt.sqlDB, e.db.Postgres(), e.cfg.NodeID); err != nil {
		return fmt.Errorf("engine: release stale leadership: %w", err)
	} else if n > 0 {
		e.log.Info("released a stale leadership lease of this node", "node_id", e.cfg.NodeID)
	}
	if err := rt.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("engine: start river: %w", err)
	}
	rt.started = true
	e.log.Info("engine started", "node_id", e.cfg.NodeID, "periodic_jobs", e.kinds.periodicCount())
	return nil
}

// Stop shuts down gracefully: no new jobs are fetched, running jobs get
// Config.ShutdownGrace to finish, then their contexts are
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
	e.riverLog.Flush()
	e.unlockNode()
	e.log.Info("engine stopped", "node_id", e.cfg.NodeID, "error", err)
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

// Status reports whether the engine runs (started, not stopped, its River
// client alive and the last health check good), its periodic job count,
// supervisor restarts and the last check's time.
func (e *Engine) Status() jobpilot.SchedulerStatus {
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
	return jobpilot.SchedulerStatus{Running: running, Jobs: e.kinds.periodicCount(), Restarts: e.restarts, LastCheck: e.lastCheck, NodeID: e.cfg.NodeID}
}
