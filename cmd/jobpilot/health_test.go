package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthCommand(t *testing.T) {
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
	for in, want := range map[string]string{":8000": "http://127.0.0.1:8000", "0.0.0.0:9": "http://127.0.0.1:9", "[::]:8000": "http://127.0.0.1:8000", "example.com:80": "http://example.com:80"} {
		if got := healthURL(in); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", in, got, want)
		}
	}
}
