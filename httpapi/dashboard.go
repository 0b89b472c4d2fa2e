package httpapi

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ago":      ago,
	"until":    until,
	"stamp":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"statusOf": func(s jobpilot.Status) string { return strings.ReplaceAll(string(s), "_", " ") },
	"label":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
}).ParseFS(templateFS, "templates/*.html"))

// flashes are the only messages a redirect can ask the dashboard to show;
// the query names one, so no request text is ever reflected into the page.
var flashes = map[string]string{
	"approved":  "Approved. The application is queued for sending.",
	"reset":     "Circuit breaker reset.",
	"triggered": "Job queued to run now.",
	"restarted": "Scheduler restarted.",
	"loggedout": "Signed out.",
	"badlogin":  "That token is not right.",
}

type statusCount struct {
	Status jobpilot.Status
	Count  int
}

type appRow struct {
	App     *jobpilot.Application
	Posting *jobpilot.Posting
	Letter  string
	HasDocs bool
}

type dashData struct {
	Title     string
	CSRF      string
	Flash     string
	Error     string
	Counts    []statusCount
	Total     int
	Ready     []appRow
	Recent    []appRow
	Breakers  []BreakerView
	Scheduler *SchedulerView
	Events    []*jobpilot.Event
	Chart     template.HTML
	Now       time.Time
	Detail    *ApplicationDetail
	// Queue shows the nav link to River UI (Options.RiverUI is set).
	Queue bool
}

func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, d *dashData) {
	d.Queue = s.RiverUI != nil
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, d); err != nil {
		s.log.ErrorContext(r.Context(), "rendering the dashboard failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// dashboard shows the login form without a session, the overview with one.
func (s *server) dashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.session(r)
		flash := flashes[r.URL.Query().Get("done")]
		if !ok {
			s.render(w, r, http.StatusOK, "login.html", &dashData{Title: "Sign in", Flash: flash})
			return
		}
		d, err := s.overview(r.Context())
		if err != nil {
			s.log.ErrorContext(r.Context(), "loading the dashboard failed", "err", err)
			_, detail := statusFor(err)
			d = &dashData{Error: detail.Message}
		}
		d.Title, d.CSRF, d.Flash = "Dashboard", s.sessions.csrf(id), flash
		s.render(w, r, http.StatusOK, "dashboard.html", d)
	})
}

// overview gathers the dashboard's sections. A missing dependency leaves
// its section out; a failing store fails the page.
func (s *server) overview(ctx context.Context) (*dashData, error) {
	d := &dashData{Now: s.Now()}
	counts, err := s.Store.CountByStatus(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, st := range jobpilot.Statuses {
		if n := counts[st]; n > 0 || st == jobpilot.StatusReady || st == jobpilot.StatusSent {
			d.Counts = append(d.Counts, statusCount{st, n})
			d.Total += n
		}
	}
	ready, err := s.Store.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady}, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, a := range ready {
		row, err := s.row(ctx, a, true)
		if err != nil {
			return nil, err
		}
		d.Ready = append(d.Ready, row)
	}
	all, err := s.allApplications(ctx)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0 && len(d.Recent) < 15; i-- {
		if all[i].Status == jobpilot.StatusReady || all[i].Status == jobpilot.StatusSkipped {
			continue
		}
		row, err := s.row(ctx, all[i], false)
		if err != nil {
			return nil, err
		}
		d.Recent = append(d.Recent, row)
	}
	d.Chart = perDayChart(all, d.Now, 14)
	if s.Breakers != nil {
		d.Breakers = breakerViews(s.Breakers.Snapshot())
	}
	if s.Scheduler != nil {
		if d.Scheduler, err = s.schedulerView(ctx); err != nil {
			return nil, err
		}
	}
	if d.Events, err = s.Store.Events(ctx, jobpilot.EventFilter{Limit: 25}); err != nil {
		return nil, err
	}
	return d, nil
}

// allApplications reads every application in id order, at most 10 000
// (the chart and the recent list need no more).
func (s *server) allApplications(ctx context.Context) ([]*jobpilot.Application, error) {
	var out []*jobpilot.Application
	var after int64
	for len(out) < 10000 {
		batch, err := s.Store.Applications(ctx, jobpilot.ApplicationFilter{AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
		if len(batch) < 1000 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	return out, nil
}

func (s *server) row(ctx context.Context, a *jobpilot.Application, docs bool) (appRow, error) {
	row := appRow{App: a}
	p, err := s.Store.Posting(ctx, a.PostingID)
	if err != nil && jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		return row, err
	}
	row.Posting = p
	if docs {
		if row.HasDocs, row.Letter, err = s.coverLetter(ctx, a.ID); err != nil {
			return row, err
		}
	}
	return row, nil
}

// preview is one application: its score explanation, the resume PDF in a
// frame, the cover letter inline, its history and the approve button.
func (s *server) preview() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid, _ := s.session(r)
		id, err := pathID(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		detail, err := s.applicationDetail(r.Context(), id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		title := fmt.Sprintf("Application %d", id)
		if detail.Posting != nil {
			title = detail.Posting.Title + " at " + detail.Posting.Company
		}
		s.render(w, r, http.StatusOK, "preview.html", &dashData{Title: title, CSRF: s.sessions.csrf(sid), Detail: detail, Now: s.Now()})
	})
}

func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := statusFor(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "dashboard request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error.html", &dashData{Title: http.StatusText(status), Error: d.Message})
}

// login exchanges the API token for a session cookie. The token is read
// from the form only and never logged; a wrong one redirects back with a
// message (after a short constant delay that slows guessing).
func (s *server) login() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !tokenEqual(r.PostFormValue("token"), s.Token) {
			s.log.Warn("dashboard login refused", "remote", r.RemoteAddr)
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
			}
			http.Redirect(w, r, "/?done=badlogin", http.StatusSeeOther)
			return
		}
		v, err := s.sessions.issue()
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.setSession(w, r, v, int(s.SessionTTL.Seconds()))
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

func (s *server) logout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.setSession(w, r, "", -1)
		http.Redirect(w, r, "/?done=loggedout", http.StatusSeeOther)
	})
}

type sessionKey struct{}

// requireSession sends a request without a valid session back to the login
// form (GET) or refuses it (anything else).
func (s *server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.session(r); !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusUnauthorized, "error.html", &dashData{Title: "Signed out", Error: "Your session has ended; sign in again."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formAction runs a dashboard form post after checking its CSRF token, then
// redirects (303) to the page the action names, so a reload does not post
// again.
func (s *server) formAction(act func(r *http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := s.session(r)
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !s.checkCSRF(r, id) {
			s.log.Warn("dashboard form refused: bad CSRF token", "path", r.URL.Path)
			s.render(w, r, http.StatusForbidden, "error.html", &dashData{Title: "Forbidden", Error: "This form has expired or did not come from the dashboard. Reload the page and try again."})
			return
		}
		to, err := act(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

func (s *server) approveForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	if _, err := s.Pipeline.Approve(r.Context(), id); err != nil {
		return "", err
	}
	return "/?done=approved#app-" + strconv.FormatInt(id, 10), nil
}

func (s *server) resetForm(r *http.Request) (string, error) {
	if s.Breakers == nil {
		return "", unavailable("the circuit breakers")
	}
	if err := s.Breakers.Reset(r.PathValue("name")); err != nil {
		return "", err
	}
	return "/?done=reset#breakers", nil
}

func (s *server) triggerForm(r *http.Request) (string, error) {
	if s.Scheduler == nil {
		return "", unavailable("the scheduler")
	}
	if err := s.Scheduler.Trigger(r.Context(), jobpilot.TaskKind(r.PostFormValue("kind"))); err != nil {
		return "", err
	}
	return "/?done=triggered#scheduler", nil
}

func (s *server) restartForm(r *http.Request) (string, error) {
	if s.Scheduler == nil {
		return "", unavailable("the scheduler")
	}
	if err := s.Scheduler.Restart(r.Context()); err != nil {
		return "", err
	}
	return "/?done=restarted#scheduler", nil
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func until(t time.Time) string {
	d := time.Until(t)
	switch {
	case t.IsZero():
		return "—"
	case d <= 0:
		return "due now"
	case d < time.Minute:
		return fmt.Sprintf("in %ds", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("in %dm", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("in %dd", int(d.Hours()/24))
}

// perDayChart draws applications created per day over the last days days
// (UTC) as an inline SVG bar chart. Every number in it is computed here;
// no request data reaches the markup.
func perDayChart(apps []*jobpilot.Application, now time.Time, days int) template.HTML {
	today := now.UTC().Truncate(24 * time.Hour)
	counts := make([]int, days)
	for _, a := range apps {
		day := a.CreatedAt.UTC().Truncate(24 * time.Hour)
		i := days - 1 - int(today.Sub(day)/(24*time.Hour))
		if i >= 0 && i < days {
			counts[i]++
		}
	}
	peak := 1
	for _, c := range counts {
		peak = max(peak, c)
	}
	const w, h, top, bottom = 560, 160, 18, 22
	bw := float64(w) / float64(days)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Applications per day, last %d days" xmlns="http://www.w3.org/2000/svg">`, w, h, days)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" class="axis"/>`, h-bottom, w, h-bottom)
	for i, c := range counts {
		bh := float64(h-top-bottom) * float64(c) / float64(peak)
		x := float64(i)*bw + bw*0.15
		y := float64(h-bottom) - bh
		day := today.AddDate(0, 0, i-days+1)
		fmt.Fprintf(&b, `<g><title>%s: %d</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" class="bar"/>`,
			day.Format("Jan 2"), c, x, y, bw*0.7, bh)
		if c > 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="val">%d</text>`, x+bw*0.35, y-4, c)
		}
		if i%2 == (days-1)%2 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="lbl">%s</text>`, x+bw*0.35, h-6, day.Format("2 Jan"))
		}
		b.WriteString("</g>")
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
