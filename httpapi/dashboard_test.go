package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// dashboardPages drives the dashboard over HTTP as a browser without
// JavaScript would: login, overview, preview, CSRF- and origin-checked
// approve.
func dashboardPages(t *testing.T, e *env) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, e.srv.URL+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		e.record(resp.Header, b)
		return resp, string(b)
	}

	resp, page := send("GET", "/", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `name="token"`) {
		t.Fatalf("anonymous GET /: %d, no login form", resp.StatusCode)
	}
	for _, path := range []string{"/applications/1", "/admin"} {
		if resp, _ := send("GET", path, nil, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("anonymous GET %s: %d, want a redirect to the login", path, resp.StatusCode)
		}
	}
	resp, _ = send("POST", "/login", url.Values{"token": {"guess"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?done=badlogin" || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong token: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = send("POST", "/login", url.Values{"token": {secretToken}}, map[string]string{"Origin": "http://evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin login: %d, want 403", resp.StatusCode)
	}
	resp, _ = send("POST", "/login", url.Values{"token": {secretToken}}, nil)
	setCookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Strict") {
		t.Fatalf("login: %d, Set-Cookie %q", resp.StatusCode, setCookie)
	}
	if strings.Contains(setCookie, secretToken) {
		t.Fatal("the session cookie holds the raw token")
	}

	ready := e.readyByEmail(t)
	rid := fmt.Sprint(ready.ID)
	resp, page = send("GET", "/", nil, nil)
	for _, want := range []string{`id="review"`, `id="app-` + rid + `"`, `id="approve-` + rid + `"`, `id="pick-` + rid + `"`, `id="bulk"`, "template"} {
		if !strings.Contains(page, want) {
			t.Errorf("the review queue lacks %q", want)
		}
	}
	for _, operator := range []string{"Circuit breakers", "Scheduler", "Recent events"} {
		if strings.Contains(page, operator) {
			t.Errorf("the review queue shows the operator's %q", operator)
		}
	}
	if resp, admin := send("GET", "/admin", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("admin: %d", resp.StatusCode)
	} else {
		for _, want := range []string{"<svg", "Circuit breakers", "Scheduler", "Recent events", `id="pipeline"`} {
			if !strings.Contains(admin, want) {
				t.Errorf("the admin page lacks %q", want)
			}
		}
	}
	m := csrfField.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("dashboard: %d, csrf token found: %v", resp.StatusCode, m != nil)
	}
	csrf := m[1]
	resp, page = send("GET", "/applications/"+rid, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `<iframe src="/applications/`+rid+`/resume.pdf"`) || !strings.Contains(page, `id="letter"`) {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	if resp, pdf := send("GET", "/applications/"+rid+"/resume.pdf", nil, nil); resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("preview pdf: %d", resp.StatusCode)
	}

	approve := "/applications/" + rid + "/approve"
	if resp, _ := send("POST", approve, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("approve without CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := send("POST", approve, url.Values{"csrf": {csrf + "x"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("approve with a wrong CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := send("POST", approve, url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site approve: %d, want 403", resp.StatusCode)
	}
	if s := e.status(t, ready.ID); s != jobpilot.StatusReady {
		t.Fatalf("a refused form changed the application to %s", s)
	}
	resp, _ = send("POST", approve, url.Values{"csrf": {csrf}}, map[string]string{"Origin": e.srv.URL})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/?done=approved") {
		t.Fatalf("approve: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s := e.status(t, ready.ID); s == jobpilot.StatusReady {
		t.Fatal("approve did not change the application")
	}
	resp, page = send("POST", approve, url.Values{"csrf": {csrf}}, nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, ", not ready") {
		t.Fatalf("approving twice: %d", resp.StatusCode)
	}

	// A tampered or foreign session is not a session.
	u, _ := url.Parse(e.srv.URL)
	for _, v := range []string{"AAAA.AAAA.AAAA", strings.Repeat("x", 60)} {
		jar.SetCookies(u, []*http.Cookie{{Name: "jobpilot_session", Value: v, Path: "/"}})
		if _, page := send("GET", "/", nil, nil); !strings.Contains(page, `name="token"`) {
			t.Fatalf("cookie %q was accepted", v)
		}
	}
}
