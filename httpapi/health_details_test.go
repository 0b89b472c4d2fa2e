package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
)

// /health without the token tells the status and each component's state,
// nothing more: not the host (node), version, environment, which job boards
// are watched (a breaker per source) nor the database's error. With the
// token, and only the right one, the whole report.
func TestHealthDetailsNeedTheToken(t *testing.T) {
	const token = "health-test-token-0123456789abcdefgh"
	report := jobpilot.HealthOf(jobpilot.Health{
		Environment: "prod-eu-Secretenv", Version: "9.8.7-secretversion",
		Scheduler: jobpilot.SchedulerStatus{Running: true, Jobs: 4, NodeID: "host-secretnode"},
		Database:  jobpilot.DatabaseHealth{Error: "database unavailable: cannot connect to the database: timed out"},
	}, []jobpilot.BreakerSnapshot{
		{Name: "email", State: jobpilot.BreakerClosed, FailureThreshold: 5},
		{Name: "source:greenhouse:secretemployer", State: jobpilot.BreakerOpen, Failures: 5},
		{Name: "source:lever:otheremployer", State: jobpilot.BreakerClosed},
	})
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Token: token,
		Health: func(context.Context) jobpilot.Health { return report }}))
	defer srv.Close()
	get := func(bearer string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/health", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	details := []string{"secret", "employer", "greenhouse", "lever", "9.8.7", "prod-eu", "node", "timed out", "failures"}

	for _, bearer := range []string{"", "a-wrong-token-0123456789abcdefghijkl"} {
		code, body := get(bearer)
		if code != http.StatusServiceUnavailable {
			t.Errorf("status code %d, want 503 (the database is down)", code)
		}
		want := `{"status":"unhealthy","scheduler":{"running":true},"database":{"ok":false},"circuit_breakers":{"email":{"state":"closed"},"source":{"state":"open"}}}`
		if strings.TrimSpace(body) != want {
			t.Errorf("without the token:\n got %s\nwant %s", body, want)
		}
		for _, d := range details {
			if strings.Contains(strings.ToLower(body), d) {
				t.Errorf("without the token /health shows %q: %s", d, body)
			}
		}
	}
	code, body := get(token)
	if code != http.StatusServiceUnavailable {
		t.Errorf("status code %d with the token", code)
	}
	for _, d := range []string{"secretemployer", "9.8.7-secretversion", "prod-eu-Secretenv", "host-secretnode", "timed out"} {
		if !strings.Contains(body, d) {
			t.Errorf("with the token /health lacks %q: %s", d, body)
		}
	}
}
