package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jobpilot/jobpilot"
)

// TokenFile is the name of the generated API token under the data dir.
const TokenFile = "api-token"

// LoadOrCreateToken returns the API token stored at <dataDir>/api-token,
// creating it (32 random bytes: 256 bits, 43 characters of base64url) with
// mode 0600 when it does not exist, so a restarted serve keeps the token its
// users already have. created tells whether the file was written now. A file
// that exists but is empty, readable by others or shorter than
// jobpilot.MinAPITokenLength is an error rather than silently trusted or
// replaced: the operator has to look at it.
func LoadOrCreateToken(dataDir string) (token, path string, created bool, err error) {
	path = filepath.Join(dataDir, TokenFile)
	if b, err := os.ReadFile(path); err == nil {
		fi, serr := os.Stat(path)
		if serr != nil {
			return "", path, false, fmt.Errorf("api token file: %w", serr)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return "", path, false, &jobpilot.Error{Code: jobpilot.EINVALID, Field: path,
				Message: fmt.Sprintf("api token file is accessible by other users (mode %v); chmod 600 it", fi.Mode().Perm())}
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", path, false, &jobpilot.Error{Code: jobpilot.EINVALID, Field: path, Message: "api token file is empty; delete it to have a new token generated"}
		}
		if n := utf8.RuneCountInString(tok); n < jobpilot.MinAPITokenLength {
			return "", path, false, &jobpilot.Error{Code: jobpilot.EINVALID, Field: path,
				Message: fmt.Sprintf("api token file holds %d characters, fewer than the %d required; delete it to have a new token generated", n, jobpilot.MinAPITokenLength)}
		}
		return tok, path, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", path, false, fmt.Errorf("api token file: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", path, false, fmt.Errorf("api token file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", path, false, fmt.Errorf("api token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(raw)
	// O_EXCL: two processes starting at once must not overwrite each
	// other's token; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateToken(dataDir)
	}
	if err != nil {
		return "", path, false, fmt.Errorf("api token file: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", path, false, fmt.Errorf("api token file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", path, false, fmt.Errorf("api token file: %w", err)
	}
	return tok, path, true, nil
}

// tokenEqual compares a presented token with the configured one in constant
// time. An empty configured token matches nothing.
func tokenEqual(presented, want string) bool {
	if want == "" {
		return false
	}
	// Hash both so the comparison time does not depend on the lengths.
	a, b := sha256.Sum256([]byte(presented)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// requireToken lets a request through only with "Authorization: Bearer
// <token>"; otherwise it answers 401 with a WWW-Authenticate challenge, or
// 429 while the client's address has spent its budget of wrong tokens.
func (s *server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch res, wait := s.bearer(r); res {
		case bearerOK:
			next.ServeHTTP(w, r)
		case bearerThrottled:
			s.tooMany(w, wait)
		default:
			s.unauthorized(w)
		}
	})
}

// bearerResult is what a request's Authorization header amounts to.
type bearerResult int

const (
	bearerNone      bearerResult = iota // no bearer token presented
	bearerOK                            // the right token
	bearerWrong                         // a wrong token: counted, logged (rate-limited) and spent from the address's budget
	bearerThrottled                     // not looked at: the address has no budget left
)

// bearer checks "Authorization: Bearer <token>". A throttled address gets
// bearerThrottled and how long to wait, whatever token it sent, so that
// guessing gains nothing from speed; a wrong token spends its budget.
func (s *server) bearer(r *http.Request) (bearerResult, time.Duration) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return bearerNone, 0
	}
	try, wait, ok := s.throttle.begin(r)
	if !ok {
		return bearerThrottled, wait
	}
	if tokenEqual(strings.TrimSpace(tok), s.Token) {
		try.succeeded()
		return bearerOK, 0
	}
	s.authFails.record(r, "bearer")
	return bearerWrong, 0
}

// unauthorized answers 401 with a WWW-Authenticate challenge.
func (s *server) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="jobpilot"`)
	writeJSON(w, http.StatusUnauthorized, ErrorBody{Error: ErrorDetail{Code: codeUnauthorized, Message: "missing or wrong bearer token"}})
}

// sessionCookie is the dashboard's cookie name.
const sessionCookie = "jobpilot_session"

// sessions issues and checks dashboard sessions. A cookie is
// "<secret>.<mac>": 32 random bytes and HMAC-SHA256(key, secret), where key
// is derived from the API token, so the cookie never holds the token, a
// forged cookie is refused without a database query, and changing the token
// logs everyone out. The session itself lives in the store under the
// SHA-256 of the secret, with its expiry: signing out deletes it, so a
// cookie replayed afterwards finds nothing, and "sign out everywhere"
// deletes them all. The CSRF token of a session is HMAC(key, "csrf"|secret),
// so it needs no state of its own.
type sessions struct {
	key   []byte
	ttl   time.Duration
	now   func() time.Time
	store jobpilot.SessionStore // nil: no sign-in is possible
}

// sessionSecretLen is the size of a session's secret in bytes.
const sessionSecretLen = 32

func newSessions(token string, ttl time.Duration, now func() time.Time, store jobpilot.SessionStore) *sessions {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("jobpilot dashboard session v2"))
	return &sessions{key: m.Sum(nil), ttl: ttl, now: now, store: store}
}

func (ss *sessions) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, ss.key)
	for _, p := range parts {
		m.Write(p)
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// storeID is the store's key of a session: the digest of its secret, so
// the table's contents let nobody in.
func storeID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}

// errNoSessionStore: sessions need a store (Options.Sessions).
var errNoSessionStore = &jobpilot.Error{Code: jobpilot.EUNAVAILABLE, Message: "dashboard sessions are unavailable: no session store"}

// issue starts a session and returns its cookie value.
func (ss *sessions) issue(ctx context.Context) (string, error) {
	if ss.store == nil {
		return "", errNoSessionStore
	}
	secret := make([]byte, sessionSecretLen)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	now := ss.now()
	if err := ss.store.CreateSession(ctx, &jobpilot.Session{ID: storeID(secret), CreatedAt: now, ExpiresAt: now.Add(ss.ttl)}); err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(secret) + "." + enc.EncodeToString(ss.mac(secret)), nil
}

// secret returns the secret of a well-formed, authentic cookie value,
// without asking the store.
func (ss *sessions) secret(v string) ([]byte, bool) {
	sec, mac, ok := strings.Cut(v, ".")
	if !ok {
		return nil, false
	}
	enc := base64.RawURLEncoding
	secret, err1 := enc.DecodeString(sec)
	sum, err2 := enc.DecodeString(mac)
	if err1 != nil || err2 != nil || len(secret) != sessionSecretLen || !hmac.Equal(sum, ss.mac(secret)) {
		return nil, false
	}
	return secret, true
}

// check returns the secret of a cookie value whose session exists and has
// not expired. A store error counts as no session (the caller signs in
// again) and is returned for logging.
func (ss *sessions) check(ctx context.Context, v string) ([]byte, bool, error) {
	secret, ok := ss.secret(v)
	if !ok || ss.store == nil {
		return nil, false, nil
	}
	sess, err := ss.store.Session(ctx, storeID(secret))
	if err != nil {
		if jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND {
			err = nil
		}
		return nil, false, err
	}
	if !ss.now().Before(sess.ExpiresAt) {
		return nil, false, ss.store.DeleteSession(ctx, sess.ID)
	}
	return secret, true, nil
}

// end deletes the session of a cookie value, if it has one.
func (ss *sessions) end(ctx context.Context, v string) error {
	secret, ok := ss.secret(v)
	if !ok || ss.store == nil {
		return nil
	}
	return ss.store.DeleteSession(ctx, storeID(secret))
}

// csrf is the CSRF token of the session with this secret.
func (ss *sessions) csrf(secret []byte) string {
	return base64.RawURLEncoding.EncodeToString(ss.mac([]byte("csrf"), secret))
}

// session returns the request's session secret, if it carries the cookie of
// a live session.
func (s *server) session(r *http.Request) ([]byte, bool) {
	if secret, ok := r.Context().Value(sessionKey{}).([]byte); ok {
		return secret, true
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	secret, ok, err := s.sessions.check(r.Context(), c.Value)
	if err != nil {
		s.log.WarnContext(r.Context(), "dashboard session not checked", "err", err)
	}
	return secret, ok
}

// setSession sets the session cookie: HttpOnly, SameSite=Strict, and Secure
// when the request came over TLS (directly or, per X-Forwarded-Proto, through
// a proxy).
func (s *server) setSession(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	})
}

// checkCSRF verifies a dashboard form post: the hidden csrf field must equal
// the session's CSRF token (constant time). Cross-origin requests were
// already refused by http.CrossOriginProtection around the dashboard.
func (s *server) checkCSRF(r *http.Request, id []byte) bool {
	return hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(s.sessions.csrf(id)))
}
