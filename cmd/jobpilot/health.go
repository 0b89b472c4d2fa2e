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
// token, so the check works without secrets; without one the server tells
// only the states. With JOBPILOT_API_TOKEN configured the token is sent as
// a bearer token and the detailed report comes back (versions, counts, a
// paused breaker's reason); a token the server does not take is said on
// stderr, and the public summary is printed.
func (c *HealthCmd) Run(app *App) error {
	base := c.URL
	cfg, err := app.LoadConfig()
	switch {
	case err != nil && base == "":
		return err
	case err != nil:
		// --url names the service: a configuration that does not load
		// only costs the token, and a container health check must not
		// fail for a setting it does not need.
		cfg = nil
	case base == "":
		base = healthURL(cfg.HTTPAddr)
	}
	ctx, cancel := context.WithTimeout(app.Ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/health", nil)
	if err != nil {
		return fmt.Errorf("health: bad --url: %w", err)
	}
	token := ""
	if cfg != nil {
		token = cfg.APIToken
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
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
	detailed := isDetailed(body)
	if token != "" && !detailed {
		fmt.Fprintln(app.Stderr, "health: the server did not take JOBPILOT_API_TOKEN (a different token, or too many wrong ones from this address): showing the public summary")
	}
	if c.JSON {
		fmt.Fprintf(app.Stdout, "%s\n", strings.TrimSpace(string(body)))
	} else {
		writeHealth(app.Stdout, base, &h, detailed)
	}
	switch h.Status {
	case "healthy", "degraded":
		return nil
	}
	return fmt.Errorf("health: status %s", h.Status)
}

// isDetailed reports whether a /health answer is the whole report (given
// to the token) rather than the public summary, which has no version: the
// whole report always carries the key, empty or not.
func isDetailed(body []byte) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) != nil {
		return false
	}
	_, ok := keys["version"]
	return ok
}

// writeHealth prints a health report for a person: the overall status,
// then each part, what is wrong first. The public summary (detailed false)
// has states only, so the breakers' counts are left out rather than
// printed as zeros.
func writeHealth(w io.Writer, base string, h *jobpilot.Health, detailed bool) {
	fmt.Fprintf(w, "jobpilot at %s: %s", base, h.Status)
	if h.Version != "" || h.Environment != "" {
		fmt.Fprintf(w, " (version %s, %s)", orDash(h.Version), orDash(h.Environment))
	}
	fmt.Fprintln(w)
	if h.Database.OK {
		fmt.Fprintln(w, "  database:  ok")
	} else {
		fmt.Fprintf(w, "  database:  DOWN: %s\n", orDash(h.Database.Error))
	}
	s := h.Scheduler
	switch {
	case s.Running && detailed:
		fmt.Fprintf(w, "  scheduler: running, %d periodic jobs, %d restarts, node %s\n", s.Jobs, s.Restarts, s.NodeID)
	case s.Running:
		fmt.Fprintln(w, "  scheduler: running")
	case detailed:
		fmt.Fprintf(w, "  scheduler: STOPPED (%d restarts)\n", s.Restarts)
	default:
		fmt.Fprintln(w, "  scheduler: STOPPED")
	}
	names := slices.Sorted(maps.Keys(h.CircuitBreakers))
	for _, name := range names {
		b := h.CircuitBreakers[name]
		state := strings.ReplaceAll(b.State, "_", "-")
		if b.State != jobpilot.BreakerClosed {
			state = strings.ToUpper(state)
		}
		line := fmt.Sprintf("  breaker %s: %s", name, state)
		if detailed {
			line += fmt.Sprintf(", %d of %d failures", b.Failures, b.FailureThreshold)
		}
		switch {
		case b.Reason != "":
			line += "; paused until it is reset or the service restarts: " + b.Reason
		case b.State != jobpilot.BreakerClosed && b.RetryInSeconds > 0:
			line += fmt.Sprintf("; retried in %s", (time.Duration(b.RetryInSeconds * float64(time.Second))).Round(time.Second))
		}
		fmt.Fprintln(w, line)
	}
	if h.Examples {
		fmt.Fprintln(w, "  the example profile and postings are loaded (JOBPILOT_EXAMPLES)")
	}
	if !detailed {
		fmt.Fprintln(w, "  (the public summary: set JOBPILOT_API_TOKEN for the details)")
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
