package system_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

const apiToken = "secrets-test-api-token-0123456789abcdef"

// kept gathers every text the system keeps or shows about its work: the
// log, the events, runs and applications in the store, the errors River
// keeps with its jobs, and the API's answers (health, runs, events,
// applications).
func kept(t *testing.T, sys *system.System, log string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{"log": log}
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	events, err := sys.Store.Events(ctx, jobpilot.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out["events"] = asJSON(events)
	runs, err := sys.Store.Runs(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	out["runs"] = asJSON(runs)
	apps, err := sys.Store.Applications(ctx, jobpilot.ApplicationFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out["applications"] = asJSON(apps)
	rows, err := sys.Store.SQL().QueryContext(ctx, "SELECT kind, CAST(errors AS TEXT) FROM river_job WHERE errors IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, errs string
		if err := rows.Scan(&kind, &errs); err != nil {
			t.Fatal(err)
		}
		out["river_job.errors"] += kind + ": " + errs + "\n"
	}
	rows.Close()

	opts := sys.HTTPOptions()
	opts.Token = apiToken
	srv := httptest.NewServer(httpapi.New(opts))
	defer srv.Close()
	for _, path := range []string{"/health", "/api/v1/runs", "/api/v1/events?limit=500", "/api/v1/applications", "/api/v1/breakers"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && path != "/health" {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		out["GET "+path] = string(body)
	}
	return out
}

// noSecrets fails the test for every kept text that holds one of secrets.
func noSecrets(t *testing.T, texts map[string]string, secrets ...string) {
	t.Helper()
	for where, text := range texts {
		for _, s := range secrets {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("the secret %q appears in %s: …%s…", s, where, text[max(0, i-120):min(len(text), i+len(s)+40)])
			}
		}
	}
}

// mustSay fails the test for every kept text that lacks what it must
// still say: the failure is reported, only its secrets are gone.
func mustSay(t *testing.T, texts map[string]string, want map[string]string) {
	t.Helper()
	for where, w := range want {
		if !strings.Contains(texts[where], w) {
			t.Errorf("%s lacks %q:\n%.3000s", where, w, texts[where])
		}
	}
}

// A feed behind basic auth and a ?token= fails; its password and token
// appear in no fetch error, retry line, event, run, job or API answer,
// while the failure itself is reported (with the URL redacted).
func TestFeedCredentialsNeverShown(t *testing.T) {
	t.Parallel()
	const password, token = "feed-pass-5f3a9c", "feed-token-77d2e1"
	var calls atomic.Int32
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		// A server that quotes the request in its error, credentials included.
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unavailable: %s %s Authorization: %s", r.Method, r.URL, r.Header.Get("Authorization"))
	}))
	defer feed.Close()
	feedURL := strings.Replace(feed.URL, "http://", "http://reader:"+password+"@", 1) + "/feed.json?token=" + token

	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		vars := map[string]string{
			"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_EXAMPLES": "off", "JOBPILOT_TIME_SCALE": "0.01",
			"JOBPILOT_API_TOKEN": apiToken, "JOBPILOT_NODE_ID": "secrets-test",
			// 10 s for the feed's answer (scaled): at the guide's 30 s, a
			// loaded machine's last attempt timed out at 300 ms, and the
			// run then reported no 503 for the test to find.
			"SOURCE_TIMEOUT": "1000", "SOURCE_IDLE_TIMEOUT": "1000",
		}
		if b.Postgres() {
			vars["DATABASE_URL"] = b.URL(t)
		}
		yaml := fmt.Sprintf("- {type: json, name: private, url: %q}", feedURL)
		cfg, err := config.Load(func(k string) string { return vars[k] }, writeConfig(t, yaml), system.CheckSources)
		if err != nil {
			t.Fatal(err)
		}
		var logs dbtest.LogBuffer
		sys, err := system.Open(context.Background(), cfg, system.Options{Logger: debugLogger(&logs), FastStart: true})
		if err != nil {
			t.Fatal(err)
		}
		defer sys.Close()
		before := calls.Load()
		if err := sys.Apply.FetchPostings(context.Background(), jobpilot.Task{Kind: jobpilot.TaskFetchPostings}); err != nil {
			t.Fatal(err)
		}
		if calls.Load()-before < 2 {
			t.Fatalf("the feed was asked %d times; the test needs retries", calls.Load()-before)
		}
		dbtest.Eventually(t, 10*time.Second, "the give-up event", func() bool {
			evs, _ := sys.Store.Events(context.Background(), jobpilot.EventFilter{Kinds: []string{jobpilot.EventGiveUp}})
			return len(evs) > 0
		})

		texts := kept(t, sys, logs.String())
		noSecrets(t, texts, password, token)
		// What the failure says is still there, with the URL redacted.
		mustSay(t, texts, map[string]string{
			"runs":             "reader:[redacted]@127.0.0.1",
			"GET /api/v1/runs": "503",
			"log":              "Retrying in",
			"events":           "token=[redacted]",
		})
	})
}

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// An LLM endpoint that quotes the Authorization header in its errors (500s
// first, then 401): OPENAI_API_KEY appears in no log line, no stored event,
// application or run, no error River keeps, no API answer, though the
// errors themselves are kept (scrubbed) and the 401 pauses the openai
// breaker with the endpoint's answer, scrubbed too, as its reason in
// /health and /api/v1/breakers.
func TestLLMKeyScrubbedEverywhere(t *testing.T) {
	t.Parallel()
	const key = "sk-echo-test-4e9b2c7a1d"
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		var calls atomic.Int32
		llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status := http.StatusUnauthorized
			if calls.Add(1) <= 4 {
				status = http.StatusInternalServerError
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			msg, _ := json.Marshal("Incorrect API key provided: " + r.Header.Get("Authorization"))
			fmt.Fprintf(w, `{"error":{"message":%s,"type":"invalid_request_error","code":"invalid_api_key"}}`, msg)
		}))
		defer llmSrv.Close()
		var logs dbtest.LogBuffer
		h := newHarness(t, harnessOpts{db: b, log: &logs, mode: "review", env: map[string]string{
			"JOBPILOT_WRITER": "llm", "OPENAI_API_KEY": key, "OPENAI_BASE_URL": llmSrv.URL + "/v1",
			"JOBPILOT_API_TOKEN": apiToken,
			// Four 500s make one give-up that the job returns to River, not
			// an open breaker (which would snooze the job without an error).
			"OPENAI_FAILURE_THRESHOLD": "10",
		}})
		h.automate()
		// The event that records the 401 is written after the application's
		// error: wait for both, or a loaded machine reads the events between.
		h.waitFor("the 401 to pause the openai breaker and be recorded on the application and in its events", 60*time.Second, func() bool {
			apps := h.apps()
			if h.sys.Health(context.Background()).CircuitBreakers[resilience.BreakerOpenAI].Reason == "" ||
				len(apps) != 1 || !strings.Contains(apps[0].Error, "HTTP 401") {
				return false
			}
			evs, err := h.sys.Store.Events(context.Background(), jobpilot.EventFilter{Limit: 1000})
			if err != nil {
				return false
			}
			for _, e := range evs {
				if strings.Contains(e.Message, "HTTP 401") {
					return true
				}
			}
			return false
		})

		texts := kept(t, h.sys, logs.String())
		noSecrets(t, texts, key)
		mustSay(t, texts, map[string]string{
			"applications":                 "Bearer [redacted]",
			"events":                       "HTTP 401",
			"river_job.errors":             "HTTP 500",
			"log":                          "Incorrect API key provided: Bearer [redacted]",
			"GET /api/v1/events?limit=500": "Bearer [redacted]",
			"GET /health":                  "Incorrect API key provided: Bearer [redacted]",
			"GET /api/v1/breakers":         "Incorrect API key provided: Bearer [redacted]",
		})
	})
}
