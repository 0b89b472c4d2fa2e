// Package system assembles a running jobpilot from its configuration: the
// store, the resilience policies, the writer, the renderer, the mailer, the
// sources, the pipeline and the engine. The commands (serve, run) and the
// end-to-end tests build the same System, so what the tests prove is what
// runs.
package system

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/mail"
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

// Open builds the system: it opens and migrates the database, loads the
// examples into an empty one (unless disabled) and wires every part. The
// engine is not started; call Start.
func Open(ctx context.Context, cfg *config.Config, opts Options) (*System, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
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

	s.Resilience = resilience.NewSet(resilience.MatrixFrom(cfg), resilience.Options{
		Logger:  log,
		Metrics: resilience.NewMetrics(reg),
		OnEvent: s.resilienceEvent,
	})

	writer := opts.Writer
	if writer == nil {
		if writer, err = newWriter(cfg, s.Resilience, log, reg); err != nil {
			s.Close()
			return nil, err
		}
	}
	renderer := opts.Renderer
	if renderer == nil {
		renderer = document.New()
	}
	mailer := opts.Mailer
	if mailer == nil {
		if cfg.SMTP.Host == "" {
			mailer = mail.NewOutbox(mail.OutboxDir(cfg.DataDir), mail.WithLogger(log))
		} else if mailer, err = mail.New(cfg.SMTP, mail.WithLogger(log)); err != nil {
			s.Close()
			return nil, err
		}
	}
	sources, err := buildSources(cfg, s.Resilience, log)
	if err != nil {
		s.Close()
		return nil, err
	}

	s.Apply = &apply.Service{
		Store:        db,
		Sources:      sources,
		Writer:       writer,
		Renderer:     renderer,
		Mailer:       mailer,
		Resilience:   s.Resilience,
		Mode:         jobpilot.ApplyMode(cfg.Apply.Mode),
		FollowUpDays: cfg.Apply.FollowUpDays,
		From:         cfg.SMTP.From,
		StaleAfter:   cfg.Timeouts.Job + time.Hour,
		Logger:       log,
		Now:          opts.Now,
		Fetch: func(ctx context.Context, srcs []jobpilot.Source) []apply.FetchReport {
			var out []apply.FetchReport
			for _, r := range source.FetchAll(ctx, srcs, db, nil) {
				out = append(out, apply.FetchReport{Source: r.Source, Fetched: r.Fetched, Result: r.Result, Err: r.Err, Elapsed: r.Elapsed})
			}
			return out
		},
	}
	if cfg.OpenAI.EmbeddingsModel != "" {
		s.Apply.Embedder = newEmbedder(cfg, s.Resilience, log)
		s.Apply.EmbeddingCache = db
	}
	eng, err := engine.New(db, engine.Options{
		Config:     cfg,
		Handlers:   s.Apply,
		Logger:     log,
		Metrics:    reg,
		RunOnStart: opts.RunOnStart,
		FastStart:  opts.FastStart,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Engine = eng
	s.Apply.Enqueue = eng.Enqueue

	if cfg.Examples {
		loaded, err := apply.LoadExamples(ctx, db)
		if err != nil {
			s.Close()
			return nil, err
		}
		if loaded {
			s.ExamplesLoaded = true
			log.Info("loaded the example profile and postings into an empty database (fictional; set JOBPILOT_EXAMPLES=off to start empty)")
		}
	}
	return s, nil
}

// newWriter picks the writer: the template writer when no LLM is configured
// (or JOBPILOT_WRITER=template), the LLM writer otherwise.
func newWriter(cfg *config.Config, set *resilience.Set, log *slog.Logger, reg prometheus.Registerer) (jobpilot.Writer, error) {
	return llm.NewWriter(cfg, set, llm.WithLogger(log), llm.WithRegisterer(reg))
}

func buildSources(cfg *config.Config, set *resilience.Set, log *slog.Logger) ([]jobpilot.Source, error) {
	client := source.NewClient(source.ClientOptions{Policies: source.ResiliencePolicies(set), Logger: log})
	var out []jobpilot.Source
	for _, sc := range cfg.Sources {
		src, err := source.New(sc, client)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", sc.Name, err)
		}
		out = append(out, src)
	}
	return out, nil
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

// Health is the state /health reports.
type Health struct {
	Status          string                   `json:"status"` // healthy, degraded, unhealthy
	Environment     string                   `json:"environment"`
	Version         string                   `json:"version"`
	Scheduler       engine.Status            `json:"scheduler"`
	Database        DatabaseHealth           `json:"database"`
	CircuitBreakers map[string]BreakerHealth `json:"circuit_breakers"`
	Examples        bool                     `json:"examples,omitempty"`
}

// DatabaseHealth says whether the database answers.
type DatabaseHealth struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// BreakerHealth is one breaker in /health.
type BreakerHealth struct {
	State            string  `json:"state"`
	Failures         int     `json:"failures"`
	FailureThreshold int     `json:"failure_threshold"`
	RetryInSeconds   float64 `json:"retry_in_seconds,omitempty"`
}

// Health reports the system's state: unhealthy when the database or the
// scheduler is down, degraded while a circuit breaker is not closed, healthy
// otherwise. Error texts are the store's own and never carry secrets.
func (s *System) Health(ctx context.Context) Health {
	h := Health{
		Status:          "healthy",
		Environment:     s.Config.Environment,
		Version:         jobpilot.Version,
		Scheduler:       s.Engine.Status(),
		CircuitBreakers: map[string]BreakerHealth{},
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Store.Ping(pctx); err != nil {
		h.Database.Error = jobpilot.ErrorMessage(err)
	} else {
		h.Database.OK = true
	}
	for _, b := range s.Resilience.Breakers.Snapshot() {
		h.CircuitBreakers[b.Name] = BreakerHealth{
			State: b.State, Failures: b.Failures, FailureThreshold: b.FailureThreshold,
			RetryInSeconds: b.RetryIn.Seconds(),
		}
		if b.State != "closed" && h.Status == "healthy" {
			h.Status = "degraded"
		}
	}
	if !h.Database.OK || !h.Scheduler.Running {
		h.Status = "unhealthy"
	}
	return h
}

// newEmbedder builds the embeddings client of OPENAI_EMBEDDINGS_MODEL on the
// LLM endpoint, under a service of its own ("embeddings": the cover letter's
// retries and timeout) on the shared "openai" breaker.
func newEmbedder(cfg *config.Config, set *resilience.Set, log *slog.Logger) *llm.Embedder {
	m := resilience.MatrixFrom(cfg)
	st := m.CoverLetter
	st.Name, st.Operation = "embeddings", "embed_texts"
	return llm.NewEmbedder(cfg.OpenAI, set.Breakers.Service(st, m.OpenAIBreaker), llm.WithLogger(log))
}
