package engine

import (
	"context"
	"sync"
	"time"

	"github.com/jobpilot/jobpilot"
)

// restartMu serialises operator restarts, so two clicks on "restart" build
// one new client after the other instead of racing for e.rt.
var restartMu sync.Mutex

// Restart replaces the River client now, the way the supervisor does after a
// failed health check but without waiting RestartDelay: the current client
// stops and cancels its running jobs (they are snoozed and run again on the
// new client), then a new client is built on the store's current handle and
// started, after rescuing this node's orphans. It counts as a restart
// (Status().Restarts, jobpilot_engine_restarts_total). Restarting an engine
// that was never started or was stopped is ECONFLICT. When ctx ends before
// the old client has stopped, Restart gives up with ctx's error and the
// supervisor's next check takes over.
func (e *Engine) Restart(ctx context.Context) error {
	restartMu.Lock()
	defer restartMu.Unlock()
	e.mu.Lock()
	if e.closed || !e.started {
		e.mu.Unlock()
		return jobpilot.Errorf(jobpilot.ECONFLICT, "engine is not running")
	}
	old := e.rt
	e.mu.Unlock()

	if old.started {
		old.stopping.Store(true)
		sctx, cancel := context.WithTimeout(ctx, max(e.probeTimeout(), time.Second))
		err := old.client.StopAndCancel(sctx)
		cancel()
		if err != nil {
			// A handler ignoring its context may still run: its job stays
			// in e.live, so the new client's start leaves it alone.
			e.log.Warn("stopping the river client for a restart", "error", err)
		}
		e.mu.Lock()
		old.started = false
		e.mu.Unlock()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := e.replace(ctx); err != nil {
		return err
	}
	e.log.Info("engine restarted on request", "node_id", e.cfg.NodeID)
	return nil
}
