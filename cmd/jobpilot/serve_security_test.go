package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// startServe runs `jobpilot serve` with env (plus a data dir, a port the
// kernel picks and a token) until the test ends, and waits for /health.
func startServe(t *testing.T, env map[string]string) (addr string, stderr *lockedBuffer) {
	t.Helper()
	full := map[string]string{
		"JOBPILOT_DATA_DIR": t.TempDir(), "HTTP_ADDR": anyPort, "SHUTDOWN_GRACE": "2s",
		"JOBPILOT_API_TOKEN": "serve-security-token-0123456789abcdef", "JOBPILOT_EXAMPLES": "false",
	}
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return full[k] }, strings.NewReader(""), &bytes.Buffer{}, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			t.Errorf("serve did not stop; log:\n%s", stderr.String())
		}
	})
	addr = servingAddr(t, stderr, done)
	dbtest.Eventually(t, 30*time.Second, "serve answering /health", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d; log:\n%s", code, stderr.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	return addr, stderr
}

// dialFrom connects to addr from the loopback address ip, so that one test
// can be several clients.
func dialFrom(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// slowLogin sends a sign-in form's headers and then its body one byte every
// 50 ms, as a client that wants to hold the connection would, and returns
// how long the server kept the connection.
func slowLogin(c net.Conn, stop <-chan struct{}) time.Duration {
	start := time.Now()
	defer c.Close()
	if _, err := io.WriteString(c, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\ntoken="); err != nil {
		return time.Since(start)
	}
	closed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, c); close(closed) }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-closed:
			return time.Since(start)
		case <-stop:
			return time.Since(start)
		case <-tick.C:
			if _, err := c.Write([]byte("a")); err != nil {
				<-closed
				return time.Since(start)
			}
		}
	}
}

// Slow clients cannot hold the server: a client that trickles its headers
// is cut off after HTTP_READ_HEADER_TIMEOUT, one that trickles the sign-in
// form after HTTP_LOGIN_READ_TIMEOUT (not the server's whole read timeout,
// 30 s), and while a crowd of them keeps reconnecting from one address,
// /health still answers another client at once: that address holds at most
// HTTP_MAX_CONNECTIONS_PER_ADDRESS of the HTTP_MAX_CONNECTIONS slots.
func TestServeSlowClientsCannotStarveHealth(t *testing.T) {
	t.Parallel()
	addr, stderr := startServe(t, map[string]string{
		"HTTP_MAX_CONNECTIONS": "16", "HTTP_MAX_CONNECTIONS_PER_ADDRESS": "8",
		"HTTP_READ_HEADER_TIMEOUT": "0.5", "HTTP_LOGIN_READ_TIMEOUT": "0.5",
	})

	// Half a request line: cut after the header timeout.
	c := dialFrom(t, "127.0.0.1", addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	_ = c.SetReadDeadline(time.Now().Add(25 * time.Second))
	start := time.Now()
	_, err := io.Copy(io.Discard, c)
	c.Close()
	// Not cut off, it would be held for HTTP_READ_TIMEOUT (30 s); the
	// bound leaves a loaded machine room above the 0.5 s.
	if held := time.Since(start); err != nil || held > 10*time.Second {
		t.Errorf("a client trickling its headers was held %v (err %v), want about 0.5 s", held, err)
	}

	// A trickled sign-in form: cut after the login timeout.
	stopNever := make(chan struct{})
	if held := slowLogin(dialFrom(t, "127.0.0.1", addr), stopNever); held > 10*time.Second {
		t.Errorf("a client trickling the sign-in form was held %v, want about 0.5 s", held)
	}

	// Forty slow clients from 127.0.0.1, reconnecting as soon as they are
	// cut off, for three seconds; a health check from 127.0.0.2 every 100 ms.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var attempts atomic.Int64
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.1")}, Timeout: time.Second}
	for range 40 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					continue
				}
				attempts.Add(1)
				if slowLogin(c, stop) < 10*time.Millisecond {
					// Closed at once (over the per-address cap): a
					// real client waits a round trip before the next
					// try; here it keeps the test from burning the CPU
					// the server needs.
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	checker := &http.Client{Timeout: 25 * time.Second, Transport: &http.Transport{
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext,
		DisableKeepAlives: true,
	}}
	var worst time.Duration
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		start := time.Now()
		resp, err := checker.Get("http://" + addr + "/health")
		if err != nil {
			t.Fatalf("/health during the attack: %v", err)
		}
		resp.Body.Close()
		worst = max(worst, time.Since(start))
	}
	close(stop)
	wg.Wait()
	// Starved, it would wait for a slow client's slot (HTTP_READ_TIMEOUT,
	// 30 s) or for ever once descriptors run out. An idle machine answers
	// in milliseconds, a loaded one under -race in a few seconds.
	if worst > 15*time.Second {
		t.Errorf("/health took up to %v while slow clients attacked, want a few seconds at most", worst)
	}
	if attempts.Load() < 40 {
		t.Errorf("only %d slow connections were made", attempts.Load())
	}
	t.Logf("%d slow connections in 3 s; slowest /health %v", attempts.Load(), worst)
	if strings.Contains(stderr.String(), "serve-security-token") {
		t.Error("the token appeared in the log")
	}
}

// With no JOBPILOT_API_TOKEN, serve generates a token into a 0600 file under
// the data dir and logs where it is, never the token; the next start reuses it.
func TestServeGeneratesTokenAndLogsOnlyItsPath(t *testing.T) {
	t.Parallel()
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
