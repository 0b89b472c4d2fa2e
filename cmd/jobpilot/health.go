package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// HealthCmd is `jobpilot health`: a container health check.
type HealthCmd struct {
	URL     string        `name:"url" placeholder:"URL" help:"Base URL of the service (default: http://127.0.0.1<HTTP_ADDR port>)."`
	Timeout time.Duration `name:"timeout" default:"5s" help:"Give up after this long."`
	JSON    bool          `name:"json" help:"Print the raw JSON health report instead of a summary."`
}

// Run GETs <url>/health, prints a summary (the JSON with --json) and exits 0 when the
// status is healthy or degraded, 1 when it is unhealthy, the service does
// not answer in time, or the answer is not a health report. /health needs no
// token, so the check works without secrets.
func (c *HealthCmd) Run(app *App) error {
	base := c.URL
	if base == "" {
		cfg, err := app.LoadConfig()
		if err != nil {
			return err
		}
		base = healthURL(cfg.HTTPAddr)
	}
	ctx, cancel := context.WithTimeout(app.Ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/health", nil)
	if err != nil {
		return fmt.Errorf("health: bad --url: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %s unreachable: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("health: reading the answer: %w", err)
	}
	var h jobpilot.Health
	if err := json.Unmarshal(body, &h); err != nil || h.Status == "" {
		return fmt.Errorf("health: %s answered %s without a health report", base, resp.Status)
	}
	if c.JSON {
		fmt.Fprintf(app.Stdout, "%s\n", strings.TrimSpace(string(body)))
	} else {
		writeHealth(app.Stdout, base, &h)
	}
	switch h.Status {
	case "healthy", "degraded":
		return nil
	}
	return fmt.Errorf("health: status %s", h.Status)
}

// writeHealth prints a health report for a person: the overall status,
// then each part, what is wrong first.
func writeHealth(w io.Writer, base string, h *jobpilot.Health) {
	fmt.Fprintf(w, "jobpilot at %s: %s", base, h.Status)
	if h.Version != "" || h.Environment != "" {
		fmt.Fprintf(w, " (version %s, %s)", orDash(h.Version), orDash(h.Environment))
	}
	fmt.Fprintln(w)
	if h.Database.OK {
		fmt.Fprintln(w, "  database:  ok")
	} else {
		fmt.Fprintf(w, "  database:  DOWN: %s\n", h.Database.Error)
	}
	s := h.Scheduler
	if s.Running {
		fmt.Fprintf(w, "  scheduler: running, %d periodic jobs, %d restarts, node %s\n", s.Jobs, s.Restarts, s.NodeID)
	} else {
		fmt.Fprintf(w, "  scheduler: STOPPED (%d restarts)\n", s.Restarts)
	}
	names := slices.Sorted(maps.Keys(h.CircuitBreakers))
	for _, name := range names {
		b := h.CircuitBreakers[name]
		line := fmt.Sprintf("  breaker %s: %s, %d of %d failures", name, strings.ReplaceAll(b.State, "_", "-"), b.Failures, b.FailureThreshold)
		if b.State != jobpilot.BreakerClosed {
			line = strings.Replace(line, b.State, strings.ToUpper(strings.ReplaceAll(b.State, "_", "-")), 1)
			if b.RetryInSeconds > 0 {
				line += fmt.Sprintf("; retried in %s", (time.Duration(b.RetryInSeconds * float64(time.Second))).Round(time.Second))
			}
		}
		fmt.Fprintln(w, line)
	}
	if h.Examples {
		fmt.Fprintln(w, "  the example profile and postings are loaded (JOBPILOT_EXAMPLES)")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// healthURL turns HTTP_ADDR (":8000", "0.0.0.0:8000", "[::]:8000",
// "host:8000") into a URL to call from the same machine.
func healthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
