package engine

import (
	"math"
	"time"
)

// Config is the engine's own settings: plain values that internal/system
// fills from the configuration, already multiplied by JOBPILOT_TIME_SCALE
// where the stability guide's timings apply. A zero value takes the
// default given beside it.
type Config struct {
	// NodeID is this process's River client ID (required). It must be
	// stable across restarts of one process, so that Start recognises the
	// jobs its killed predecessor left running, and unique among live
	// processes (see Start).
	NodeID string
	// Workers is how many jobs of each queue run at once on this node
	// (default 10).
	Workers int
	// JobTimeout bounds each attempt of a kind that sets no Timeout, and is
	// River's client-wide job timeout (default 600 s).
	JobTimeout time.Duration
	// RescueAfter is how long another node's job may stay "running" before
	// River's rescuer (on the leader) makes it available again (default
	// JobTimeout + 60 s; never less than JobTimeout). This node's own
	// orphans are taken back at Start, without waiting.
	RescueAfter time.Duration
	// ShutdownGrace is how long Stop lets running jobs finish before it
	// cancels them (default 30 s).
	ShutdownGrace time.Duration
	// HealthCheckInterval is how often Supervise checks the client and the
	// database (default 5 min).
	HealthCheckInterval time.Duration
	// RestartDelay separates the supervisor's attempts to replace a broken
	// client (default 1 min).
	RestartDelay time.Duration
	// Backoff is the wait before a failed job runs again.
	Backoff Backoff
	// RepeatedLogWindow is how long River's repeats of one log line (its
	// level and message) are held back after it is written, then counted in
	// one "N similar lines suppressed" line (default 1 min).
	RepeatedLogWindow time.Duration
}

// Backoff is the stability guide's delay before retry n (n = 1, 2, …):
// min(Initial × Base^(n−1), Max). Defaults 1 s, 60 s and 2.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Base    float64
}

// withDefaults returns c with every zero value replaced by its default.
func (c Config) withDefaults() Config {
	c.Workers = orInt(c.Workers, 10)
	c.JobTimeout = orDur(c.JobTimeout, 600*time.Second)
	// River requires RescueStuckJobsAfter ≥ its client-wide JobTimeout.
	c.RescueAfter = max(orDur(c.RescueAfter, c.JobTimeout+60*time.Second), c.JobTimeout)
	c.ShutdownGrace = orDur(c.ShutdownGrace, 30*time.Second)
	c.HealthCheckInterval = orDur(c.HealthCheckInterval, 5*time.Minute)
	c.RestartDelay = orDur(c.RestartDelay, time.Minute)
	c.RepeatedLogWindow = orDur(c.RepeatedLogWindow, time.Minute)
	c.Backoff.Initial = orDur(c.Backoff.Initial, time.Second)
	c.Backoff.Max = orDur(c.Backoff.Max, 60*time.Second)
	if c.Backoff.Base <= 1 {
		c.Backoff.Base = 2
	}
	return c
}

// Delay is the wait before retry n; River's attempt n failed means retry n
// comes next. It never exceeds Max, whatever n.
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := float64(b.Initial) * math.Pow(b.Base, float64(n-1))
	if d > float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return b.Max
	}
	return time.Duration(d)
}

func orDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func orStr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
