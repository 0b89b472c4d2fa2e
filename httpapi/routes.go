package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes wires every endpoint. /health is the only route without the token.
//
// The API and /metrics take the bearer token; the dashboard takes its
// session cookie (set by POST /login with the token); River UI at /riverui/
// takes either. The dashboard and River UI refuse cross-origin posts
// (http.CrossOriginProtection: Sec-Fetch-Site, then Origin against Host);
// the dashboard's forms then check its per-session CSRF token, River UI's
// same-origin JSON calls rely on that and the SameSite=Strict cookie.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.Handler) { mux.Handle(pattern, s.requireToken(h)) }

	mux.Handle("GET /health", s.health())
	api("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{ErrorLog: nil}))

	api("GET /api/v1/profiles", s.listProfiles())
	api("POST /api/v1/profiles", s.createProfile())
	api("GET /api/v1/profiles/{id}", s.getProfile())
	api("PUT /api/v1/profiles/{id}", s.replaceProfile())

	api("GET /api/v1/postings", s.listPostings())
	api("POST /api/v1/postings", s.addPosting())
	api("GET /api/v1/postings/{id}", s.getPosting())

	api("GET /api/v1/applications", s.listApplications())
	api("GET /api/v1/applications/{id}", s.getApplication())
	api("GET /api/v1/applications/{id}/resume.pdf", s.document(docResumePDF))
	api("GET /api/v1/applications/{id}/cover-letter", s.document(docLetterTxt))
	api("GET /api/v1/applications/{id}/cover-letter.pdf", s.document(docLetterPDF))
	api("POST /api/v1/applications/{id}/approve", s.approve())
	api("POST /api/v1/applications/{id}/status", s.setStatus())
	api("POST /api/v1/applications/{id}/reopen", s.reopen())
	api("POST /api/v1/applications/{id}/cancel", s.cancel())
	api("POST /api/v1/applications/{id}/dismiss", s.dismiss())
	api("POST /api/v1/applications/{id}/restore", s.restore())
	api("POST /api/v1/applications/{id}/block", s.block())
	api("POST /api/v1/applications/{id}/applied", s.markApplied())
	api("POST /api/v1/applications/{id}/retry", s.retry())
	api("PATCH /api/v1/applications/{id}/documents", s.editDocuments())
	api("GET /api/v1/tracker/funnel", s.funnel())
	api("GET /api/v1/tracker/applications.csv", s.trackerCSV())
	api("GET /api/v1/profiles/{id}/blocked", s.listBlocked())

	api("GET /api/v1/breakers", s.listBreakers())
	api("POST /api/v1/breakers/{name}/reset", s.resetBreaker())

	api("GET /api/v1/scheduler", s.getScheduler())
	api("POST /api/v1/scheduler/trigger", s.trigger())
	api("POST /api/v1/scheduler/restart", s.restart())

	api("GET /api/v1/runs", s.listRuns())
	api("GET /api/v1/events", s.listEvents())
	api("/api/v1/", s.apiNotFound())

	// Dashboard.
	cop := http.NewCrossOriginProtection()
	dash := func(pattern string, h http.Handler) { mux.Handle(pattern, cop.Handler(h)) }
	dash("GET /{$}", s.dashboard())
	dash("POST /login", s.login())
	dash("POST /logout", s.logout())
	dash("GET /admin", s.requireSession(s.admin()))
	dash("POST /applications/bulk", s.requireSession(s.formAction(s.bulkForm)))
	dash("POST /logout/everywhere", s.requireSession(s.logoutEverywhere()))
	dash("GET /applications/{id}", s.requireSession(s.preview()))
	dash("GET /applications/{id}/resume.pdf", s.requireSession(s.document(docResumePDF)))
	dash("GET /applications/{id}/cover-letter.pdf", s.requireSession(s.document(docLetterPDF)))
	dash("POST /applications/{id}/approve", s.requireSession(s.formAction(s.approveForm)))
	dash("POST /applications/{id}/dismiss", s.requireSession(s.formAction(s.dismissForm)))
	dash("POST /applications/{id}/cancel", s.requireSession(s.formAction(s.cancelForm)))
	dash("POST /applications/{id}/restore", s.requireSession(s.formAction(s.restoreForm)))
	dash("POST /applications/{id}/applied", s.requireSession(s.formAction(s.appliedForm)))
	dash("POST /applications/{id}/status", s.requireSession(s.formAction(s.statusForm)))
	dash("POST /applications/{id}/documents", s.requireSession(s.editForm()))
	dash("POST /breakers/{name}/reset", s.requireSession(s.formAction(s.resetForm)))
	dash("POST /scheduler/trigger", s.requireSession(s.formAction(s.triggerForm)))
	dash("POST /scheduler/restart", s.requireSession(s.formAction(s.restartForm)))

	// River UI (Options.RiverUI): the queue's console, a single-page app
	// and its JSON API, with the session or the token.
	dash(RiverUIPrefix+"/", s.requireSessionOrToken(s.riverUI()))

	return securityHeaders(s.metrics.instrument(mux))
}

func (s *server) apiNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, ErrorBody{Error: ErrorDetail{Code: "not_found", Message: "no such endpoint"}})
	})
}

// securityHeaders sets the headers every response carries: no framing by
// other sites, no MIME sniffing, no referrer leaks, and a CSP that allows
// only our own inline styles (the dashboard has no script). River UI
// replaces the CSP with its own (riverUICSP), which allows our scripts.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; object-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}
