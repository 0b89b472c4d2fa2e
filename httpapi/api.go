package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

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
