// Package httpapi is jobpilot's HTTP surface: the JSON API under /api/v1,
// /health, /metrics, the server-rendered dashboard at / and, optionally,
// River UI at /riverui/.
//
// Everything except /health needs the API token: the API and /metrics as
// "Authorization: Bearer <token>", the dashboard through a login form that
// exchanges the token for a session cookie (HttpOnly, SameSite=Strict,
// Secure over TLS) whose session lives in the database, so signing out ends
// it; its forms carry a per-session CSRF token and cross-origin POSTs are
// refused. Handlers are functions returning
// http.Handler, wired in routes.go; dependencies are small interfaces so
// tests can use the real store with fakes where a real engine is overkill.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
)

// Pipeline is the candidate's actions on applications (*apply.Service):
// the root package's review service, which the API, the dashboard and the
// CLI share.
type Pipeline = jobpilot.Review

// DefaultMaxBody bounds request bodies when Options.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// DefaultLoginReadTimeout is Options.LoginReadTimeout's default.
const DefaultLoginReadTimeout = 5 * time.Second

// maxLoginBody bounds the login form: a token field and a little more.
const maxLoginBody = 4 << 10

// Options are the handler's dependencies: the root package's interfaces
// only, so this package knows neither the engine, nor the composition root,
// nor any heavy dependency (internal/system fills them). Store and Token are
// required; a nil Pipeline, Scheduler, Breakers, Jobs or Health makes the
// endpoints that need it answer 503 (and the dashboard omit the section).
type Options struct {
	Store     jobpilot.Store
	Pipeline  Pipeline
	Scheduler jobpilot.Scheduler
	Breakers  jobpilot.Breakers
	Jobs      jobpilot.JobQueue
	// RiverUI is the job queue's console (engine.RiverUI), served at
	// RiverUIPrefix+"/" behind the session or the token with its own CSP;
	// nil answers 503 there and leaves the dashboard's "Queue" link out.
	// The caller starts and stops it with the server.
	RiverUI http.Handler
	// Sessions keeps the dashboard's sign-ins; nil uses Store when it
	// implements jobpilot.SessionStore (the store does). With neither,
	// signing in answers 503.
	Sessions jobpilot.SessionStore
	// Health reports /health; nil reports the store's ping only.
	Health jobpilot.HealthFunc
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
	// AuthFailuresPerMinute is each client address's budget of wrong
	// credentials (bearer tokens and logins): that many at once, then one
	// more per 1/n minute; past it the address gets 429 (default
	// DefaultAuthFailuresPerMinute).
	AuthFailuresPerMinute int
	// LoginReadTimeout bounds the time a client has to send the login
	// form's body, far below the server's read timeout: the form is a few
	// hundred bytes (default 5 s).
	LoginReadTimeout time.Duration
	// SessionTTL is how long a dashboard login lasts (default 12 h).
	SessionTTL time.Duration
	// Now is the clock (sessions, the chart); nil means time.Now.
	Now func() time.Time
}

// server holds the dependencies the handlers close over.
type server struct {
	Options
	log       *slog.Logger
	sessions  *sessions
	metrics   *httpMetrics
	throttle  *authThrottle
	authFails *authFailures
	counts    countCache
	cards     *cardCache
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
	if opts.AuthFailuresPerMinute <= 0 {
		opts.AuthFailuresPerMinute = DefaultAuthFailuresPerMinute
	}
	if opts.LoginReadTimeout <= 0 {
		opts.LoginReadTimeout = DefaultLoginReadTimeout
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Sessions == nil {
		opts.Sessions, _ = opts.Store.(jobpilot.SessionStore)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &server{
		Options:  opts,
		log:      log.With("component", "http"),
		sessions: newSessions(opts.Token, opts.SessionTTL, opts.Now, opts.Sessions),
		cards:    newCardCache(),
	}
	s.metrics = newHTTPMetrics(opts.Registry)
	s.throttle = newAuthThrottle(opts.AuthFailuresPerMinute, opts.Now)
	s.authFails = newAuthFailures(opts.Registry, s.log)
	registerCollectors(opts.Registry, opts.Store, opts.Jobs, s.log)
	return s.routes()
}
