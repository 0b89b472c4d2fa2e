package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/freshpg"
	"github.com/jobpilot/jobpilot/store"
)

// uiJob is the part of River UI's job JSON the tests read.
type uiJob struct {
	ID    json.Number `json:"id"`
	Kind  string      `json:"kind"`
	State string      `json:"state"`
}

// uiClient calls a server as a browser or a script would, without
// following redirects; token "" sends no Authorization header.
type uiClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

func newUIClient(t *testing.T, base, token string, jar http.CookieJar) *uiClient {
	return &uiClient{t: t, base: base, token: token, c: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (u *uiClient) send(method, path, body string, hdr map[string]string) (*http.Response, string) {
	u.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u.base+path, rd)
	if err != nil {
		u.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// jobs lists River UI's jobs in state.
func (u *uiClient) jobs(state string) []uiJob {
	u.t.Helper()
	resp, body := u.send("GET", "/riverui/api/jobs?state="+state+"&limit=100", "", nil)
	if resp.StatusCode != 200 {
		u.t.Fatalf("River UI job list (%s): %d %s", state, resp.StatusCode, body)
	}
	var list struct {
		Data []uiJob `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		u.t.Fatalf("River UI job list: %v in %s", err, body)
	}
	return list.Data
}

var uiScript = regexp.MustCompile(`<script type="module" src="(/riverui/assets/[^"]+\.js)"`)

// River UI at /riverui/ needs the token or a dashboard session, serves its
// app with a CSP that allows only our own scripts (the dashboard's still
// allows none), lists the jobs of the running system and keeps doing so
// after the engine's River client was replaced; with a session, its
// same-origin calls can change jobs and cross-origin ones are refused.
func TestRiverUI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	anon := newUIClient(t, e.srv.URL, "", nil)
	script := newUIClient(t, e.srv.URL, secretToken, nil)

	// Never without authentication.
	if resp, _ := anon.send("GET", "/riverui/", "", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("anonymous GET /riverui/: %d %q, want 303 to the login", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range []struct{ method, path, body, token string }{
		{"GET", "/riverui/api/jobs?state=completed", "", ""},
		{"GET", "/riverui/api/states", "", ""},
		{"POST", "/riverui/api/jobs/cancel", `{"ids":["1"]}`, ""},
		{"GET", "/riverui/", "", "wrong"},
		{"GET", "/riverui/api/jobs?state=completed", "", "wrong"},
	} {
		resp, body := newUIClient(t, e.srv.URL, c.token, nil).send(c.method, c.path, c.body, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"unauthorized"`) {
			t.Fatalf("%s %s with token %q: %d %s, want 401", c.method, c.path, c.token, resp.StatusCode, body)
		}
	}
	if resp, _ := anon.send("GET", "/riverui/assets/x.js", "", map[string]string{"Accept": "*/*"}); resp.StatusCode == 200 {
		t.Fatal("an asset is served without authentication")
	}

	// The app, with its own CSP.
	resp, page := script.send("GET", "/riverui/", "", map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 200 || !strings.Contains(page, `<div id="root"`) {
		t.Fatalf("GET /riverui/ with the token: %d %.300s", resp.StatusCode, page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("River UI CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || regexp.MustCompile(`script-src[^;]*(unsafe-inline|\*|https?:)`).MatchString(csp) {
		t.Errorf("River UI CSP %q allows scripts from elsewhere or inline", csp)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("River UI page Cache-Control %q", cc)
	}
	m := uiScript.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no module script under /riverui/assets/ in %s", page)
	}
	if resp, js := script.send("GET", m[1], "", nil); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || len(js) < 1000 {
		t.Fatalf("GET %s: %d %s, %d bytes", m[1], resp.StatusCode, resp.Header.Get("Content-Type"), len(js))
	}
	resp, _ = script.send("GET", "/", "", nil)
	if dash := resp.Header.Get("Content-Security-Policy"); !strings.Contains(dash, "default-src 'none'") || strings.Contains(dash, "script-src") {
		t.Errorf("the dashboard's CSP %q must still forbid scripts", dash)
	}

	// Its API lists the jobs the engine ran at start-up.
	ours := map[string]bool{}
	for _, k := range []jobpilot.TaskKind{jobpilot.TaskFetchPostings, jobpilot.TaskAutomationRun, jobpilot.TaskProcessPosting, jobpilot.TaskSendApplication, jobpilot.TaskFollowUps, jobpilot.TaskCleanup} {
		ours[string(k)] = true
	}
	var done []uiJob
	waitFor(t, 30*time.Second, "River UI to list a completed start-up job", func() bool {
		done = script.jobs("completed")
		return len(done) > 0
	})
	for _, j := range done {
		if !ours[j.Kind] || j.State != "completed" {
			t.Fatalf("River UI lists %+v", j)
		}
	}
	id, _ := done[0].ID.Int64()
	row, err := e.sys.Engine.Client().JobGet(ctx, id)
	if err != nil || row.Kind != done[0].Kind {
		t.Fatalf("River UI's job %+v is not the engine's: %+v, %v", done[0], row, err)
	}
	resp, body := script.send("GET", "/riverui/api/states", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"completed":{`) {
		t.Fatalf("GET /riverui/api/states: %d %s", resp.StatusCode, body)
	}

	// The engine's client is replaced; the UI sees what the new one enqueues.
	if err := e.sys.Engine.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.sys.Engine.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskCleanup, ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var later uiJob
	for _, j := range script.jobs("scheduled") {
		if j.Kind == string(jobpilot.TaskCleanup) {
			later = j
		}
	}
	if later.ID == "" {
		t.Fatalf("after a restart River UI does not list the scheduled cleanup: %+v", script.jobs("scheduled"))
	}

	// A dashboard session opens River UI too, and the dashboard links it.
	jar, _ := cookiejar.New(nil)
	browser := newUIClient(t, e.srv.URL, "", jar)
	form := url.Values{"token": {secretToken}}.Encode()
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := browser.c.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if resp, page := browser.send("GET", "/", "", nil); resp.StatusCode != 200 || !strings.Contains(page, `<a id="nav-queue" href="/riverui/">Queue</a>`) {
		t.Fatalf("the dashboard has no Queue link: %d", resp.StatusCode)
	}
	if resp, page := browser.send("GET", "/riverui/", "", map[string]string{"Accept": "text/html"}); resp.StatusCode != 200 || !strings.Contains(page, `<div id="root"`) {
		t.Fatalf("GET /riverui/ with a session: %d", resp.StatusCode)
	}
	if got := browser.jobs("scheduled"); len(got) == 0 {
		t.Fatal("River UI lists no scheduled job with a session")
	}
	cancel := fmt.Sprintf(`{"ids":[%q]}`, later.ID.String())
	resp, body = browser.send("POST", "/riverui/api/jobs/cancel", cancel, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin cancel with a session: %d %s, want 403", resp.StatusCode, body)
	}
	resp, body = browser.send("POST", "/riverui/api/jobs/cancel", cancel, map[string]string{"Origin": e.srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != 200 {
		t.Fatalf("same-origin cancel with a session: %d %s", resp.StatusCode, body)
	}
	lid, _ := later.ID.Int64()
	if row, err := e.sys.Engine.Client().JobGet(ctx, lid); err != nil || row.State != "cancelled" {
		t.Fatalf("after River UI's cancel the job is %+v, %v", row, err)
	}
	// Bodies are bounded like the API's.
	big := `{"ids":["` + strings.Repeat("1", httpapi.DefaultMaxBody) + `"]}`
	if resp, _ := script.send("POST", "/riverui/api/jobs/cancel", big, nil); resp.StatusCode < 400 {
		t.Fatalf("an oversized River UI body: %d", resp.StatusCode)
	}
}

// Without Options.RiverUI, or once it is stopped, /riverui/ answers 503
// behind the same authentication, and the dashboard has no Queue link.
func TestRiverUIUnavailable(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "jobpilot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ui, err := engine.NewRiverUI(db, httpapi.RiverUIPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ui.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ui.Stop()
	for name, opts := range map[string]httpapi.Options{
		"absent":  {Store: db, Token: exampleToken},
		"stopped": {Store: db, Token: exampleToken, RiverUI: ui},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(httpapi.New(opts))
			defer srv.Close()
			if resp, _ := newUIClient(t, srv.URL, "", nil).send("GET", "/riverui/api/jobs", "", nil); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous: %d, want 401", resp.StatusCode)
			}
			if resp, body := newUIClient(t, srv.URL, exampleToken, nil).send("GET", "/riverui/", "", nil); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "River UI") {
				t.Fatalf("with the token: %d %s, want 503", resp.StatusCode, body)
			}
		})
	}
}

// River UI works on both of our River drivers: riversqlite and
// riverdatabasesql on PostgreSQL (when JOBPILOT_TEST_DATABASE_URL is set).
func TestRiverUIDrivers(t *testing.T) {
	dbs := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "jobpilot.db") },
		"postgres": func(t *testing.T) string {
			pg := os.Getenv("JOBPILOT_TEST_DATABASE_URL")
			if pg == "" {
				t.Skip("JOBPILOT_TEST_DATABASE_URL is not set")
			}
			return freshpg.Database(t, pg, "jp_riverui")
		},
	}
	for name, dsn := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			client, err := engine.NewInspector(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := client.Insert(ctx, apply.CleanupArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ui, err := engine.NewRiverUI(db, httpapi.RiverUIPrefix, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := ui.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer ui.Stop()
			srv := httptest.NewServer(httpapi.New(httpapi.Options{Store: db, Token: exampleToken, RiverUI: ui}))
			defer srv.Close()
			c := newUIClient(t, srv.URL, exampleToken, nil)
			got := c.jobs("scheduled")
			if len(got) != 1 || got[0].Kind != "cleanup" || got[0].ID.String() != fmt.Sprint(res.Job.ID) {
				t.Fatalf("River UI lists %+v, want the cleanup job %d", got, res.Job.ID)
			}
			for _, path := range []string{"/riverui/api/states", "/riverui/api/queues", "/riverui/api/health-checks/complete", fmt.Sprintf("/riverui/api/jobs/%d", res.Job.ID)} {
				if resp, body := c.send("GET", path, "", nil); resp.StatusCode != 200 {
					t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
				}
			}
		})
	}
}
