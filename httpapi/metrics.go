package httpapi

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
)

// httpMetrics counts requests by route pattern (never the raw path, which
// would let clients create unbounded series), method and status code.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobpilot_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jobpilot_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	m.requests = register(reg, m.requests)
	m.duration = register(reg, m.duration)
	return m
}

// register registers c, or returns the collector already registered under
// the same description (a second handler on the same registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// instrument wraps the mux: after it has routed the request, r.Pattern
// names the matched route ("GET /api/v1/applications/{id}").
func (m *httpMetrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// collectTimeout bounds the database queries made at scrape time.
const collectTimeout = 5 * time.Second

// appCollector reports application counts by status, queried at scrape
// time so the numbers are those of the database, whichever node changed them.
type appCollector struct {
	store jobpilot.Store
	log   *slog.Logger
	desc  *prometheus.Desc
}

func (c *appCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *appCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	counts, err := c.store.CountByStatus(ctx, 0)
	if err != nil {
		// A scrape must not fail as a whole because the database is slow:
		// the other metrics still tell what is going on.
		c.log.Warn("metrics: counting applications failed", "err", err)
		return
	}
	for _, st := range jobpilot.Statuses {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}

// jobCollector reports River's job counts by state and kind.
type jobCollector struct {
	jobs Jobs
	log  *slog.Logger
	desc *prometheus.Desc
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	counts, err := c.jobs.Counts(ctx)
	if err != nil {
		c.log.Warn("metrics: counting jobs failed", "err", err)
		return
	}
	for _, jc := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(jc.Count), jc.State, jc.Kind)
	}
}

func registerCollectors(reg prometheus.Registerer, st jobpilot.Store, jobs Jobs, log *slog.Logger) {
	if st != nil {
		register[prometheus.Collector](reg, &appCollector{store: st, log: log, desc: prometheus.NewDesc(
			"jobpilot_applications", "Applications by status (all profiles).", []string{"status"}, nil)})
	}
	if jobs != nil {
		register[prometheus.Collector](reg, &jobCollector{jobs: jobs, log: log, desc: prometheus.NewDesc(
			"jobpilot_jobs", "Durable jobs in the queue by state and kind.", []string{"state", "kind"}, nil)})
	}
}

// JobCount is the number of jobs in one state of one kind.
type JobCount struct {
	State string `json:"state"`
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// JobResult is the latest job of a kind that ran.
type JobResult struct {
	Kind    string    `json:"kind"`
	State   string    `json:"state"` // completed, retryable, discarded, cancelled, running …
	At      time.Time `json:"at,omitzero"`
	Attempt int       `json:"attempt"`
}

// RiverJobs reads River's river_job table on SQLite and PostgreSQL.
type RiverJobs struct{ db *sql.DB }

// NewRiverJobs returns a Jobs over db, the store's handle.
func NewRiverJobs(db *sql.DB) *RiverJobs { return &RiverJobs{db: db} }

// Counts implements Jobs.
func (j *RiverJobs) Counts(ctx context.Context) ([]JobCount, error) {
	rows, err := j.db.QueryContext(ctx, "SELECT state, kind, COUNT(*) FROM river_job GROUP BY state, kind ORDER BY kind, state")
	if err != nil {
		return nil, jobpilot.Transient(err)
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var jc JobCount
		if err := rows.Scan(&jc.State, &jc.Kind, &jc.Count); err != nil {
			return nil, err
		}
		out = append(out, jc)
	}
	return out, rows.Err()
}

// Last implements Jobs: per kind, the job with the highest id among those
// that were attempted at least once.
func (j *RiverJobs) Last(ctx context.Context) (map[string]JobResult, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT kind, state, attempt, finalized_at, attempted_at FROM river_job
		WHERE id IN (SELECT MAX(id) FROM river_job WHERE attempt > 0 GROUP BY kind)`)
	if err != nil {
		return nil, jobpilot.Transient(err)
	}
	defer rows.Close()
	out := map[string]JobResult{}
	for rows.Next() {
		var (
			jr                   JobResult
			finalized, attempted sql.NullString
		)
		if err := rows.Scan(&jr.Kind, &jr.State, &jr.Attempt, &finalized, &attempted); err != nil {
			return nil, err
		}
		for _, v := range []sql.NullString{finalized, attempted} {
			if t, ok := parseDBTime(v.String); v.Valid && ok {
				jr.At = t
				break
			}
		}
		out[jr.Kind] = jr
	}
	return out, rows.Err()
}

// parseDBTime reads a timestamp as either driver renders it into a string.
func parseDBTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
