package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every phase of a request is bounded, so a slow or idle client cannot hold
// a connection open for ever.
func TestServeHTTPServerTimeouts(t *testing.T) {
	srv := httpServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %v, want a bound of at most 2 minutes", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", srv.MaxHeaderBytes)
	}

	// And the bound is real: a client that sends half a request line is
	// disconnected after ReadHeaderTimeout (shortened here).
	srv.ReadHeaderTimeout = 200 * time.Millisecond
	ts := httptest.NewUnstartedServer(srv.Handler)
	ts.Config = srv
	ts.Start()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = bufio.NewReader(conn).ReadString('\n')
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("slow client still connected after %v (err %v)", time.Since(start), err)
	}
}

// With no JOBPILOT_API_TOKEN, serve generates a token into a 0600 file under
// the data dir and logs where it is, never the token; the next start reuses it.
func TestServeGeneratesTokenAndLogsOnlyItsPath(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	tok, err := apiToken("", dir, log)
	if err != nil || len(tok) < 20 {
		t.Fatalf("token %q, %v", tok, err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*token*"))
	if len(matches) != 1 {
		t.Fatalf("token files %v, want one under the data dir", matches)
	}
	fi, err := os.Stat(matches[0])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file %s mode %v, %v; want 0600", matches[0], fi.Mode().Perm(), err)
	}
	if !strings.Contains(logs.String(), matches[0]) {
		t.Errorf("the log does not say where the token is:\n%s", logs.String())
	}
	again, err := apiToken("", dir, log)
	if err != nil || again != tok {
		t.Fatalf("second start: token %q, %v; want the stored one", again, err)
	}
	if strings.Contains(logs.String(), tok) {
		t.Error("the generated token appeared in the log")
	}
	if got, _ := apiToken("configured", dir, log); got != "configured" {
		t.Errorf("a configured token was not used: %q", got)
	}
}
