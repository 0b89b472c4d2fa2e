package fakellm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func post(t *testing.T, url string, body map[string]any) (*http.Response, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func chat(content string, json bool) map[string]any {
	m := map[string]any{"model": "m", "messages": []map[string]string{{"role": "user", "content": content}}}
	if json {
		m["response_format"] = map[string]string{"type": "json_object"}
	}
	return m
}

func content(out map[string]any) string {
	return out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s := New(Options{RateLimit: 2, Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for i, want := range []int{200, 200, 429} {
		resp, _ := post(t, srv.URL, chat("hi", false))
		if resp.StatusCode != want {
			t.Fatalf("call %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "60" {
			t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if resp, _ := post(t, srv.URL, chat("hi", false)); resp.StatusCode != 200 {
		t.Errorf("after a minute: %d", resp.StatusCode)
	}
	if s.Accepted() != 3 || s.Rejected() != 1 {
		t.Errorf("accepted=%d rejected=%d", s.Accepted(), s.Rejected())
	}
}

// The same seed gives the same faults.
func TestFaultRateSeeded(t *testing.T) {
	run := func() string {
		s := New(Options{FaultRate: 0.5, Seed: 7})
		srv := httptest.NewServer(s)
		defer srv.Close()
		var b strings.Builder
		for range 12 {
			resp, _ := post(t, srv.URL, chat("hi", false))
			b.WriteString(http.StatusText(resp.StatusCode)[:1])
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "I") || !strings.Contains(a, "O") {
		t.Errorf("fault patterns %q and %q", a, b)
	}
}

func TestDefaultTailoringFromPrompt(t *testing.T) {
	s := New(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	prompt := `<profile>{"name":"Ana","summary":"Engineer.","work":[{"index":0,"employer":"Acme","highlights":["a","b"]}],
"skills":["Go"],"education":[{"index":0}]}</profile>`
	_, out := post(t, srv.URL, chat(prompt, true))
	var plan struct {
		Summary string
		Work    []struct {
			Index      int
			Highlights []struct{ Index int }
		}
		Skills    []string
		Education []int
	}
	if err := json.Unmarshal([]byte(content(out)), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Summary != "Engineer." || len(plan.Work) != 1 || len(plan.Work[0].Highlights) != 2 || plan.Skills[0] != "Go" || len(plan.Education) != 1 {
		t.Errorf("plan = %+v", plan)
	}

	s.Script(Reply{Obey: true})
	_, out = post(t, srv.URL, chat(prompt, true))
	if c := content(out); !strings.Contains(c, "Google") || !strings.Contains(c, "MIT") {
		t.Errorf("obedient reply lacks the injection: %s", c)
	}
	_, out = post(t, srv.URL, chat(prompt+"\n<posting>\nCompany: Initech\nTitle: Go Engineer\n</posting>", false))
	if c := content(out); !strings.Contains(c, "Go Engineer role at Initech") || len(strings.Fields(c)) < 150 {
		t.Errorf("letter: %s", c)
	}
}

func TestStartStandalone(t *testing.T) {
	s := New(Options{})
	s.Script(Reply{Status: 503})
	base, stop, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := post(t, strings.TrimSuffix(base, "/v1"), chat("hi", false))
	if resp.StatusCode != 503 || s.Rejected() != 1 {
		t.Errorf("status %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// With Options.APIKey the server takes that key only: any other, or none,
// gets OpenAI's 401 invalid_api_key on every endpoint, and a refused chat
// call is recorded and counted as rejected.
func TestAPIKeyRefused(t *testing.T) {
	s := New(Options{APIKey: "sk-right"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	call := func(method, path, key string) (int, map[string]any) {
		t.Helper()
		var body *bytes.Reader
		if method == http.MethodPost {
			b, _ := json.Marshal(chat("hi", false))
			body = bytes.NewReader(b)
		} else {
			body = bytes.NewReader(nil)
		}
		req, _ := http.NewRequest(method, srv.URL+path, body)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	for _, key := range []string{"", "sk-wrong"} {
		for _, c := range []struct{ method, path string }{{http.MethodPost, "/v1/chat/completions"}, {http.MethodGet, "/v1/models"}} {
			code, out := call(c.method, c.path, key)
			e, _ := out["error"].(map[string]any)
			if code != http.StatusUnauthorized || e["code"] != "invalid_api_key" {
				t.Errorf("%s %s with key %q: %d %v, want 401 invalid_api_key", c.method, c.path, key, code, out)
			}
		}
	}
	if code, _ := call(http.MethodPost, "/v1/chat/completions", "sk-right"); code != http.StatusOK {
		t.Errorf("the right key: %d", code)
	}
	if s.Calls() != 3 || s.Rejected() != 2 || s.Accepted() != 1 || s.Requests()[0].Status != http.StatusUnauthorized {
		t.Errorf("calls=%d rejected=%d accepted=%d, want 3, 2, 1", s.Calls(), s.Rejected(), s.Accepted())
	}
}
