package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

func TestLoadOrCreateToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	tok, path, created, err := LoadOrCreateToken(dir)
	if err != nil || !created || len(tok) < 40 {
		t.Fatalf("first start: %q %v %v", tok, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v", fi.Mode().Perm(), err)
	}
	again, _, created, err := LoadOrCreateToken(dir)
	if err != nil || created || again != tok {
		t.Fatalf("second start: reused=%v created=%v err=%v", again == tok, created, err)
	}
	other, _, _, _ := LoadOrCreateToken(t.TempDir())
	if other == tok {
		t.Fatal("two data dirs got the same token")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadOrCreateToken(dir); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Fatalf("world-readable token file: %v, want EINVALID", err)
	}
	// A hand-written token too short to resist guessing is refused.
	if err := os.WriteFile(path, []byte("short-token-of-31-characters-xy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(path, 0o600)
	if _, _, _, err := LoadOrCreateToken(dir); jobpilot.ErrorCode(err) != jobpilot.EINVALID || !strings.Contains(err.Error(), "31 characters") {
		t.Fatalf("short token file: %v, want EINVALID", err)
	}
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(path, 0o600)
	if _, _, _, err := LoadOrCreateToken(dir); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Fatalf("empty token file: %v, want EINVALID", err)
	}
}

func TestTokenEqual(t *testing.T) {
	for _, c := range []struct {
		got, want string
		ok        bool
	}{{"abc", "abc", true}, {"abd", "abc", false}, {"ab", "abc", false}, {"", "", false}, {"x", "", false}} {
		if tokenEqual(c.got, c.want) != c.ok {
			t.Errorf("tokenEqual(%q, %q) != %v", c.got, c.want, c.ok)
		}
	}
}

// testStore is a migrated SQLite store in the test's directory.
func testStore(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "jobpilot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := testStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ss := newSessions("token-1", time.Hour, clock, db)
	v, err := ss.issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, ok, err := ss.check(ctx, v)
	if !ok || err != nil || len(id) != sessionSecretLen {
		t.Fatalf("a fresh session is refused: %v", err)
	}
	if strings.Contains(v, "token-1") {
		t.Fatal("the session holds the token")
	}
	// The store keeps a digest of the secret, never the cookie's secret.
	if _, err := db.Session(ctx, strings.Split(v, ".")[0]); jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		t.Fatalf("the store is keyed by the cookie's secret itself: %v", err)
	}
	// Another token's key refuses it (changing the token logs everyone out).
	if _, ok, _ := newSessions("token-2", time.Hour, clock, db).check(ctx, v); ok {
		t.Fatal("a session survived a token change")
	}
	// Tampering with the secret breaks the MAC.
	// The first character is changed to another, never to itself (a random
	// secret starts with any given letter one time in 64).
	parts := strings.Split(v, ".")
	first := "A"
	if parts[0][0] == 'A' {
		first = "B"
	}
	if _, ok, _ := ss.check(ctx, first+parts[0][1:]+"."+parts[1]); ok {
		t.Fatal("a tampered session was accepted")
	}
	if ss.csrf(id) == ss.csrf(make([]byte, sessionSecretLen)) {
		t.Fatal("CSRF tokens do not depend on the session")
	}
	// Ended on the server: the same cookie value is refused.
	other, err := ss.issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.end(ctx, v); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ss.check(ctx, v); ok {
		t.Fatal("an ended session was accepted")
	}
	if _, ok, _ := ss.check(ctx, other); !ok {
		t.Fatal("ending one session ended another")
	}
	now = now.Add(time.Hour)
	if _, ok, _ := ss.check(ctx, other); ok {
		t.Fatal("an expired session was accepted")
	}
	// Without a store, nobody signs in.
	if _, err := newSessions("token-1", time.Hour, clock, nil).issue(ctx); jobpilot.ErrorCode(err) != jobpilot.EUNAVAILABLE {
		t.Fatalf("issue without a store: %v", err)
	}
}

// TestSecureCookieOverTLS: the session cookie is Secure when the request came
// over TLS, and the handler is closed when no token is configured.
func TestSecureCookieOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(New(Options{Token: "t0ken-0123456789abcdefghijklmnopqr", Store: testStore(t)}))
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Post(srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("token=t0ken-0123456789abcdefghijklmnopqr"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		c = k
	}
	if c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", c)
	}

	open := httptest.NewServer(New(Options{}))
	defer open.Close()
	resp, err = http.Get(open.URL + "/api/v1/breakers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", open.URL+"/api/v1/breakers", nil)
	req.Header.Set("Authorization", "Bearer ")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp.StatusCode != 401 || resp2.StatusCode != 401 {
		t.Fatalf("without a configured token: %d and %d, want 401", resp.StatusCode, resp2.StatusCode)
	}
}
