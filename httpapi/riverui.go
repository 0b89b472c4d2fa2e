package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"riverqueue.com/riverui"

	"github.com/jobpilot/jobpilot/engine"
)

// RiverUIPrefix is where River UI is mounted.
const RiverUIPrefix = "/riverui"

// riverUICSP lets River UI's single-page app run its own scripts and nothing
// else: scripts, styles, fonts and API calls from this origin only. Its
// toast and theme libraries add <style> elements at run time, hence
// 'unsafe-inline' for styles (never for scripts); its index page carries its
// settings in a <script type="application/json"> data block, which is not
// executed and needs no script permission.
const riverUICSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"

// RiverUI is River UI (riverqueue.com/riverui), the job queue's web console,
// for mounting at /riverui/ through Options.RiverUI. It answers 503 until
// Start and after Stop.
//
// It works through an inspector client (engine.NewInspector) on the store's
// handle rather than the engine's working client: the supervisor and Restart
// replace that client at any time, while the inspector, never started, sees
// the same tables through the same handle for the whole life of the process.
type RiverUI struct {
	h *riverui.Handler

	mu     sync.Mutex
	stop   context.CancelFunc // nil when not running
	closed bool
}

// NewRiverUI builds River UI on db (the store), served under RiverUIPrefix.
func NewRiverUI(db engine.DB, log *slog.Logger) (*RiverUI, error) {
	if log == nil {
		log = slog.Default()
	}
	client, err := engine.NewInspector(db, log)
	if err != nil {
		return nil, err
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    log.With("component", "riverui"),
		Prefix:    RiverUIPrefix,
	})
	if err != nil {
		return nil, err
	}
	return &RiverUI{h: h}, nil
}

// Start starts River UI's background services (the job counts it caches
// and refreshes); they run until Stop or until ctx ends. Starting a running
// or stopped RiverUI does nothing.
func (u *RiverUI) Start(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.stop != nil || u.closed {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	if err := u.h.Start(ctx); err != nil {
		cancel()
		return err
	}
	u.stop = cancel
	return nil
}

// Stop stops the background services and makes the UI answer 503. River UI
// gives no way to wait for its services to end: they exit as soon as their
// context is cancelled, after their current query at most, so stop it well
// before closing the database (serve stops it before the engine).
func (u *RiverUI) Stop() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.stop != nil {
		u.stop()
		u.stop = nil
	}
	u.closed = true
}

func (u *RiverUI) running() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stop != nil
}

// riverUI serves River UI with its own CSP. It is mounted behind
// requireSessionOrToken and http.CrossOriginProtection: its state-changing
// calls (cancel, retry, delete a job, pause a queue) are same-origin fetches
// carrying the SameSite=Strict session cookie, or scripts with the token.
func (s *server) riverUI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.RiverUI == nil || !s.RiverUI.running() {
			status, detail := statusFor(unavailable("River UI"))
			writeJSON(w, status, ErrorBody{Error: detail})
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", riverUICSP)
		if !strings.HasPrefix(r.URL.Path, RiverUIPrefix+"/assets/") {
			// Pages and API answers show job arguments: keep them out of
			// caches. The hashed assets may be cached.
			h.Set("Cache-Control", "no-store")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBody)
		}
		s.RiverUI.h.ServeHTTP(w, r)
	})
}

// requireSessionOrToken lets a request through with the dashboard's session
// cookie or the API's bearer token. Without either, a browser asking for a
// page (a GET outside the JSON API, with no Authorization header) goes to the
// login form; anything else gets the API's 401.
func (s *server) requireSessionOrToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.session(r); ok || s.bearerOK(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && !strings.HasPrefix(r.URL.Path, RiverUIPrefix+"/api/") {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		s.unauthorized(w)
	})
}
