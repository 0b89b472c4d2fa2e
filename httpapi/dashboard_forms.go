package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/jobpilot/jobpilot"
)

// login exchanges the API token for a session cookie. The token is read
// from the form only and never logged. The form must arrive within
// LoginReadTimeout and 4 KiB, so slow or large bodies cannot hold
// connections. A wrong token is counted, spends the address's budget
// (authThrottle) and redirects back with a message after a short constant
// delay; an address without budget gets 429 before its token is looked at.
func (s *server) login() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.LoginReadTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
		try, wait, ok := s.throttle.begin(r)
		if !ok {
			s.retryAfter(w, wait)
			s.render(w, r, http.StatusTooManyRequests, "login.html", &dashData{Title: "Sign in", Flash: flashes["throttled"]})
			return
		}
		if err := r.ParseForm(); err != nil {
			s.render(w, r, http.StatusBadRequest, "error.html", &dashData{Title: "Bad request", Error: "The sign-in form could not be read."})
			return
		}
		if !tokenEqual(r.PostFormValue("token"), s.Token) {
			s.authFails.record(r, "login")
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
			}
			http.Redirect(w, r, "/?done=badlogin", http.StatusSeeOther)
			return
		}
		try.succeeded()
		v, err := s.sessions.issue(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.setSession(w, r, v, int(s.SessionTTL.Seconds()))
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// logout ends the session of the cookie it is sent with, on the server:
// the cookie is cleared in the browser, and the same value replayed later
// finds no session.
func (s *server) logout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil {
			if err := s.sessions.end(r.Context(), c.Value); err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		s.setSession(w, r, "", -1)
		http.Redirect(w, r, "/?done=loggedout", http.StatusSeeOther)
	})
}

// logoutEverywhere ends every dashboard session, in every browser (a lost
// phone, a shared computer); it is a form of the dashboard, so it needs a
// session and its CSRF token.
func (s *server) logoutEverywhere() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.formCSRF(w, r) {
			return
		}
		n, err := s.sessions.store.DeleteSessions(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.log.InfoContext(r.Context(), "signed out everywhere", "sessions", n, "remote", r.RemoteAddr)
		s.setSession(w, r, "", -1)
		http.Redirect(w, r, "/?done=loggedouteverywhere", http.StatusSeeOther)
	})
}

// sessionKey carries the session secret requireSession found, so the
// handlers after it do not look the session up again.
type sessionKey struct{}

// requireSession sends a request without a valid session back to the login
// form (GET) or refuses it (anything else).
func (s *server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := s.session(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusUnauthorized, "error.html", &dashData{Title: "Signed out", Error: "Your session has ended; sign in again."})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, secret)))
	})
}

// formAction runs a dashboard form post after checking its CSRF token, then
// redirects (303) to the page the action names, so a reload does not post
// again.
func (s *server) formAction(act func(r *http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.formCSRF(w, r) {
			return
		}
		to, err := act(r)
		s.counts.clear() // even a failed bulk action may have changed some
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// formCSRF reads a dashboard form (64 KiB at most) and checks its CSRF
// token against the session's; a mismatch is answered 403 here.
func (s *server) formCSRF(w http.ResponseWriter, r *http.Request) bool {
	id, _ := s.session(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !s.checkCSRF(r, id) {
		s.log.Warn("dashboard form refused: bad CSRF token", "path", r.URL.Path)
		s.render(w, r, http.StatusForbidden, "error.html", &dashData{Title: "Forbidden", Error: "This form has expired or did not come from the dashboard. Reload the page and try again."})
		return false
	}
	return true
}

func (s *server) approveForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	if _, err := s.Pipeline.Approve(r.Context(), id); err != nil {
		return "", err
	}
	// The queue names the application so that it can offer the undo.
	return "/?done=approved&undo=" + strconv.FormatInt(id, 10), nil
}

func (s *server) resetForm(r *http.Request) (string, error) {
	if s.Breakers == nil {
		return "", unavailable("the circuit breakers")
	}
	if err := s.Breakers.Reset(r.PathValue("name")); err != nil {
		return "", err
	}
	return "/admin?done=reset#breakers", nil
}

func (s *server) triggerForm(r *http.Request) (string, error) {
	if s.Scheduler == nil {
		return "", unavailable("the scheduler")
	}
	if err := s.Scheduler.Trigger(r.Context(), jobpilot.TaskKind(r.PostFormValue("kind"))); err != nil {
		return "", err
	}
	return "/admin?done=triggered#scheduler", nil
}

func (s *server) restartForm(r *http.Request) (string, error) {
	if s.Scheduler == nil {
		return "", unavailable("the scheduler")
	}
	if err := s.Scheduler.Restart(r.Context()); err != nil {
		return "", err
	}
	return "/admin?done=restarted#scheduler", nil
}
