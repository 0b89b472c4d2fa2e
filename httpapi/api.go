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

// --- adapters ---
//
// Every API handler is one of the adapters below around a function that
// states only what the endpoint does: the adapters map its error to the
// JSON error body (fail: status from statusFor, 5xx logged) in one place.

// handle adapts fn to an http.Handler: fn writes its own success; its error
// is answered by fail.
func (s *server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// jsonHandler is handle for an endpoint that answers JSON: fn returns the
// status and the value to encode (writeJSON), or the error.
func (s *server) jsonHandler(fn func(w http.ResponseWriter, r *http.Request) (int, any, error)) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		status, v, err := fn(w, r)
		if err != nil {
			return err
		}
		writeJSON(w, status, v)
		return nil
	})
}

// okJSON is a jsonHandler result of 200 with v, unless err: pass it a
// call's two results, as in return okJSON(s.Store.Profile(ctx, id)).
func okJSON(v any, err error) (int, any, error) {
	return http.StatusOK, v, err
}

// withID is jsonHandler for the routes under {id}: fn runs with the path
// id, which must be a positive integer (400 otherwise).
func (s *server) withID(fn func(w http.ResponseWriter, r *http.Request, id int64) (int, any, error)) http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		return fn(w, r, id)
	})
}

// listHandler is jsonHandler for a paged list: ?after= and ?limit= are
// checked first (400), then fetch returns at most limit+1 items from after
// on, which page cuts to limit and turns into the Next cursor.
func listHandler[T any](s *server, id func(T) int64, fetch func(r *http.Request, after int64, limit int) ([]T, error)) http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		after, limit, err := pageParams(r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		items, err := fetch(r, after, limit)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, page(items, limit, id), nil
	})
}

// actionID is the {id} of one of the candidate's actions on an
// application: without a Pipeline it is 503 before the id is looked at,
// then 400 for a bad id. The API and the dashboard's approve button share it.
func (s *server) actionID(r *http.Request) (int64, error) {
	if s.Pipeline == nil {
		return 0, unavailable("the pipeline")
	}
	return pathID(r)
}

// pipelineAction is a JSON endpoint for one of the candidate's actions on
// application {id} (see actionID); it answers act's application with 200.
func (s *server) pipelineAction(act func(w http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error)) http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		id, err := s.actionID(r)
		if err != nil {
			return 0, nil, err
		}
		return okJSON(act(w, r, id))
	})
}

// pipelineBodyAction is pipelineAction for an action that takes a request
// body: decodeBody reads it with decode, then act (a Pipeline method
// expression) runs with the value; its EINVALID errors answer 422 (bodyErr).
func pipelineBodyAction[T any](s *server, decode func([]byte) (T, error),
	act func(p Pipeline, ctx context.Context, id int64, v T) (*jobpilot.Application, error)) http.Handler {
	return s.pipelineAction(func(w http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error) {
		v, err := decodeBody(w, r, s.MaxBody, decode)
		if err != nil {
			return nil, err
		}
		app, err := act(s.Pipeline, r.Context(), id, v)
		return app, bodyErr(err)
	})
}

// --- profiles ---

func (s *server) listProfiles() http.Handler {
	return listHandler(s, func(p *jobpilot.Profile) int64 { return p.ID },
		func(r *http.Request, after int64, limit int) ([]*jobpilot.Profile, error) {
			all, err := s.Store.Profiles(r.Context())
			if err != nil {
				return nil, err
			}
			slices.SortFunc(all, func(a, b *jobpilot.Profile) int { return int(a.ID - b.ID) })
			var items []*jobpilot.Profile
			for _, p := range all {
				if p.ID > after && len(items) <= limit {
					items = append(items, p)
				}
			}
			return items, nil
		})
}

func (s *server) getProfile() http.Handler {
	return s.withID(func(_ http.ResponseWriter, r *http.Request, id int64) (int, any, error) {
		return okJSON(s.Store.Profile(r.Context(), id))
	})
}

func (s *server) createProfile() http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		p, err := decodeBody(w, r, s.MaxBody, decodeProfile)
		if err != nil {
			return 0, nil, err
		}
		if err := s.Store.CreateProfile(r.Context(), p); err != nil {
			return 0, nil, bodyErr(err)
		}
		w.Header().Set("Location", "/api/v1/profiles/"+strconv.FormatInt(p.ID, 10))
		return http.StatusCreated, p, nil
	})
}

func (s *server) replaceProfile() http.Handler {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id int64) (int, any, error) {
		p, err := decodeBody(w, r, s.MaxBody, decodeProfile)
		if err != nil {
			return 0, nil, err
		}
		p.ID = id
		if err := s.Store.ReplaceProfile(r.Context(), p); err != nil {
			return 0, nil, bodyErr(err)
		}
		// Re-read: the store owns Version, Example and the timestamps.
		return okJSON(s.Store.Profile(r.Context(), id))
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
	return listHandler(s, func(p *jobpilot.Posting) int64 { return p.ID },
		func(r *http.Request, after int64, limit int) ([]*jobpilot.Posting, error) {
			q := r.URL.Query()
			f := jobpilot.PostingFilter{Source: q.Get("source"), Query: q.Get("q"), AfterID: after, Limit: limit + 1}
			var err error
			if f.Remote, err = boolParam(q, "remote"); err != nil {
				return nil, err
			}
			if f.HasEmail, err = boolParam(q, "has_email"); err != nil {
				return nil, err
			}
			open, err := boolParam(q, "open")
			if err != nil {
				return nil, err
			}
			f.OpenOnly = open != nil && *open
			return s.Store.Postings(r.Context(), f)
		})
}

func (s *server) getPosting() http.Handler {
	return s.withID(func(_ http.ResponseWriter, r *http.Request, id int64) (int, any, error) {
		return okJSON(s.Store.Posting(r.Context(), id))
	})
}

// addPosting stores a hand-added posting under the "manual" source. Adding
// it again (same external id) updates it; the next automation run scores it.
func (s *server) addPosting() http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		p, err := decodeBody(w, r, s.MaxBody, decodePosting)
		if err != nil {
			return 0, nil, err
		}
		res, err := s.Store.UpsertPostings(r.Context(), ManualSource, []jobpilot.Posting{*p}, false)
		if err != nil {
			return 0, nil, bodyErr(err)
		}
		got, err := s.Store.Postings(r.Context(), jobpilot.PostingFilter{Source: ManualSource, Limit: 1000})
		if err != nil {
			return 0, nil, err
		}
		for _, g := range got {
			if g.ExternalID == p.ExternalID {
				status := http.StatusOK
				if res.New > 0 {
					status = http.StatusCreated
				}
				w.Header().Set("Location", "/api/v1/postings/"+strconv.FormatInt(g.ID, 10))
				return status, g, nil
			}
		}
		return 0, nil, errors.New("stored posting not found after upsert")
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
	return listHandler(s, func(a *jobpilot.Application) int64 { return a.ID },
		func(r *http.Request, after int64, limit int) ([]*jobpilot.Application, error) {
			q := r.URL.Query()
			f := jobpilot.ApplicationFilter{AfterID: after, Limit: limit + 1}
			for _, v := range q["status"] {
				for _, st := range strings.Split(v, ",") {
					st := jobpilot.Status(strings.TrimSpace(st))
					if !st.Valid() {
						return nil, jobpilot.FieldError("status", "unknown status %q", st)
					}
					f.Statuses = append(f.Statuses, st)
				}
			}
			if v := q.Get("profile_id"); v != "" {
				var err error
				if f.ProfileID, err = strconv.ParseInt(v, 10, 64); err != nil {
					return nil, jobpilot.FieldError("profile_id", "must be an integer")
				}
			}
			return s.Store.Applications(r.Context(), f)
		})
}

func (s *server) getApplication() http.Handler {
	return s.withID(func(_ http.ResponseWriter, r *http.Request, id int64) (int, any, error) {
		return okJSON(s.applicationDetail(r.Context(), id))
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
	if d.HasDocument, d.CoverLetter, err = s.coverLetter(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// coverLetter tells whether application id has documents and, if so, its
// cover letter. Having none yet (ENOTFOUND: still drafting) is no error.
func (s *server) coverLetter(ctx context.Context, id int64) (has bool, letter string, err error) {
	docs, err := s.Store.Documents(ctx, id)
	switch {
	case err == nil:
		return true, docs.CoverLetter, nil
	case jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND:
		return false, "", err
	}
	return false, "", nil
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
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		docs, err := s.Store.Documents(r.Context(), id)
		if err != nil {
			return err
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
			return jobpilot.Errorf(jobpilot.ENOTFOUND, "application %d has no %s", id, kind)
		}
		// Browsers' PDF viewers do not run under the pages' strict CSP.
		w.Header().Del("Content-Security-Policy")
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", `inline; filename="application-`+strconv.FormatInt(id, 10)+"-"+kind+`"`)
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write(body)
		return nil
	})
}

func (s *server) approve() http.Handler {
	return s.pipelineAction(func(_ http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error) {
		return s.Pipeline.Approve(r.Context(), id)
	})
}

func (s *server) setStatus() http.Handler {
	return pipelineBodyAction(s, decodeStatus, Pipeline.SetManualStatus)
}

func (s *server) reopen() http.Handler {
	return pipelineBodyAction(s, decodeReopen, Pipeline.Reopen)
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

func breakerViews(bs []jobpilot.BreakerSnapshot) []BreakerView {
	out := make([]BreakerView, 0, len(bs))
	for _, b := range bs {
		out = append(out, BreakerView{Name: b.Name, State: b.State, Failures: b.Failures, FailureThreshold: b.FailureThreshold,
			RecoverySeconds: b.RecoveryTimeout.Seconds(), RetryInSeconds: b.RetryIn.Seconds()})
	}
	return out
}

func (s *server) listBreakers() http.Handler {
	return s.jsonHandler(func(_ http.ResponseWriter, _ *http.Request) (int, any, error) {
		if s.Breakers == nil {
			return 0, nil, unavailable("the circuit breakers")
		}
		return http.StatusOK, Page[BreakerView]{Items: breakerViews(s.Breakers.Snapshot())}, nil
	})
}

func (s *server) resetBreaker() http.Handler {
	return s.jsonHandler(func(_ http.ResponseWriter, r *http.Request) (int, any, error) {
		if s.Breakers == nil {
			return 0, nil, unavailable("the circuit breakers")
		}
		name := r.PathValue("name")
		if err := s.Breakers.Reset(name); err != nil {
			return 0, nil, err
		}
		s.log.Info("circuit breaker reset by request", "breaker", name)
		for _, b := range breakerViews(s.Breakers.Snapshot()) {
			if b.Name == name {
				return http.StatusOK, b, nil
			}
		}
		return http.StatusOK, BreakerView{Name: name, State: "closed"}, nil
	})
}

// --- scheduler ---

// SchedulerView is GET /api/v1/scheduler.
type SchedulerView struct {
	Status jobpilot.SchedulerStatus `json:"status"`
	Jobs   []JobView                `json:"jobs"`
}

// JobView is one periodic job with its next run and its last result.
type JobView struct {
	jobpilot.PeriodicJob
	Last *jobpilot.JobResult `json:"last,omitempty"`
}

func (s *server) schedulerView(ctx context.Context) (*SchedulerView, error) {
	if s.Scheduler == nil {
		return nil, unavailable("the scheduler")
	}
	v := &SchedulerView{Status: s.Scheduler.Status()}
	var last map[string]jobpilot.JobResult
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
	return s.jsonHandler(func(_ http.ResponseWriter, r *http.Request) (int, any, error) {
		return okJSON(s.schedulerView(r.Context()))
	})
}

func (s *server) trigger() http.Handler {
	return s.jsonHandler(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		if s.Scheduler == nil {
			return 0, nil, unavailable("the scheduler")
		}
		kind, err := decodeBody(w, r, s.MaxBody, decodeTrigger)
		if err != nil {
			return 0, nil, err
		}
		if err := s.Scheduler.Trigger(r.Context(), kind); err != nil {
			return 0, nil, bodyErr(err)
		}
		return http.StatusAccepted, map[string]string{"triggered": string(kind)}, nil
	})
}

func (s *server) restart() http.Handler {
	return s.jsonHandler(func(_ http.ResponseWriter, r *http.Request) (int, any, error) {
		if s.Scheduler == nil {
			return 0, nil, unavailable("the scheduler")
		}
		if err := s.Scheduler.Restart(r.Context()); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, s.Scheduler.Status(), nil
	})
}

// --- runs and events ---

// listRuns pages newest first: ?after=<id> returns runs older than id.
func (s *server) listRuns() http.Handler {
	return listHandler(s, func(r *jobpilot.Run) int64 { return r.ID },
		func(r *http.Request, after int64, limit int) ([]*jobpilot.Run, error) {
			all, err := s.Store.Runs(r.Context(), 1000)
			if err != nil {
				return nil, err
			}
			var items []*jobpilot.Run
			for _, run := range all {
				if (after == 0 || run.ID < after) && len(items) <= limit {
					items = append(items, run)
				}
			}
			return items, nil
		})
}

// listEvents pages newest first: ?after=<id> returns events older than id.
func (s *server) listEvents() http.Handler {
	return listHandler(s, func(e *jobpilot.Event) int64 { return e.ID },
		func(r *http.Request, after int64, limit int) ([]*jobpilot.Event, error) {
			f := jobpilot.EventFilter{BeforeID: after, Limit: limit + 1}
			if v := r.URL.Query().Get("kind"); v != "" {
				f.Kinds = strings.Split(v, ",")
			}
			return s.Store.Events(r.Context(), f)
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
		if h.Status == jobpilot.HealthUnhealthy {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, h)
	})
}
