// Package httpapi is jobpilot's HTTP surface: the JSON API under /api/v1,
// /health, /metrics, the server-rendered dashboard at / and, optionally,
// River UI at /riverui/.
//
// Everything except /health needs the API token: the API and /metrics as
// "Authorization: Bearer <token>", the dashboard through a login form that
// exchanges the token for an HMAC-signed session cookie (HttpOnly,
// SameSite=Strict, Secure over TLS); its forms carry a per-session CSRF token
// and cross-origin POSTs are refused. Handlers are functions returning
// http.Handler, wired in routes.go; dependencies are small interfaces so
// tests can use the real store with fakes where a real engine is overkill.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// Pipeline is the candidate's actions on applications (*apply.Service).
type Pipeline interface {
	Approve(ctx context.Context, id int64) (*jobpilot.Application, error)
	Reopen(ctx context.Context, id int64, action string) (*jobpilot.Application, error)
	SetManualStatus(ctx context.Context, id int64, status jobpilot.Status) (*jobpilot.Application, error)
}

// Scheduler is the job engine (*engine.Engine).
type Scheduler interface {
	Status() engine.Status
	PeriodicJobs() []engine.PeriodicJob
	Trigger(ctx context.Context, kind jobpilot.TaskKind) error
	Restart(ctx context.Context) error
}

// Breakers is the circuit-breaker registry (*resilience.Registry).
type Breakers interface {
	Snapshot() []resilience.BreakerSnapshot
	Reset(name string) error
}

// Jobs reads the durable job queue for the dashboard and /metrics. See
// RiverJobs for the implementation on River's tables.
type Jobs interface {
	// Counts returns the number of jobs per (state, kind).
	Counts(ctx context.Context) ([]JobCount, error)
	// Last returns, per job kind, the most recent finished (or failing) job.
	Last(ctx context.Context) (map[string]JobResult, error)
}

// DefaultMaxBody bounds request bodies when Options.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// Options are the handler's dependencies. Store and Token are required;
// a nil Pipeline, Scheduler, Breakers, Jobs or Health makes the endpoints
// that need it answer 503 (and the dashboard omit the section).
type Options struct {
	Store     jobpilot.Store
	Pipeline  Pipeline
	Scheduler Scheduler
	Breakers  Breakers
	Jobs      Jobs
	// RiverUI is served at /riverui/ behind the session or the token; nil
	// answers 503 there and leaves the dashboard's "Queue" link out. The
	// caller starts and stops it with the server.
	RiverUI *RiverUI
	// Health reports /health; nil reports the store's ping only.
	Health func(ctx context.Context) system.Health
	// Registry is served at /metrics; the handler adds its HTTP request
	// metrics and the application and job collectors to it. Nil serves a
	// registry of its own.
	Registry *prometheus.Registry
	// Token is the API token (JOBPILOT_API_TOKEN). An empty token refuses
	// every authenticated request: the API is never open by default.
	Token  string
	Logger *slog.Logger
	// MaxBody bounds request bodies in bytes (default 1 MiB); larger ones
	// get 413.
	MaxBody int64
	// SessionTTL is how long a dashboard login lasts (default 12 h).
	SessionTTL time.Duration
	// Now is the clock (sessions, the chart); nil means time.Now.
	Now func() time.Time
}

// FromSystem fills Options from a running System; the caller adds the token.
func FromSystem(sys *system.System) Options {
	return Options{
		Store:     sys.Store,
		Pipeline:  sys.Apply,
		Scheduler: sys.Engine,
		Breakers:  sys.Resilience.Breakers,
		Jobs:      NewRiverJobs(sys.Store.SQL()),
		Health:    sys.Health,
		Registry:  sys.Registry,
		Logger:    sys.Logger,
	}
}

// server holds the dependencies the handlers close over.
type server struct {
	Options
	log      *slog.Logger
	sessions *sessions
	metrics  *httpMetrics
}

// New returns the whole HTTP surface. Registering its collectors with
// Options.Registry is idempotent per registry, so tests may build several
// handlers on one registry.
func New(opts Options) http.Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &server{
		Options:  opts,
		log:      log.With("component", "http"),
		sessions: newSessions(opts.Token, opts.SessionTTL, opts.Now),
	}
	s.metrics = newHTTPMetrics(opts.Registry)
	registerCollectors(opts.Registry, opts.Store, opts.Jobs, s.log)
	return s.routes()
}
