package engine

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"riverqueue.com/riverui"
)

// RiverUI is River UI (riverqueue.com/riverui), the job queue's web console,
// as a plain http.Handler for the HTTP layer to mount under prefix. It
// answers 503 until Start and after Stop. It has no authentication of its
// own: the caller mounts it behind its own.
//
// It works through an inspector client (NewInspector) on the store's handle
// rather than the engine's working client: the supervisor and Restart
// replace that client at any time, while the inspector, never started, sees
// the same tables through the same handle for the whole life of the process.
type RiverUI struct {
	h *riverui.Handler

	mu     sync.Mutex
	stop   context.CancelFunc // nil when not running
	closed bool
}

// NewRiverUI builds River UI on db (the store), served under prefix (for
// example "/riverui": its pages link their assets and API below it).
func NewRiverUI(db DB, prefix string, log *slog.Logger) (*RiverUI, error) {
	if log == nil {
		log = slog.Default()
	}
	client, err := NewInspector(db, log)
	if err != nil {
		return nil, err
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    log.With("component", "riverui"),
		Prefix:    prefix,
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

// ServeHTTP serves River UI's app and JSON API, or 503 (plain text naming
// River UI) while it is not running.
func (u *RiverUI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !u.running() {
		http.Error(w, "River UI is not running in this process", http.StatusServiceUnavailable)
		return
	}
	u.h.ServeHTTP(w, r)
}
