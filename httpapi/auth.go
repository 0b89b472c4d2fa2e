package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
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

// sessions issues and checks dashboard sessions. A session is
// "<id>.<expiry>.<mac>" where mac = HMAC-SHA256(key, id|expiry) and key is
// derived from the API token: the cookie never holds the token, sessions
// survive a restart, and changing the token logs everyone out. The CSRF
// token of a session is HMAC(key, "csrf"|id), so it needs no server state.
type sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

func newSessions(token string, ttl time.Duration, now func() time.Time) *sessions {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("jobpilot dashboard session v1"))
	return &sessions{key: m.Sum(nil), ttl: ttl, now: now}
}

func (ss *sessions) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, ss.key)
	for _, p := range parts {
		m.Write(p)
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// issue returns a new session value.
func (ss *sessions) issue() (string, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", err
	}
	exp := make([]byte, 8)
	binary.BigEndian.PutUint64(exp, uint64(ss.now().Add(ss.ttl).Unix()))
	enc := base64.RawURLEncoding
	return enc.EncodeToString(id) + "." + enc.EncodeToString(exp) + "." + enc.EncodeToString(ss.mac(id, exp)), nil
}

// check returns the session id of a valid, unexpired value.
func (ss *sessions) check(v string) ([]byte, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return nil, false
	}
	enc := base64.RawURLEncoding
	id, err1 := enc.DecodeString(parts[0])
	exp, err2 := enc.DecodeString(parts[1])
	mac, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(id) != 16 || len(exp) != 8 {
		return nil, false
	}
	if !hmac.Equal(mac, ss.mac(id, exp)) {
		return nil, false
	}
	if ss.now().Unix() >= int64(binary.BigEndian.Uint64(exp)) {
		return nil, false
	}
	return id, true
}

// csrf is the CSRF token of session id.
func (ss *sessions) csrf(id []byte) string {
	return base64.RawURLEncoding.EncodeToString(ss.mac([]byte("csrf"), id))
}

// session returns the request's session id, if it carries a valid cookie.
func (s *server) session(r *http.Request) ([]byte, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	return s.sessions.check(c.Value)
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
