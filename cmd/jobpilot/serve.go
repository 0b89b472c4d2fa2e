package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jobpilot/jobpilot/internal/system"
)

// ServeCmd is `jobpilot serve`: the long-running service.
type ServeCmd struct{}

// Run migrates the database, loads the examples into an empty one, starts
// the engine (which first rescues this node's jobs orphaned by a crash), the
// supervisor and the HTTP server, and runs until SIGINT or SIGTERM. Then it
// stops taking work, gives running jobs SHUTDOWN_GRACE to finish, cancels
// the rest (they resume after the next start) and exits 0.
func (c *ServeCmd) Run(app *App) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	ctx := app.Ctx
	log := app.Logger
	sys, err := system.Open(ctx, cfg, system.Options{Logger: log, RunOnStart: true})
	if err != nil {
		return err
	}
	defer sys.Close()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listening on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           serveHandler(sys),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()

	if err := sys.Start(ctx); err != nil {
		srv.Close()
		return err
	}
	superviseCtx, stopSupervisor := context.WithCancel(context.Background())
	supervised := make(chan struct{})
	go func() { defer close(supervised); sys.Engine.Supervise(superviseCtx) }()
	log.Info("jobpilot serving", "addr", ln.Addr().String(), "node", sys.Engine.NodeID(),
		"environment", cfg.Environment, "database", dbKind(cfg.IsPostgres()), "examples", sys.ExamplesLoaded)

	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing running jobs", "grace", cfg.Timeouts.Shutdown)
	case err := <-httpDone:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP server failed; shutting down", "err", err)
		}
	}
	stopSupervisor()
	<-supervised
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.Timeouts.Shutdown+10*time.Second)
	defer cancel()
	stopErr := sys.Stop(stopCtx)
	shutdownCtx, cancelHTTP := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHTTP()
	_ = srv.Shutdown(shutdownCtx)
	if stopErr != nil {
		return fmt.Errorf("stopping the engine: %w", stopErr)
	}
	log.Info("jobpilot stopped")
	return nil
}

func dbKind(pg bool) string {
	if pg {
		return "postgres"
	}
	return "sqlite"
}

// serveHandler is the HTTP surface of serve.
func serveHandler(sys *system.System) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		h := sys.Health(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if h.Status == "unhealthy" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(h)
	})
	return mux
}
