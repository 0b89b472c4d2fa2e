package engine

import (
	"context"
	"errors"
	"time"
)

// Supervise blocks until ctx is done. Every Config.HealthCheckInterval it
// checks that the River client still runs and that the database answers
// (SELECT 1 through the client's own handle). On a failed check it stops the
// client (cancelling its jobs, which are snoozed or later rescued), then,
// Config.RestartDelay later, builds a new client on db.SQL() and starts it
// (rescuing this node's orphans first); if the database still does not
// answer it tries again RestartDelay later, forever. Each replacement is
// logged and counted (Status().Restarts, jobpilot_engine_restarts_total).
// Every minute (or check, if more often) it also releases this node's
// phantom jobs (phantom.go).
// Supervise does nothing to an engine that was never started or was stopped.
func (e *Engine) Supervise(ctx context.Context) {
	interval := e.cfg.HealthCheckInterval
	tick := time.NewTicker(interval)
	defer tick.Stop()
	sweep := time.NewTicker(min(interval, phantomSweepEvery))
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			e.sweepPhantoms(ctx)
			continue
		case <-tick.C:
		}
		if err := e.check(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			e.log.Error("engine health check failed; restarting", "node_id", e.cfg.NodeID, "error", err)
			e.restart(ctx)
		}
	}
}

// check runs one health check; nil when healthy or when the engine is not
// supposed to run.
func (e *Engine) check(ctx context.Context) error {
	e.mu.Lock()
	rt, active := e.rt, e.started && !e.closed
	e.mu.Unlock()
	if !active {
		return nil
	}
	err := e.probe(ctx, rt)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rt != rt || !e.started {
		return nil // replaced or stopped meanwhile
	}
	e.lastCheck = time.Now()
	e.healthy = err == nil
	if err != nil {
		e.metrics.checks.WithLabelValues("failed").Inc()
		e.metrics.running.Set(0)
		return err
	}
	e.metrics.checks.WithLabelValues("ok").Inc()
	e.metrics.running.Set(1)
	return nil
}

var errClientStopped = errors.New("river client stopped")

func (e *Engine) probe(ctx context.Context, rt *runtime) error {
	select {
	case <-rt.client.Stopped():
		return errClientStopped
	default:
	}
	pctx, cancel := context.WithTimeout(ctx, e.probeTimeout())
	defer cancel()
	_, err := rt.sqlDB.ExecContext(pctx, "SELECT 1")
	return err
}

// probeTimeout is generous and independent of the check interval: on SQLite
// the probe queues behind River's own queries on the single connection, and
// a slow answer is not an outage.
func (e *Engine) probeTimeout() time.Duration { return 5 * time.Second }

// restart replaces the current client until a new one runs, ctx is done or
// the engine is stopped.
func (e *Engine) restart(ctx context.Context) {
	delay := e.cfg.RestartDelay
	e.mu.Lock()
	old := e.rt
	e.mu.Unlock()
	// A handler that ignored its cancelled context may still be running
	// after the stop: its job stays in e.live, so the new client's start
	// leaves it alone while it rescues the others.
	if old.started {
		// The old client may hang on a dead database: bound its stop.
		sctx, cancel := context.WithTimeout(ctx, max(delay, time.Second))
		old.stopping.Store(true)
		if err := old.client.StopAndCancel(sctx); err != nil {
			e.log.Warn("stopping the failed river client", "error", err)
		}
		cancel()
		e.mu.Lock()
		old.started = false
		e.mu.Unlock()
	}
	for attempt := 1; ; attempt++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		err := e.replace(ctx)
		if err == nil {
			return
		}
		if errors.Is(err, errEngineClosed) {
			return
		}
		e.log.Error("engine restart failed; will retry", "node_id", e.cfg.NodeID, "attempt", attempt, "retry_in", delay, "error", err)
	}
}

var errEngineClosed = errors.New("engine stopped")

// replace builds and starts a new client on the current handle.
func (e *Engine) replace(ctx context.Context) error {
	rt, err := e.newRuntime()
	if err != nil {
		return err
	}
	if err := e.probe(ctx, rt); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errEngineClosed
	}
	if err := e.startRuntime(ctx, rt); err != nil {
		return err
	}
	e.rt = rt
	e.restarts++
	e.healthy, e.lastCheck = true, time.Now()
	e.metrics.restarts.Inc()
	e.metrics.running.Set(1)
	e.log.Warn("engine restarted by the supervisor", "node_id", e.cfg.NodeID, "restarts", e.restarts)
	return nil
}
