package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// --- breakers ---

// BreakerView is one circuit breaker in the API.
type BreakerView struct {
	Name             string  `json:"name"`
	State            string  `json:"state"`
	Failures         int     `json:"failures"`
	FailureThreshold int     `json:"failure_threshold"`
	RecoverySeconds  float64 `json:"recovery_timeout_seconds"`
	RetryInSeconds   float64 `json:"retry_in_seconds"`
	// Reason is why a paused breaker stays open until it is reset (a
	// configuration error, e.g. the mail server refused the password).
	Reason string `json:"reason,omitempty"`
}

func breakerViews(bs []jobpilot.BreakerSnapshot) []BreakerView {
	out := make([]BreakerView, 0, len(bs))
	for _, b := range bs {
		out = append(out, BreakerView{Name: b.Name, State: b.State, Failures: b.Failures, FailureThreshold: b.FailureThreshold,
			RecoverySeconds: b.RecoveryTimeout.Seconds(), RetryInSeconds: b.RetryIn.Seconds(), Reason: b.Reason})
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
// it); without one it shows the status and each component's state only
// (jobpilot.Health.Public), with the token the whole report.
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
		// The details (host, version, environment, source names, error
		// texts) need the token; a wrong one counts as a failed attempt,
		// but /health always answers, so monitoring is never throttled.
		if res, _ := s.bearer(r); res == bearerOK {
			writeJSON(w, code, h)
			return
		}
		writeJSON(w, code, h.Public())
	})
}
