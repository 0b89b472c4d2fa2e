package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// HealthCmd is `jobpilot health`: a container health check.
type HealthCmd struct {
	URL     string        `name:"url" placeholder:"URL" help:"Base URL of the service (default: http://127.0.0.1<HTTP_ADDR port>)."`
	Timeout time.Duration `name:"timeout" default:"5s" help:"Give up after this long."`
}

// Run GETs <url>/health, prints the JSON it returns and exits 0 when the
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
	var h struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Status == "" {
		return fmt.Errorf("health: %s answered %s without a health report", base, resp.Status)
	}
	fmt.Fprintf(app.Stdout, "%s\n", strings.TrimSpace(string(body)))
	switch h.Status {
	case "healthy", "degraded":
		return nil
	}
	return fmt.Errorf("health: status %s", h.Status)
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
