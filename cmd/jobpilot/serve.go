package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/system"
)

// ServeCmd is `jobpilot serve`: the long-running service.
type ServeCmd struct {
	Force bool `help:"Start in direct mode even for a profile whose preferences do not say what you look for."`
}

// Run migrates the database, loads the examples into an empty one, starts
// the engine (which first rescues this node's jobs orphaned by a crash), the
// supervisor and the HTTP server (with River UI at /riverui/), and runs until
// SIGINT or SIGTERM. Then it
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
	if !c.Force {
		if err := system.CheckDirectMode(ctx, sys.Store, jobpilot.ApplyMode(cfg.Apply.Mode)); err != nil {
			return err
		}
	}

	token, err := apiToken(cfg.APIToken, cfg.DataDir, log)
	if err != nil {
		return err
	}
	// River UI at /riverui/: its background services run from before the
	// first request until the shutdown begins.
	ui, err := sys.NewRiverUI()
	if err != nil {
		return err
	}
	if err := ui.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting River UI: %w", err)
	}
	defer ui.Stop()
	opts := sys.HTTPOptions()
	opts.Token = token
	opts.RiverUI = ui
	handler := httpapi.New(opts)

	ln, err := sys.Listen()
	if err != nil {
		return err
	}
	srv := sys.HTTPServer(handler)
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
	// River UI answers 503 from now on; its services get the engine's grace
	// to end before the database closes.
	ui.Stop()
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

// apiToken returns JOBPILOT_API_TOKEN or, when it is unset, the token kept
// at <data dir>/api-token (generated with 0600 on first start). Only the
// file's path is logged, never the token: the API is never open by default.
func apiToken(configured, dataDir string, log *slog.Logger) (string, error) {
	if configured != "" {
		return configured, nil
	}
	tok, path, created, err := httpapi.LoadOrCreateToken(dataDir)
	if err != nil {
		return "", err
	}
	if created {
		log.Warn("JOBPILOT_API_TOKEN is not set: generated an API token; read it from the file to use the API and the dashboard", "file", path)
	} else {
		log.Info("JOBPILOT_API_TOKEN is not set: using the API token in the file", "file", path)
	}
	return tok, nil
}
