package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/resilience"
)

// Page is a list response: items in a stable order and, when there are
// more, the cursor for the next page (pass it as ?after=).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// defaultPage and maxPage bound ?limit=.
const (
	defaultPage = 50
	maxPage     = 500
)

// pageParams reads ?after=<id>&limit=<n>.
func pageParams(q url.Values) (after int64, limit int, err error) {
	if v := q.Get("after"); v != "" {
		after, err = strconv.ParseInt(v, 10, 64)
		if err != nil || after < 0 {
			return 0, 0, jobpilot.FieldError("after", "must be a cursor from a previous page")
		}
	}
	limit = defaultPage
	if v := q.Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 || limit > maxPage {
			return 0, 0, jobpilot.FieldError("limit", "must be between 1 and %d", maxPage)
		}
	}
	return after, limit, nil
}

// page cuts items (fetched with limit+1) to limit and sets Next.
func page[T any](items []T, limit int, id func(T) int64) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = strconv.FormatInt(id(p.Items[limit-1]), 10)
	}
	return p
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, jobpilot.FieldError("id", "must be a positive integer")
	}
	return id, nil
}

// bodyErr marks an EINVALID error raised while acting on a well-formed
// body as a validation failure (422).
func bodyErr(err error) error {
	if jobpilot.ErrorCode(err) == jobpilot.EINVALID {
		var u unprocessable
		if !errors.As(err, &u) {
			return unprocessable{err}
		}
	}
	return err
}

// unavailable is the error of an endpoint whose dependency was not wired.
func unavailable(what string) error {
	return jobpilot.Errorf(jobpilot.EUNAVAILABLE, "%s is not available in this process", what)
}

// --- profiles ---

func (s *server) listProfiles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, limit, err := pageParams(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		all, err := s.Store.Profiles(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		slices.SortFunc(all, func(a, b *jobpilot.Profile) int { return int(a.ID - b.ID) })
		var items []*jobpilot.Profile
		for _, p := range all {
			if p.ID > after && len(items) <= limit {
				items = append(items, p)
			}
		}
		writeJSON(w, http.StatusOK, page(items, limit, func(p *jobpilot.Profile) int64 { return p.ID }))
	})
}

func (s *server) getProfile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := s.Store.Profile(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
}

func (s *server) createProfile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := decodeProfile(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.Store.CreateProfile(r.Context(), p); err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		w.Header().Set("Location", "/api/v1/profiles/"+strconv.FormatInt(p.ID, 10))
		writeJSON(w, http.StatusCreated, p)
	})
}

func (s *server) replaceProfile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := decodeProfile(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.ID = id
		if err := s.Store.ReplaceProfile(r.Context(), p); err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		// Re-read: the store owns Version, Example and the timestamps.
		if p, err = s.Store.Profile(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
}

// --- postings ---

func boolParam(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, jobpilot.FieldError(name, "must be true or false")
	}
	return &b, nil
}

func (s *server) listPostings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		after, limit, err := pageParams(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f := jobpilot.PostingFilter{Source: q.Get("source"), Query: q.Get("q"), AfterID: after, Limit: limit + 1}
		if f.Remote, err = boolParam(q, "remote"); err != nil {
			s.fail(w, r, err)
			return
		}
		if f.HasEmail, err = boolParam(q, "has_email"); err != nil {
			s.fail(w, r, err)
			return
		}
		open, err := boolParam(q, "open")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.OpenOnly = open != nil && *open
		items, err := s.Store.Postings(r.Context(), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, page(items, limit, func(p *jobpilot.Posting) int64 { return p.ID }))
	})
}

func (s *server) getPosting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := s.Store.Posting(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
}

// addPosting stores a hand-added posting under the "manual" source. Adding
// it again (same external id) updates it; the next automation run scores it.
func (s *server) addPosting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := decodePosting(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res, err := s.Store.UpsertPostings(r.Context(), ManualSource, []jobpilot.Posting{*p}, false)
		if err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		got, err := s.Store.Postings(r.Context(), jobpilot.PostingFilter{Source: ManualSource, Limit: 1000})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, g := range got {
			if g.ExternalID == p.ExternalID {
				status := http.StatusOK
				if res.New > 0 {
					status = http.StatusCreated
				}
				w.Header().Set("Location", "/api/v1/postings/"+strconv.FormatInt(g.ID, 10))
				writeJSON(w, status, g)
				return
			}
		}
		s.fail(w, r, errors.New("stored posting not found after upsert"))
	})
}

// --- applications ---

// ApplicationDetail is GET /api/v1/applications/{id}: the application, its
// posting, its latest events (newest first) and whether documents exist.
type ApplicationDetail struct {
	*jobpilot.Application
	Posting     *jobpilot.Posting `json:"posting,omitempty"`
	Events      []*jobpilot.Event `json:"events"`
	HasDocument bool              `json:"has_documents"`
	CoverLetter string            `json:"cover_letter,omitempty"`
}

func (s *server) listApplications() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		after, limit, err := pageParams(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f := jobpilot.ApplicationFilter{AfterID: after, Limit: limit + 1}
		for _, v := range q["status"] {
			for _, st := range strings.Split(v, ",") {
				st := jobpilot.Status(strings.TrimSpace(st))
				if !st.Valid() {
					s.fail(w, r, jobpilot.FieldError("status", "unknown status %q", st))
					return
				}
				f.Statuses = append(f.Statuses, st)
			}
		}
		if v := q.Get("profile_id"); v != "" {
			if f.ProfileID, err = strconv.ParseInt(v, 10, 64); err != nil {
				s.fail(w, r, jobpilot.FieldError("profile_id", "must be an integer"))
				return
			}
		}
		items, err := s.Store.Applications(r.Context(), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, page(items, limit, func(a *jobpilot.Application) int64 { return a.ID }))
	})
}

func (s *server) getApplication() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d, err := s.applicationDetail(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
}

func (s *server) applicationDetail(ctx context.Context, id int64) (*ApplicationDetail, error) {
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &ApplicationDetail{Application: app}
	if d.Posting, err = s.Store.Posting(ctx, app.PostingID); err != nil && jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		return nil, err
	}
	if d.Events, err = s.Store.Events(ctx, jobpilot.EventFilter{ApplicationID: id, Limit: 100}); err != nil {
		return nil, err
	}
	if d.Events == nil {
		d.Events = []*jobpilot.Event{}
	}
	docs, err := s.Store.Documents(ctx, id)
	switch {
	case err == nil:
		d.HasDocument, d.CoverLetter = true, docs.CoverLetter
	case jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND:
		return nil, err
	}
	return d, nil
}

// Document kinds served by document().
const (
	docResumePDF = "resume.pdf"
	docLetterPDF = "cover-letter.pdf"
	docLetterTxt = "cover-letter.txt"
)

// document serves one of an application's documents. PDFs are served
// inline (the dashboard previews them) with a download file name.
func (s *server) document(kind string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		docs, err := s.Store.Documents(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var (
			body []byte
			ct   string
		)
		switch kind {
		case docResumePDF:
			body, ct = docs.ResumePDF, "application/pdf"
		case docLetterPDF:
			body, ct = docs.CoverLetterPDF, "application/pdf"
		default:
			body, ct = []byte(docs.CoverLetter), "text/plain; charset=utf-8"
		}
		if len(body) == 0 {
			s.fail(w, r, jobpilot.Errorf(jobpilot.ENOTFOUND, "application %d has no %s", id, kind))
			return
		}
		// Browsers' PDF viewers do not run under the pages' strict CSP.
		w.Header().Del("Content-Security-Policy")
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", `inline; filename="application-`+strconv.FormatInt(id, 10)+"-"+kind+`"`)
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write(body)
	})
}

func (s *server) approve() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Pipeline == nil {
			s.fail(w, r, unavailable("the pipeline"))
			return
		}
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		app, err := s.Pipeline.Approve(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, app)
	})
}

func (s *server) setStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Pipeline == nil {
			s.fail(w, r, unavailable("the pipeline"))
			return
		}
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		st, err := decodeStatus(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		app, err := s.Pipeline.SetManualStatus(r.Context(), id, st)
		if err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		writeJSON(w, http.StatusOK, app)
	})
}

func (s *server) reopen() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Pipeline == nil {
			s.fail(w, r, unavailable("the pipeline"))
			return
		}
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		action, err := decodeReopen(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		app, err := s.Pipeline.Reopen(r.Context(), id, action)
		if err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		writeJSON(w, http.StatusOK, app)
	})
}

// --- breakers ---

// BreakerView is one circuit breaker in the API.
type BreakerView struct {
	Name             string  `json:"name"`
	State            string  `json:"state"`
	Failures         int     `json:"failures"`
	FailureThreshold int     `json:"failure_threshold"`
	RecoverySeconds  float64 `json:"recovery_timeout_seconds"`
	RetryInSeconds   float64 `json:"retry_in_seconds"`
}

func breakerViews(bs []resilience.BreakerSnapshot) []BreakerView {
	out := make([]BreakerView, 0, len(bs))
	for _, b := range bs {
		out = append(out, BreakerView{Name: b.Name, State: b.State, Failures: b.Failures, FailureThreshold: b.FailureThreshold,
			RecoverySeconds: b.RecoveryTimeout.Seconds(), RetryInSeconds: b.RetryIn.Seconds()})
	}
	return out
}

func (s *server) listBreakers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Breakers == nil {
			s.fail(w, r, unavailable("the circuit breakers"))
			return
		}
		writeJSON(w, http.StatusOK, Page[BreakerView]{Items: breakerViews(s.Breakers.Snapshot())})
	})
}

func (s *server) resetBreaker() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Breakers == nil {
			s.fail(w, r, unavailable("the circuit breakers"))
			return
		}
		name := r.PathValue("name")
		if err := s.Breakers.Reset(name); err != nil {
			s.fail(w, r, err)
			return
		}
		s.log.Info("circuit breaker reset by request", "breaker", name)
		for _, b := range breakerViews(s.Breakers.Snapshot()) {
			if b.Name == name {
				writeJSON(w, http.StatusOK, b)
				return
			}
		}
		writeJSON(w, http.StatusOK, BreakerView{Name: name, State: "closed"})
	})
}

// --- scheduler ---

// SchedulerView is GET /api/v1/scheduler.
type SchedulerView struct {
	Status engine.Status `json:"status"`
	Jobs   []JobView     `json:"jobs"`
}

// JobView is one periodic job with its next run and its last result.
type JobView struct {
	engine.PeriodicJob
	Last *JobResult `json:"last,omitempty"`
}

func (s *server) schedulerView(ctx context.Context) (*SchedulerView, error) {
	if s.Scheduler == nil {
		return nil, unavailable("the scheduler")
	}
	v := &SchedulerView{Status: s.Scheduler.Status()}
	var last map[string]JobResult
	if s.Jobs != nil {
		var err error
		if last, err = s.Jobs.Last(ctx); err != nil {
			s.log.Warn("reading the last job results failed", "err", err)
		}
	}
	for _, j := range s.Scheduler.PeriodicJobs() {
		jv := JobView{PeriodicJob: j}
		if l, ok := last[j.Name]; ok {
			jv.Last = &l
		}
		v.Jobs = append(v.Jobs, jv)
	}
	return v, nil
}

func (s *server) getScheduler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.schedulerView(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

func (s *server) trigger() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Scheduler == nil {
			s.fail(w, r, unavailable("the scheduler"))
			return
		}
		body, err := readBody(w, r, s.MaxBody)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		kind, err := decodeTrigger(body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.Scheduler.Trigger(r.Context(), kind); err != nil {
			s.fail(w, r, bodyErr(err))
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"triggered": string(kind)})
	})
}

func (s *server) restart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Scheduler == nil {
			s.fail(w, r, unavailable("the scheduler"))
			return
		}
		if err := s.Scheduler.Restart(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.Scheduler.Status())
	})
}

// --- runs and events ---

// listRuns pages newest first: ?after=<id> returns runs older than id.
func (s *server) listRuns() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, limit, err := pageParams(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		all, err := s.Store.Runs(r.Context(), 1000)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var items []*jobpilot.Run
		for _, run := range all {
			if (after == 0 || run.ID < after) && len(items) <= limit {
				items = append(items, run)
			}
		}
		writeJSON(w, http.StatusOK, page(items, limit, func(r *jobpilot.Run) int64 { return r.ID }))
	})
}

// listEvents pages newest first: ?after=<id> returns events older than id.
func (s *server) listEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		after, limit, err := pageParams(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f := jobpilot.EventFilter{BeforeID: after, Limit: limit + 1}
		if v := q.Get("kind"); v != "" {
			f.Kinds = strings.Split(v, ",")
		}
		items, err := s.Store.Events(r.Context(), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, page(items, limit, func(e *jobpilot.Event) int64 { return e.ID }))
	})
}

// health reports the system's state: 200 when healthy or degraded, 503 when
// unhealthy. It needs no token (load balancers and `jobpilot health` call
// it) and shows nothing secret: states, counts and the store's own messages.
func (s *server) health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Health == nil {
			st := "healthy"
			if err := s.Store.Ping(r.Context()); err != nil {
				st = "unhealthy"
			}
			code := http.StatusOK
			if st == "unhealthy" {
				code = http.StatusServiceUnavailable
			}
			writeJSON(w, code, map[string]string{"status": st})
			return
		}
		h := s.Health(r.Context())
		code := http.StatusOK
		if h.Status == "unhealthy" {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, h)
	})
}
