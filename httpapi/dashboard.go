package httpapi

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jobpilot/jobpilot"
)

//go:embed templates/*.html
var templateFS embed.FS

// statusText is a status as the dashboard writes it: "needs review".
func statusText(s jobpilot.Status) string { return strings.ReplaceAll(string(s), "_", " ") }

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ago":      ago,
	"until":    until,
	"stamp":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"statusOf": statusText,
	"label":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	// recipientOf is the recipient a card shows (cardRecipient).
	"recipientOf": cardRecipient,
	"trackerNext": trackerNext,
	"day":         func(t time.Time) string { return t.Format(time.DateOnly) },
	"pct":         func(f float64) float64 { return f * 100 },
}).ParseFS(templateFS, "templates/*.html"))

// flashes are the only messages a redirect can ask the dashboard to show;
// the query names one, so no request text is ever reflected into the page.
var flashes = map[string]string{
	"approved":  "Approved. The application is queued for sending.",
	"dismissed": "Dismissed. The application left the review queue.",
	"cancelled": "Cancelled: nothing was sent; the application is ready for review again.",
	"restored":  "Restored: the application is back where it was before you dismissed it.",
	"edited":    "Saved: the fabrication guard found nothing the profile lacks, and the letter and resume were rendered again.",
	"applied":   "Marked applied.",
	"tracked":   "Status recorded.",
	"reset":     "Circuit breaker reset.",
	"triggered": "Job queued to run now.",
	"restarted": "Scheduler restarted.",
	"loggedout": "Signed out.",

	"loggedouteverywhere": "Signed out everywhere: every browser has to sign in again.",
	"badlogin":            "That token is not right.",
	"throttled":           "Too many wrong tokens from this address: wait a minute before trying again.",
}

type statusCount struct {
	Status jobpilot.Status
	Count  int
}

type appRow struct {
	App     *jobpilot.Application
	Posting *jobpilot.Posting
}

type dashData struct {
	Title     string
	CSRF      string
	Flash     string
	Error     string
	Counts    []statusCount
	Total     int
	Recent    []appRow
	Breakers  []BreakerView
	Scheduler *SchedulerView
	Events    []*jobpilot.Event
	Chart     template.HTML
	Now       time.Time
	Detail    *ApplicationDetail
	// Queue shows the nav link to River UI (Options.RiverUI is set).
	Queue bool
	// Review is the review queue (the home page).
	Review *queueView
	// Draft is the cover letter the candidate typed in an edit the guard
	// refused, shown again in the form.
	Draft string
	// Funnel is the tracker's funnel (the admin page).
	Funnel *jobpilot.Funnel
}

func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, d *dashData) {
	d.Queue = s.RiverUI != nil
	b := pageBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer func() {
		if b.Cap() <= maxPooledPage {
			pageBuffers.Put(b)
		}
	}()
	if err := templates.ExecuteTemplate(b, name, d); err != nil {
		s.log.ErrorContext(r.Context(), "rendering the dashboard failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// pageBuffers hold pages and cards while they are rendered (a queue page
// is ≈ 100 KB: grown from nothing, each one cost a dozen allocations and
// copies). A buffer is Reset when taken, never trusted to be empty.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage is the largest buffer kept for the next page.
const maxPooledPage = 1 << 20

// dashboard shows the login form without a session, the review queue
// with one.
func (s *server) dashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.session(r)
		flash := flashFor(r.URL.Query())
		if !ok {
			s.render(w, r, http.StatusOK, "login.html", &dashData{Title: "Sign in", Flash: flash})
			return
		}
		s.queue(w, r, id, flash)
	})
}

// admin is the operator's page: counts by status, applications per day,
// circuit breakers, the scheduler and recent events.
func (s *server) admin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := s.session(r)
		d, err := s.overview(r.Context())
		if err != nil {
			s.log.ErrorContext(r.Context(), "loading the admin page failed", "err", err)
			_, detail := statusFor(err)
			d = &dashData{Error: detail.Message}
		}
		d.Title, d.CSRF, d.Flash = "Admin", s.sessions.csrf(id), flashFor(r.URL.Query())
		s.render(w, r, http.StatusOK, "admin.html", d)
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
	all, err := s.allApplications(ctx)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0 && len(d.Recent) < 15; i-- {
		if all[i].Status == jobpilot.StatusReady || all[i].Status == jobpilot.StatusSkipped {
			continue
		}
		row, err := s.row(ctx, all[i])
		if err != nil {
			return nil, err
		}
		d.Recent = append(d.Recent, row)
	}
	d.Chart = perDayChart(all, d.Now, 14)
	funnel := jobpilot.FunnelOf(all)
	d.Funnel = &funnel
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

func (s *server) row(ctx context.Context, a *jobpilot.Application) (appRow, error) {
	row := appRow{App: a}
	p, err := s.Store.Posting(ctx, a.PostingID)
	if err != nil && jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		return row, err
	}
	row.Posting = p
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
		s.render(w, r, http.StatusOK, "preview.html", &dashData{Title: detailTitle(detail), CSRF: s.sessions.csrf(sid), Detail: detail,
			Now: s.Now(), Flash: flashFor(r.URL.Query())})
	})
}

// detailTitle is the page title of an application's detail page.
func detailTitle(d *ApplicationDetail) string {
	if d.Posting != nil {
		return d.Posting.Title + " at " + d.Posting.Company
	}
	return fmt.Sprintf("Application %d", d.ID)
}

func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := statusFor(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "dashboard request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error.html", &dashData{Title: http.StatusText(status), Error: d.Message})
}

// hostOf is the host of a URL, lower-cased ("" when it has none).
func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// domainOf is the domain part of an email address, lower-cased, as the
// dashboard shows it beside a recipient ("" without one). An address
// literal keeps its brackets: "[127.0.0.1]" must not pass for a name.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}
