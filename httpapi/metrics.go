package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
)

// httpMetrics counts requests by route pattern (never the raw path, which
// would let clients create unbounded series), method (one of a fixed set)
// and status code. Every label comes from a bounded set, so no client can
// grow the registry: see docs/design-notes.md "The HTTP edge is bounded".
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
		m.requests.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// methodLabel is the request method as a metric label: one of the methods
// net/http names, anything else "OTHER". A client may send any token as its
// method; labelling it as sent would create a series per token.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
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

// jobCollector reports the job queue's counts by state and kind.
type jobCollector struct {
	jobs jobpilot.JobQueue
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

func registerCollectors(reg prometheus.Registerer, st jobpilot.Store, jobs jobpilot.JobQueue, log *slog.Logger) {
	if st != nil {
		register[prometheus.Collector](reg, &appCollector{store: st, log: log, desc: prometheus.NewDesc(
			"jobpilot_applications", "Applications by status (all profiles).", []string{"status"}, nil)})
	}
	if jobs != nil {
		register[prometheus.Collector](reg, &jobCollector{jobs: jobs, log: log, desc: prometheus.NewDesc(
			"jobpilot_jobs", "Durable jobs in the queue by state and kind.", []string{"state", "kind"}, nil)})
	}
}
