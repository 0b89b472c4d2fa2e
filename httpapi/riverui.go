package httpapi

import (
	"net/http"
	"strings"
)

// RiverUIPrefix is where Options.RiverUI is mounted.
const RiverUIPrefix = "/riverui"

// riverUICSP lets River UI's single-page app run its own scripts and nothing
// else: scripts, styles, fonts and API calls from this origin only. Its
// toast and theme libraries add <style> elements at run time, hence
// 'unsafe-inline' for styles (never for scripts); its index page carries its
// settings in a <script type="application/json"> data block, which is not
// executed and needs no script permission.
const riverUICSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"

// riverUI serves Options.RiverUI with its own CSP. It is mounted behind
// requireSessionOrToken and http.CrossOriginProtection: its state-changing
// calls (cancel, retry, delete a job, pause a queue) are same-origin fetches
// carrying the SameSite=Strict session cookie, or scripts with the token.
func (s *server) riverUI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.RiverUI == nil {
			status, detail := statusFor(unavailable("River UI"))
			writeJSON(w, status, ErrorBody{Error: detail})
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", riverUICSP)
		if !strings.HasPrefix(r.URL.Path, RiverUIPrefix+"/assets/") {
			// Pages and API answers show job arguments: keep them out of
			// caches. The hashed assets may be cached.
			h.Set("Cache-Control", "no-store")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBody)
		}
		s.RiverUI.ServeHTTP(w, r)
	})
}

// requireSessionOrToken lets a request through with the dashboard's session
// cookie or the API's bearer token. Without either, a browser asking for a
// page (a GET outside the JSON API, with no Authorization header) goes to the
// login form; anything else gets the API's 401.
func (s *server) requireSessionOrToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.session(r); ok {
			next.ServeHTTP(w, r)
			return
		}
		switch res, wait := s.bearer(r); res {
		case bearerOK:
			next.ServeHTTP(w, r)
			return
		case bearerThrottled:
			s.tooMany(w, wait)
			return
		}
		if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && !strings.HasPrefix(r.URL.Path, RiverUIPrefix+"/api/") {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		s.unauthorized(w)
	})
}
