package engine

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
)

// The database becomes unreachable underneath a running engine, then
// reachable again: the supervisor notices, replaces the River client, counts
// the restart, and the periodic schedule runs again.
func TestSupervisorRestartsEngine(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		var db *testDB
		var breakDB, healDB func()
		if pg {
			// PostgreSQL behind a TCP proxy that the test stops and restarts.
			db = newTestDB(t, true)
			u, err := url.Parse(db.dsn)
			must(t, err)
			p := startProxy(t, u.Host)
			u.Host = p.addr
			viaProxy, err := openSQL(u.String(), true)
			must(t, err)
			db.SQL().Close()
			db.swap(viaProxy)
			breakDB, healDB = p.stop, p.start
		} else {
			// SQLite: the handle under the client is closed; a new one is
			// handed out once the "database" is back.
			db = newTestDB(t, false)
			breakDB = func() { db.SQL().Close() }
			healDB = func() {
				fresh, err := openSQL(db.dsn, false)
				must(t, err)
				db.swap(fresh)
			}
		}
		rec := newRecorder()
		cfg := testConfig("node-supervised")
		cfg.AutomationInterval = 100 * time.Millisecond
		cfg.HealthCheckInterval = 50 * time.Millisecond
		cfg.RestartDelay = 50 * time.Millisecond
		reg := prometheus.NewRegistry()
		logs := newLogRecorder()
		e := startEngine(t, db, cfg, rec.handle, func(o *Options) { o.Metrics = reg; o.Logger = slog.New(logs) })

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); e.Supervise(ctx) }()
		t.Cleanup(func() { cancel(); <-done })

		eventually(t, 10*time.Second, "automation runs", func() bool { return len(rec.of(jobpilot.TaskAutomationRun)) >= 1 })
		if s := e.Status(); !s.Running || s.Restarts != 0 || s.Jobs != 4 || s.NodeID != "node-supervised" {
			t.Fatalf("status before = %+v", s)
		}
		breakDB()
		eventually(t, 5*time.Second, "supervisor sees the outage", func() bool { return !e.Status().Running })
		eventually(t, 10*time.Second, "two failed restart attempts", func() bool {
			return logs.count("engine restart failed; will retry") >= 2
		})
		if r := e.Status().Restarts; r != 0 {
			t.Fatalf("restarted %d times while the database was down", r)
		}
		healDB()
		healed := time.Now()
		eventually(t, 10*time.Second, "engine restarted", func() bool { s := e.Status(); return s.Running && s.Restarts >= 1 })
		before := len(rec.of(jobpilot.TaskAutomationRun))
		eventually(t, 10*time.Second, "automation runs again", func() bool { return len(rec.of(jobpilot.TaskAutomationRun)) >= before+2 })
		s := e.Status()
		t.Logf("restarted %d time(s); running again %s after the database came back; last check %s", s.Restarts, time.Since(healed).Round(time.Millisecond), s.LastCheck.Format(time.RFC3339Nano))
		if got := gathered(t, reg, "jobpilot_engine_restarts_total", ""); got != float64(s.Restarts) {
			t.Errorf("restarts metric %v, status %d", got, s.Restarts)
		}
		if got := gathered(t, reg, "jobpilot_engine_health_checks_total", "failed"); got < 1 {
			t.Errorf("failed checks metric %v", got)
		}
		if got := gathered(t, reg, "jobpilot_engine_running", ""); got != 1 {
			t.Errorf("running gauge %v", got)
		}
		// Health checks go on after the restart: one is made after this
		// point (a bound on the last one's age failed a loaded run, where
		// a 50 ms check loop can wait over a second for a core).
		now := time.Now()
		eventually(t, 10*time.Second, "a health check after the restart", func() bool { return e.Status().LastCheck.After(now) })
	})
}

// proxy forwards TCP to a target until stopped; start listens again on the
// same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.start()
	t.Cleanup(func() { p.stop(); p.wg.Wait() })
	return p
}

func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = struct{}{}, struct{}{}
			p.mu.Unlock()
			p.wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer p.wg.Done()
				_, _ = io.Copy(dst, src)
				dst.Close()
				src.Close()
			}
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
}

// stop closes the listener and every open connection: the database is gone.
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// gathered returns a counter's or gauge's value from reg; with label set,
// the series whose one label has that value.
func gathered(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	must(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label != "" && (len(m.GetLabel()) != 1 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}
