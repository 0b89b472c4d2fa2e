package fakellm

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Calls inside a window get a 503 with an OpenAI error body; calls before,
// at its end and after it are served. Times count from the server's start.
func TestOutageWindow(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Options{Clock: clock.Now, Down: []Window{{From: 10 * time.Second, To: 40 * time.Second}}})
	srv := httptest.NewServer(s)
	defer srv.Close()

	steps := []struct {
		advance time.Duration // before the call
		want    int
	}{
		{0, 200}, // t=0
		{9*time.Second + 999*time.Millisecond, 200}, // t=9.999s
		{time.Millisecond, 503},                     // t=10s: From is inclusive
		{29 * time.Second, 503},                     // t=39s
		{time.Second, 200},                          // t=40s: To is exclusive
		{time.Hour, 200},
	}
	for i, st := range steps {
		clock.Add(st.advance)
		resp, out := post(t, srv.URL, chat("hi", false))
		if resp.StatusCode != st.want {
			t.Fatalf("step %d at t=%s: status %d, want %d", i, s.Uptime(), resp.StatusCode, st.want)
		}
		if st.want == 503 {
			e, _ := out["error"].(map[string]any)
			if e["type"] != "server_error" || e["code"] != "service_unavailable" || resp.Header.Get("Retry-After") != "" {
				t.Errorf("step %d: error body %v, Retry-After %q", i, out, resp.Header.Get("Retry-After"))
			}
		}
	}
	if s.Accepted() != 4 || s.Rejected() != 2 || s.DownRejected() != 2 {
		t.Errorf("accepted=%d rejected=%d down=%d, want 4, 2, 2", s.Accepted(), s.Rejected(), s.DownRejected())
	}
	if reqs := s.Requests(); len(reqs) != 6 || reqs[2].Status != 503 || reqs[4].Status != 200 {
		t.Errorf("recorded %d requests: %+v", len(reqs), reqs)
	}
}

// An outage consumes neither the script nor the rate limit: the scripted
// reply and the quota are still there when it ends.
func TestOutageConsumesNothing(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Options{Clock: clock.Now, RateLimit: 1, Down: []Window{{From: 0, To: time.Second}}})
	s.Script(Reply{Status: 500})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for range 3 {
		if resp, _ := post(t, srv.URL, chat("hi", false)); resp.StatusCode != 503 {
			t.Fatalf("in the outage: %d", resp.StatusCode)
		}
	}
	clock.Add(time.Second)
	if resp, _ := post(t, srv.URL, chat("hi", false)); resp.StatusCode != 500 {
		t.Errorf("first call after the outage: %d, want the scripted 500", resp.StatusCode)
	}
	if resp, _ := post(t, srv.URL, chat("hi", false)); resp.StatusCode != 429 {
		t.Errorf("second call after the outage: %d, want 429 (limit 1/min, only one call counted)", resp.StatusCode)
	}
}

// Behind a Faulty that fails every call, the outage still answers 503 and
// draws no injected fault; Listen starts the clock of the windows.
func TestOutageBehindFaultyListen(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Options{Clock: clock.Now, Down: []Window{{From: 5 * time.Second, To: 6 * time.Second}}})
	// Time passes between New and Listen: the windows count from Listen.
	clock.Add(5500 * time.Millisecond)
	f := NewFaulty(s, 1, 1, "")
	base, stop, err := Listen("127.0.0.1:0", f)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	url := strings.TrimSuffix(base, "/v1")
	if resp, _ := post(t, url, chat("hi", false)); resp.StatusCode != 429 && resp.StatusCode != 500 {
		t.Fatalf("t=0 after Listen: %d, want an injected fault (not down yet)", resp.StatusCode)
	}
	clock.Add(5 * time.Second)
	if resp, _ := post(t, url, chat("hi", false)); resp.StatusCode != 503 {
		t.Fatalf("t=5s: %d, want 503", resp.StatusCode)
	}
	if tm, in := f.Injected(); tm+in != 1 || s.DownRejected() != 1 {
		t.Errorf("injected %d+%d, down %d: want 1 injected fault and 1 outage 503", tm, in, s.DownRejected())
	}
}

// A short real window, on the real clock: calls made inside it fail, calls
// after it succeed.
func TestOutageRealClock(t *testing.T) {
	s := New(Options{Down: []Window{{From: 0, To: 150 * time.Millisecond}}})
	base, stop, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	url := strings.TrimSuffix(base, "/v1")
	resp, _ := post(t, url, chat("hi", false))
	if up := s.Uptime(); resp.StatusCode != 503 && up < 150*time.Millisecond {
		t.Fatalf("at %s: %d, want 503", up, resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for s.Uptime() < 150*time.Millisecond {
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if resp, _ := post(t, url, chat("hi", false)); resp.StatusCode != 200 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

func TestParseOutages(t *testing.T) {
	good := map[string][]Window{
		"":                         nil,
		"down from t=10s to t=40s": {{10 * time.Second, 40 * time.Second}},
		"from 10s to 40s":          {{10 * time.Second, 40 * time.Second}},
		" Down  FROM 3 to 8.5 ; ":  {{3 * time.Second, 8500 * time.Millisecond}},
		"from 0 to 250ms; from 1m to 1m30s": {
			{0, 250 * time.Millisecond}, {time.Minute, 90 * time.Second},
		},
	}
	for spec, want := range good {
		got, err := ParseOutages(spec)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ParseOutages(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	for _, spec := range []string{
		"down", "from 10s", "from 40s to 10s", "from 5s to 5s", "from -1s to 3s",
		"from 1s to soon", "from 1s to 2s extra", "fail 30% with 500", "from 1s to 2s; nonsense",
	} {
		if w, err := ParseOutages(spec); err == nil {
			t.Errorf("ParseOutages(%q) = %v, want an error", spec, w)
		}
	}
}

// A provider that is down from t=10s to t=40s, on a clock that the example
// moves by hand: the call at t=20s gets a 503, the one at t=40s is served.
func ExampleParseOutages() {
	windows, err := ParseOutages("down from t=10s to t=40s")
	if err != nil {
		panic(err)
	}
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(New(Options{Down: windows, Clock: clock.Now}))
	defer srv.Close()
	for _, at := range []time.Duration{20 * time.Second, 20 * time.Second} {
		clock.Add(at)
		resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(windows[0], "at", clock.Now().Format("t=05s:"), resp.StatusCode)
	}
	// Output:
	// down from t=10s to t=40s at t=20s: 503
	// down from t=10s to t=40s at t=40s: 200
}
