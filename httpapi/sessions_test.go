package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/store"
)

// browserSession signs in and returns the session cookie's value and the
// dashboard's CSRF token.
func browserSession(t *testing.T, base, token string) (cookie, csrf string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, k := range resp.Cookies() {
		if k.Name == "jobpilot_session" && k.Value != "" {
			cookie = k.Value
		}
	}
	if cookie == "" {
		t.Fatalf("sign-in set no session cookie: %d", resp.StatusCode)
	}
	code, page := withCookie(t, base, "GET", "/", cookie, nil)
	m := csrfField.FindStringSubmatch(page)
	if code != 200 || m == nil || !strings.Contains(page, "Sign out everywhere") {
		t.Fatalf("the dashboard after sign-in: %d %.300s", code, page)
	}
	return cookie, m[1]
}

// withCookie sends a request carrying the session cookie value as a
// browser (or an attacker who copied it) would, and returns the status
// and body without following redirects.
func withCookie(t *testing.T, base, method, path, cookie string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "jobpilot_session", Value: cookie})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Signing out ends the session on the server: the cookie, replayed after
// logout, opens nothing (the dashboard shows the sign-in form, a form post
// is refused) while another browser's session goes on; "sign out
// everywhere" ends every session at once.
func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	const token = "session-test-token-0123456789abcdefgh"
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		srv := httptest.NewServer(httpapi.New(httpapi.Options{Token: token, Store: db}))
		defer srv.Close()
		signedIn := func(cookie string) bool {
			_, page := withCookie(t, srv.URL, "GET", "/", cookie, nil)
			return strings.Contains(page, "Sign out everywhere")
		}

		a, csrfA := browserSession(t, srv.URL, token)
		b, _ := browserSession(t, srv.URL, token)
		if code, _ := withCookie(t, srv.URL, "POST", "/logout", a, url.Values{"csrf": {csrfA}}); code != http.StatusSeeOther {
			t.Fatalf("logout: %d", code)
		}
		if signedIn(a) {
			t.Fatal("the cookie replayed after logout still opens the dashboard")
		}
		if code, _ := withCookie(t, srv.URL, "POST", "/scheduler/trigger", a, url.Values{"csrf": {csrfA}, "kind": {"automation_run"}}); code != http.StatusUnauthorized {
			t.Fatalf("a form posted with the replayed cookie: %d, want 401", code)
		}
		if !signedIn(b) {
			t.Fatal("signing out one browser ended another's session")
		}

		c, csrfC := browserSession(t, srv.URL, token)
		if code, _ := withCookie(t, srv.URL, "POST", "/logout/everywhere", c, url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
			t.Fatalf("sign out everywhere without the CSRF token: %d, want 403", code)
		}
		code, _ := withCookie(t, srv.URL, "POST", "/logout/everywhere", c, url.Values{"csrf": {csrfC}})
		if code != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", code)
		}
		if signedIn(b) || signedIn(c) {
			t.Fatal("a session survived sign out everywhere")
		}
		if _, page := withCookie(t, srv.URL, "GET", "/?done=loggedouteverywhere", c, nil); !strings.Contains(page, "Signed out everywhere") {
			t.Errorf("the sign-in page does not say so: %.300s", page)
		}
	})
}
