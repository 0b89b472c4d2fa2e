package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/jobpilot/jobpilot"
)

// --- the candidate's review actions (jobpilot.Review) ---

func (s *server) cancel() http.Handler {
	return s.pipelineAction(func(_ http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error) {
		return s.Pipeline.Cancel(r.Context(), id)
	})
}

func (s *server) dismiss() http.Handler {
	return pipelineBodyAction(s, decodeReason, Pipeline.Dismiss)
}

func (s *server) restore() http.Handler {
	return s.pipelineAction(func(_ http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error) {
		return s.Pipeline.Restore(r.Context(), id)
	})
}

func (s *server) block() http.Handler {
	return pipelineBodyAction(s, decodeReason, Pipeline.BlockCompany)
}

func (s *server) markApplied() http.Handler {
	return pipelineBodyAction(s, decodeApplied, Pipeline.MarkApplied)
}

func (s *server) retry() http.Handler {
	return s.pipelineAction(func(_ http.ResponseWriter, r *http.Request, id int64) (*jobpilot.Application, error) {
		return s.Pipeline.Retry(r.Context(), id)
	})
}

func (s *server) editDocuments() http.Handler {
	return pipelineBodyAction(s, decodeEdit, Pipeline.EditDocuments)
}

func (s *server) listBlocked() http.Handler {
	return s.withID(func(_ http.ResponseWriter, r *http.Request, id int64) (int, any, error) {
		if _, err := s.Store.Profile(r.Context(), id); err != nil {
			return 0, nil, err
		}
		list, err := s.Store.BlockedCompanies(r.Context(), id)
		if list == nil {
			list = []jobpilot.BlockedCompany{}
		}
		return okJSON(Page[jobpilot.BlockedCompany]{Items: list}, err)
	})
}

// --- the tracker ---

// maxTracked bounds the applications the funnel and the CSV export read.
const maxTracked = 1_000_000

// profileParam reads ?profile_id= (0: every profile).
func profileParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("profile_id")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, jobpilot.FieldError("profile_id", "must be an integer")
	}
	return id, nil
}

// trackedApplications reads every application of a profile (0: all), a page at
// a time (this package does not import store's iterator).
func (s *server) trackedApplications(ctx context.Context, profileID int64) ([]*jobpilot.Application, error) {
	var out []*jobpilot.Application
	after := int64(0)
	for len(out) < maxTracked {
		page, err := s.Store.Applications(ctx, jobpilot.ApplicationFilter{ProfileID: profileID, AfterID: after, Limit: maxPage})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < maxPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return out, nil
}

func (s *server) funnel() http.Handler {
	return s.jsonHandler(func(_ http.ResponseWriter, r *http.Request) (int, any, error) {
		profile, err := profileParam(r)
		if err != nil {
			return 0, nil, err
		}
		apps, err := s.trackedApplications(r.Context(), profile)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, jobpilot.FunnelOf(apps), nil
	})
}

// trackerCSV is every application (of ?profile_id=) as CSV, for a
// spreadsheet: company, role, URL, dates, status and score.
func (s *server) trackerCSV() http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		profile, err := profileParam(r)
		if err != nil {
			return err
		}
		apps, err := s.trackedApplications(r.Context(), profile)
		if err != nil {
			return err
		}
		rows := make([]jobpilot.TrackerRow, 0, len(apps))
		posts := map[int64]*jobpilot.Posting{}
		for _, a := range apps {
			p, ok := posts[a.PostingID]
			if !ok {
				if p, err = s.Store.Posting(r.Context(), a.PostingID); err != nil && jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
					return err
				}
				posts[a.PostingID] = p
			}
			rows = append(rows, jobpilot.TrackerRow{Application: a, Posting: p})
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="applications.csv"`)
		return jobpilot.WriteTrackerCSV(w, rows)
	})
}
