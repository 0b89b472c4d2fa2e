package httpapi_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot/httpapi"
)

const throttleToken = "throttle-test-token-0123456789abcdef"

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the time and moves it on by 10 ms: time passes between two
// requests, as it does for real.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(10 * time.Millisecond)
	return c.t
}
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (127.0.0.0/8 is all ours on Linux), so one test can be two
// clients.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{
		Transport:     &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func send(t *testing.T, c *http.Client, method, url, token, form string) *http.Response {
	t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Wrong credentials spend a per-address budget; once it is spent, every
// attempt from that address — the right token too, bearer or login, however
// many connections it uses — gets 429 with Retry-After, while another
// address is not affected. The budget refills with time, failures are
// counted in /metrics, and the right token costs nothing.
func TestAuthFailuresAreLimitedPerAddress(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Token: throttleToken, Registry: reg, Now: clock.Now,
		AuthFailuresPerMinute: 3, Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	attacker, other := clientFrom("127.0.0.1"), clientFrom("127.0.0.2")
	metrics := srv.URL + "/metrics"

	// The right token many times: never throttled.
	for range 30 {
		if resp := send(t, attacker, "GET", metrics, throttleToken, ""); resp.StatusCode != 200 {
			t.Fatalf("right token: %d", resp.StatusCode)
		}
	}
	// Twenty wrong guesses at once, bearer and login mixed: only the budget
	// of three is looked at, the others are refused unseen.
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				codes <- send(t, attacker, "GET", metrics, "wrong-guess", "").StatusCode
			} else {
				codes <- send(t, attacker, "POST", srv.URL+"/login", "", "token=wrong-guess").StatusCode
			}
		})
	}
	wg.Wait()
	close(codes)
	seen := map[int]int{}
	for c := range codes {
		seen[c]++
	}
	if seen[http.StatusTooManyRequests] != 17 || seen[http.StatusUnauthorized]+seen[http.StatusSeeOther] != 3 {
		t.Fatalf("20 concurrent wrong attempts answered %v; want 3 looked at (401/303), 17 refused (429)", seen)
	}
	failures := counterSum(t, reg, "jobpilot_http_auth_failures_total")
	if failures != 3 {
		t.Errorf("jobpilot_http_auth_failures_total = %v, want 3", failures)
	}

	// Now even the right token is refused from this address, with a
	// Retry-After; the login form says to wait.
	resp := send(t, attacker, "GET", metrics, throttleToken, "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("right token from a throttled address: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := send(t, attacker, "POST", srv.URL+"/login", "", "token="+url.QueryEscape(throttleToken)); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("login from a throttled address: %d", resp.StatusCode)
	}
	// Another address is not affected.
	if resp := send(t, other, "GET", metrics, throttleToken, ""); resp.StatusCode != 200 {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	// One failure is forgiven every 20 s (3 a minute).
	clock.Add(21 * time.Second)
	if resp := send(t, attacker, "GET", metrics, throttleToken, ""); resp.StatusCode != 200 {
		t.Fatalf("after the refill: %d", resp.StatusCode)
	}
}

// counterSum adds up every series of the counter name.
func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

// Each wrong token is counted, but the log gets a burst of lines and then
// one per 10 s, each saying how many failures it did not log; the token is
// never written.
func TestAuthFailuresAreLoggedRateLimited(t *testing.T) {
	var logs syncBuffer
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Token: throttleToken, Registry: reg,
		AuthFailuresPerMinute: 1000, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	for range 50 {
		send(t, srv.Client(), "GET", srv.URL+"/api/v1/applications", "guess-Xk3", "")
	}
	if got := counterSum(t, reg, "jobpilot_http_auth_failures_total"); got != 50 {
		t.Errorf("failures counted: %v, want 50", got)
	}
	lines := strings.Count(logs.String(), "authentication failed")
	if lines < 1 || lines > 5 {
		t.Errorf("%d log lines for 50 failures, want 1 to 5:\n%s", lines, logs.String())
	}
	if strings.Contains(logs.String(), "guess-Xk3") {
		t.Error("a presented token was logged")
	}
}
