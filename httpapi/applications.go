package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// --- applications ---

// ApplicationDetail is GET /api/v1/applications/{id}: the application, its
// posting, its latest events (newest first) and whether documents exist.
type ApplicationDetail struct {
	*jobpilot.Application
	// StatusLabel is the status in words that do not mislead: "saved to
	// outbox (no SMTP server configured)" rather than "sent".
	StatusLabel string            `json:"status_label"`
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
	d := &ApplicationDetail{Application: app, StatusLabel: app.StatusLabel()}
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
	return pipelineBodyAction(s, decodeStatus, Pipeline.SetStatus)
}

func (s *server) reopen() http.Handler {
	return pipelineBodyAction(s, decodeReopen, Pipeline.Reopen)
}
