package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
)

func TestHealthCommand(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status string
		code   int
		exit   int
	}{{"healthy", 200, 0}, {"degraded", 200, 0}, {"unhealthy", 503, 1}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/health" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(c.code)
			_, _ = w.Write([]byte(`{"status":"` + c.status + `"}`))
		}))
		exit, out, _ := runCLI(t, nil, "health", "--url", srv.URL)
		srv.Close()
		if exit != c.exit || !strings.Contains(out, c.status) {
			t.Errorf("%s: exit %d output %q, want exit %d", c.status, exit, out, c.exit)
		}
	}
	// Unreachable: a closed server.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	if exit, _, errOut := runCLI(t, nil, "health", "--url", url, "--timeout", "2s"); exit != 1 || !strings.Contains(errOut, "unreachable") {
		t.Errorf("unreachable: exit %d, %q", exit, errOut)
	}
	// Not a health report (some other service on the port).
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer other.Close()
	if exit, _, _ := runCLI(t, nil, "health", "--url", other.URL); exit != 1 {
		t.Errorf("non-JSON answer: exit %d, want 1", exit)
	}
}

func TestHealthURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{":8000": "http://127.0.0.1:8000", "0.0.0.0:9": "http://127.0.0.1:9", "[::]:8000": "http://127.0.0.1:8000", "example.com:80": "http://example.com:80"} {
		if got := healthURL(in); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// health prints a summary a person reads (what is wrong, in words); --json
// keeps the raw report for scripts.
func TestHealthSummaryAndJSON(t *testing.T) {
	t.Parallel()
	report := `{"status":"unhealthy","environment":"production","version":"1.2.3",` +
		`"scheduler":{"running":true,"jobs":4,"restarts":1,"node_id":"n1"},` +
		`"database":{"ok":false,"error":"connection refused"},` +
		`"circuit_breakers":{"email":{"state":"open","failures":5,"failure_threshold":5,"retry_in_seconds":42.4},` +
		`"openai":{"state":"closed","failures":0,"failure_threshold":3}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		_, _ = w.Write([]byte(report))
	}))
	defer srv.Close()
	exit, out, _ := runCLI(t, nil, "health", "--url", srv.URL)
	for _, want := range []string{"unhealthy (version 1.2.3, production)", "database:  DOWN: connection refused",
		"scheduler: running, 4 periodic jobs, 1 restarts", "breaker email: OPEN, 5 of 5 failures; retried in 42s", "breaker openai: closed, 0 of 3 failures"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if exit != 1 || strings.Contains(out, "{") {
		t.Errorf("summary: exit %d, raw JSON shown:\n%s", exit, out)
	}
	exit, out, _ = runCLI(t, nil, "health", "--url", srv.URL, "--json")
	if exit != 1 || strings.TrimSpace(out) != report {
		t.Errorf("--json: exit %d\n%s", exit, out)
	}
}

// With JOBPILOT_API_TOKEN configured, health sends it as a bearer token and
// prints the detailed report of a real serve (the version, the node, the
// breakers' counts); --json prints the raw detailed JSON. Without the token
// it gets the public summary and says so; with a token the server does not
// take, it says that on stderr and still checks.
func TestHealthSendsTheToken(t *testing.T) {
	t.Parallel()
	addr, _ := startServe(t, nil)
	url := "http://" + addr
	const token = "serve-security-token-0123456789abcdef" // startServe's
	withToken := map[string]string{"JOBPILOT_API_TOKEN": token}

	exit, out, errOut := runCLI(t, withToken, "health", "--url", url)
	if exit != 0 || !strings.Contains(out, "(version ") || !strings.Contains(out, "periodic jobs") ||
		!strings.Contains(out, "breaker email: closed, 0 of ") || strings.Contains(out, "public summary") || errOut != "" {
		t.Errorf("with the token: exit %d\nstdout:\n%s\nstderr:\n%s", exit, out, errOut)
	}
	exit, out, _ = runCLI(t, withToken, "health", "--url", url, "--json")
	var detailed jobpilot.Health
	if err := json.Unmarshal([]byte(out), &detailed); exit != 0 || err != nil || detailed.Version == "" || detailed.Scheduler.NodeID == "" ||
		detailed.CircuitBreakers["email"].FailureThreshold == 0 {
		t.Errorf("--json with the token: exit %d, %v\n%s", exit, err, out)
	}

	exit, out, errOut = runCLI(t, nil, "health", "--url", url)
	if exit != 0 || strings.Contains(out, "version") || strings.Contains(out, "failures") ||
		!strings.Contains(out, "breaker email: closed\n") || !strings.Contains(out, "public summary") || errOut != "" {
		t.Errorf("without a token: exit %d\nstdout:\n%s\nstderr:\n%s", exit, out, errOut)
	}
	exit, out, _ = runCLI(t, nil, "health", "--url", url, "--json")
	if exit != 0 || strings.Contains(out, "version") || strings.Contains(out, "node_id") {
		t.Errorf("--json without a token: exit %d, want the public summary\n%s", exit, out)
	}

	exit, out, errOut = runCLI(t, map[string]string{"JOBPILOT_API_TOKEN": "a-different-token-0123456789abcdefgh"}, "health", "--url", url)
	if exit != 0 || !strings.Contains(errOut, "did not take JOBPILOT_API_TOKEN") || strings.Contains(out, "version") {
		t.Errorf("a wrong token: exit %d\nstdout:\n%s\nstderr:\n%s", exit, out, errOut)
	}
}

// A paused breaker's reason is printed: it says what to fix.
func TestHealthPrintsAPausedBreakersReason(t *testing.T) {
	t.Parallel()
	report := `{"status":"degraded","environment":"production","version":"1.2.3",` +
		`"scheduler":{"running":true,"jobs":5,"restarts":0,"node_id":"n1"},"database":{"ok":true},` +
		`"circuit_breakers":{"openai":{"state":"open","failures":0,"failure_threshold":3,` +
		`"reason":"llm: gpt-4o-mini: HTTP 401: Incorrect API key provided (the API key was refused: check OPENAI_API_KEY)"}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(report)) }))
	defer srv.Close()
	exit, out, _ := runCLI(t, nil, "health", "--url", srv.URL)
	want := "breaker openai: OPEN, 0 of 3 failures; paused until it is reset or the service restarts: llm: gpt-4o-mini: HTTP 401"
	if exit != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d, summary lacks %q:\n%s", exit, want, out)
	}
}
