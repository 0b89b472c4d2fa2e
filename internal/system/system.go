// Package system assembles a running jobpilot from its configuration: the
// store, the resilience policies, the writer, the renderer, the mailer, the
// sources, the pipeline and the engine. The commands (serve, run) and the
// end-to-end tests build the same System, so what the tests prove is what
// runs.
package system

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/store"
)

// Options adjust how a System is built. The zero value builds the production
// system from the configuration alone.
type Options struct {
	Logger *slog.Logger
	// Registry receives every metric; nil creates a fresh one.
	Registry *prometheus.Registry
	// RunOnStart makes fetch and automation also run when the engine starts.
	RunOnStart bool
	// FastStart skips River's staggered start (tests and the run command).
	FastStart bool
	// Now replaces the clock of the pipeline (follow-up tests).
	Now func() time.Time
	// Mailer, Writer and Renderer replace the ones the configuration selects.
	Mailer   jobpilot.Mailer
	Writer   jobpilot.Writer
	Renderer jobpilot.Renderer
	// OnResilienceEvent, when set, also receives every resilience event
	// (retry with its delay, give-up, timeout, breaker transition) as it
	// happens, before it is stored as a service event. It runs on the
	// caller's goroutine, so it must be quick and must not block; tests use
	// it to assert the delays and transitions the policies actually applied.
	OnResilienceEvent func(resilience.Event)
	// AdjustResilience, when set, edits the resilience table after the
	// configuration is written over it and before it is scaled (tests that
	// scale every delay down still give a per-attempt timeout room on a
	// loaded machine).
	AdjustResilience func(*resilience.Config)
}

// System is a wired jobpilot.
type System struct {
	Config     *config.Config
	Store      *store.DB
	Resilience *resilience.Set
	Engine     *engine.Engine
	Apply      *apply.Service
	Registry   *prometheus.Registry
	Logger     *slog.Logger
	// ExamplesLoaded is set when the example profile and postings were loaded
	// into an empty database.
	ExamplesLoaded bool

	events  chan *jobpilot.Event
	onEvent func(resilience.Event)
	stopped chan struct{}
	once    sync.Once
}

// Open builds the system: it secures the data directory (SecureDataDir),
// opens and migrates the database, loads the
// examples into an empty one (unless disabled) and wires every part. The
// engine is not started; call Start.
func Open(ctx context.Context, cfg *config.Config, opts Options) (*System, error) {
	scrub := Scrubber(cfg)
	log := ScrubLogger(opts.Logger, scrub)
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if err := SecureDataDir(cfg, log); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	db.SetScrubber(scrub.String)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s := &System{
		Config:   cfg,
		Store:    db,
		Registry: reg,
		Logger:   log,
		events:   make(chan *jobpilot.Event, 1024),
		onEvent:  opts.OnResilienceEvent,
		stopped:  make(chan struct{}),
	}
	go s.recordEvents()

	rc := ResilienceConfig(cfg)
	if opts.AdjustResilience != nil {
		opts.AdjustResilience(&rc)
	}
	s.Resilience = resilience.NewSet(rc, resilience.Options{
		Logger:  log,
		Metrics: resilience.NewMetrics(reg),
		OnEvent: s.resilienceEvent,
		Redact:  scrub.String,
	})

	if s.Apply, err = s.newPipeline(cfg, opts); err != nil {
		s.Close()
		return nil, err
	}
	if cfg.OpenAI.EmbeddingsModel != "" {
		s.Apply.Embedder = newEmbedder(cfg, s.Resilience, log)
		s.Apply.EmbeddingCache = db
	}
	kinds, err := jobKinds(cfg, s.Apply, opts.RunOnStart)
	if err != nil {
		s.Close()
		return nil, err
	}
	eng, err := engine.New(db, engine.Options{
		Config:     engineConfig(cfg),
		Kinds:      kinds,
		Logger:     log,
		Metrics:    reg,
		FastStart:  opts.FastStart,
		ScrubError: scrub.Error,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Engine = eng
	// The store enqueues a change's tasks in the change's own transaction.
	db.SetTaskInserter(eng)
	s.Apply.Enqueue = eng.Enqueue

	if err := s.loadExamples(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newPipeline wires the pipeline: the writer, renderer and mailer the
// configuration selects (or opts gives), the sources, and the email policy.
func (s *System) newPipeline(cfg *config.Config, opts Options) (*apply.Service, error) {
	log, db := s.Logger, s.Store
	writer := opts.Writer
	if writer == nil {
		writer = NewWriter(cfg, s.Resilience, log, s.Registry)
	}
	renderer := opts.Renderer
	if renderer == nil {
		renderer = document.New()
	}
	mailer := opts.Mailer
	if mailer == nil {
		var err error
		if mailer, err = newMailer(cfg, log); err != nil {
			return nil, err
		}
	}
	sources, err := buildSources(cfg, s.Resilience, log)
	if err != nil {
		return nil, err
	}
	inbox, err := newInbox(cfg, s.Resilience, db, log)
	if err != nil {
		return nil, err
	}
	return &apply.Service{
		Inbox:     inbox,
		Notifiers: notifiers(cfg, mailer),
		NotifyPolicy: func(channel string) jobpilot.Executor {
			return s.Resilience.Service(resilience.ServiceNotify + ":" + channel)
		},
		Breakers:     s.Resilience.Breakers.Snapshot,
		BCCSelf:      cfg.Mailbox.CopiesToSelf(),
		Store:        db,
		Sources:      sources,
		Writer:       writer,
		Renderer:     renderer,
		Mailer:       mailer,
		Email:        s.Resilience.Service(resilience.ServiceEmail),
		Mode:         jobpilot.ApplyMode(cfg.Apply.Mode),
		FollowUpDays: cfg.Apply.FollowUpDays,
		From:         cfg.SMTP.From,
		Delivery:     deliveryOf(mailer),
		SendDelay:    scaled(cfg, cfg.Apply.SendDelay),
		StaleAfter:   requeueStuckAfter(cfg),
		Logger:       log,
		Now:          opts.Now,
		Fetch: func(ctx context.Context, srcs []jobpilot.Source) []apply.FetchReport {
			var out []apply.FetchReport
			for _, r := range source.FetchAll(ctx, srcs, db, nil) {
				out = append(out, apply.FetchReport{Source: r.Source, Fetched: r.Fetched, Result: r.Result, Err: r.Err, Elapsed: r.Elapsed})
			}
			return out
		},
	}, nil
}

// loadExamples loads the example profile and postings into an empty
// database, unless JOBPILOT_EXAMPLES is off.
func (s *System) loadExamples(ctx context.Context) error {
	if !s.Config.Examples {
		return nil
	}
	loaded, err := examples.Load(ctx, s.Store)
	if loaded {
		s.ExamplesLoaded = true
		s.Logger.Info("loaded the example profile and postings into an empty database (fictional; set JOBPILOT_EXAMPLES=off to start empty)")
	}
	return err
}

// resilienceEvent keeps the service-wide history the dashboard shows:
// retries, give-ups, timeouts and breaker transitions. It never blocks the
// call it observes; when the buffer is full the event is only logged.
func (s *System) resilienceEvent(ev resilience.Event) {
	if s.onEvent != nil {
		s.onEvent(ev)
	}
	kind := map[string]string{
		"retry": jobpilot.EventRetry, "give_up": jobpilot.EventGiveUp,
		"timeout": jobpilot.EventTimeout, "breaker": jobpilot.EventBreaker,
	}[ev.Kind]
	if kind == "" {
		kind = jobpilot.EventNote
	}
	data := map[string]string{"service": ev.Service}
	if ev.Breaker != "" {
		data["breaker"], data["from"], data["to"] = ev.Breaker, ev.From, ev.To
	}
	select {
	case s.events <- &jobpilot.Event{Kind: kind, Message: ev.Message, Data: data}:
	default:
	}
}

func (s *System) recordEvents() {
	defer close(s.stopped)
	for e := range s.events {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.Store.AddEvent(ctx, e); err != nil {
			s.Logger.Debug("service event not stored", "err", err)
		}
		cancel()
	}
}

// Start starts the engine (which rescues this node's orphaned jobs first).
func (s *System) Start(ctx context.Context) error { return s.Engine.Start(ctx) }

// Stop stops the engine gracefully: running jobs get SHUTDOWN_GRACE to
// finish, then they are cancelled and resume after the next start.
func (s *System) Stop(ctx context.Context) error { return s.Engine.Stop(ctx) }

// Close releases the database after the engine has stopped.
func (s *System) Close() error {
	var err error
	s.once.Do(func() {
		close(s.events)
		<-s.stopped
		err = s.Store.Close()
	})
	return err
}

// Health reports the system's state (jobpilot.HealthOf): unhealthy when
// the database or the scheduler is down, degraded while a circuit breaker is
// not closed, healthy otherwise. The database check is bounded by 5 s; error
// texts are the store's own and never carry secrets.
func (s *System) Health(ctx context.Context) jobpilot.Health {
	h := jobpilot.Health{
		Environment: s.Config.Environment,
		Version:     jobpilot.Version,
		Scheduler:   s.Engine.Status(),
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Store.Ping(pctx); err != nil {
		h.Database.Error = jobpilot.ErrorMessage(err)
	} else {
		h.Database.OK = true
	}
	return jobpilot.HealthOf(h, s.Resilience.Breakers.Snapshot())
}
