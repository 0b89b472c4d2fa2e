package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/mail"
)

// Fake secrets configured in the real-system tests; none may ever appear in
// a response, a log line or the printed configuration.
const (
	secretToken = "tok-Zq81-very-secret-api-token-for-tests"
	secretSMTP  = "smtp-pw-Hx77-secret"
	secretKey   = "sk-fake-openai-Kd42-secret"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	sys  *system.System
	cfg  *config.Config
	srv  *httptest.Server
	logs *syncBuffer
	// transcript holds every response (headers and body) for the secrets scan.
	mu         sync.Mutex
	transcript bytes.Buffer
}

// newEnv builds the real system on a temporary SQLite file with the
// template writer, the examples and the .eml outbox, starts its engine (the
// automation runs at start) and serves httpapi, River UI included, over a
// real HTTP server.
func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"JOBPILOT_DATA_DIR":  dir,
		"DATABASE_URL":       "sqlite://" + filepath.Join(dir, "jobpilot.db"),
		"JOBPILOT_WRITER":    "template",
		"JOBPILOT_API_TOKEN": secretToken,
		"SMTP_HOST":          "mail.invalid", "SMTP_USERNAME": "me", "SMTP_PASSWORD": secretSMTP,
		"SMTP_FROM":      "ada@example.com",
		"OPENAI_API_KEY": secretKey,
		"SHUTDOWN_GRACE": "2s",
		// Sent at once; the undo window's tests set Apply.SendDelay.
		"SEND_DELAY": "0",
		// The tests try many wrong tokens on purpose; the per-address
		// limit has tests of its own (throttle_test.go).
		"HTTP_AUTH_FAILURES_PER_MINUTE": "10000",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	// The configured SMTP host is never dialled: mail goes to the outbox.
	sys, err := system.Open(ctx, cfg, system.Options{Logger: log, FastStart: true, RunOnStart: true,
		Mailer: mail.NewOutbox(filepath.Join(dir, "outbox"))})
	if err != nil {
		t.Fatal(err)
	}
	// River UI is wired as serve wires it.
	ui, err := sys.NewRiverUI()
	if err != nil {
		sys.Close()
		t.Fatal(err)
	}
	if err := ui.Start(ctx); err != nil {
		sys.Close()
		t.Fatal(err)
	}
	if err := sys.Start(ctx); err != nil {
		ui.Stop()
		sys.Close()
		t.Fatal(err)
	}
	opts := sys.HTTPOptions()
	opts.Token = cfg.APIToken
	opts.RiverUI = ui
	srv := httptest.NewServer(httpapi.New(opts))
	t.Cleanup(func() {
		srv.Close()
		ui.Stop()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sys.Stop(sctx)
		_ = sys.Close()
	})
	return &env{sys: sys, cfg: cfg, srv: srv, logs: logs}
}

// do sends a request with the given bearer token ("" for none) and returns
// the status and body.
func (e *env) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	e.record(resp.Header, out)
	return resp.StatusCode, out
}

func (e *env) record(h http.Header, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = h.Write(&e.transcript)
	e.transcript.Write(body)
	e.transcript.WriteByte('\n')
}

// api calls the API with the right token and decodes the JSON answer into v
// (when not nil), failing the test on any other status than want.
func (e *env) api(t *testing.T, method, path string, body any, want int, v any) {
	t.Helper()
	code, out := e.do(t, method, path, secretToken, body)
	if code != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, code, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, out, err)
		}
	}
}

// wantError checks an error response's status, code and field.
func (e *env) wantError(t *testing.T, method, path string, body any, status int, code, field string) {
	t.Helper()
	got, out := e.do(t, method, path, secretToken, body)
	var eb httpapi.ErrorBody
	if err := json.Unmarshal(out, &eb); err != nil {
		t.Fatalf("%s %s: not a JSON error: %s", method, path, out)
	}
	if got != status || eb.Error.Code != code || (field != "" && eb.Error.Field != field) {
		t.Fatalf("%s %s: got %d %+v, want %d code %q field %q", method, path, got, eb.Error, status, code, field)
	}
}

// waitFor is the kit's dbtest.Eventually.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	dbtest.Eventually(t, d, what, cond)
}

// readyByEmail waits for the start-up automation run to prepare an
// application that can be approved (ready, with a contact email).
func (e *env) readyByEmail(t *testing.T) *jobpilot.Application {
	t.Helper()
	var app *jobpilot.Application
	waitFor(t, 30*time.Second, "a ready application with a contact email", func() bool {
		apps, err := e.sys.Store.Applications(context.Background(), jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			if a.ApplyVia == jobpilot.ApplyViaEmail {
				app = a
				return true
			}
		}
		return false
	})
	return app
}

func (e *env) status(t *testing.T, id int64) jobpilot.Status {
	t.Helper()
	a, err := e.sys.Store.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}
