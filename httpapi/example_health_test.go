package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/store"
)

// /health needs no token and answers by its status code: 200 while the
// service is healthy or degraded (a circuit breaker is open, so some work
// waits), 503 when the database or the scheduler is down. A load balancer,
// a container's health check or `jobpilot health` can act on the code
// alone; the body says which part is down. The details (version,
// environment, node, counts, error texts) need the token.
func ExampleNew_health() {
	dir, _ := os.MkdirTemp("", "jobpilot-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	// What internal/system reports, settled by jobpilot.HealthOf.
	parts := jobpilot.Health{
		Environment: "production", Version: "1.0.0",
		Database:  jobpilot.DatabaseHealth{OK: true},
		Scheduler: jobpilot.SchedulerStatus{Running: true, Jobs: 4, NodeID: "web-1"},
	}
	email := jobpilot.BreakerSnapshot{Name: "email", State: jobpilot.BreakerClosed, FailureThreshold: 5}
	health := func(context.Context) jobpilot.Health {
		return jobpilot.HealthOf(parts, []jobpilot.BreakerSnapshot{email})
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Store: db, Token: exampleToken, Health: health}))
	defer srv.Close()

	get := func(token string) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/health", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprint(resp.StatusCode, " ", strings.TrimSpace(string(b)))
	}
	fmt.Println(get(""))
	fmt.Println(get(exampleToken))
	email.State, email.Failures = jobpilot.BreakerOpen, 5 // five refused emails
	fmt.Println(get(""))
	parts.Scheduler.Running = false // the scheduler died
	fmt.Println(get(""))
	// Output:
	// 200 {"status":"healthy","scheduler":{"running":true},"database":{"ok":true},"circuit_breakers":{"email":{"state":"closed"}}}
	// 200 {"status":"healthy","environment":"production","version":"1.0.0","scheduler":{"running":true,"jobs":4,"restarts":0,"last_check":"0001-01-01T00:00:00Z","node_id":"web-1"},"database":{"ok":true},"circuit_breakers":{"email":{"state":"closed","failures":0,"failure_threshold":5}}}
	// 200 {"status":"degraded","scheduler":{"running":true},"database":{"ok":true},"circuit_breakers":{"email":{"state":"open"}}}
	// 503 {"status":"unhealthy","scheduler":{"running":false},"database":{"ok":true},"circuit_breakers":{"email":{"state":"open"}}}
}
