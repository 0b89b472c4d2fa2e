package engine

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

type metrics struct {
	jobs     *prometheus.CounterVec
	restarts prometheus.Counter
	checks   *prometheus.CounterVec
	rescued  prometheus.Counter
	panics   prometheus.Counter
	running  prometheus.Gauge
}

// newMetrics builds the engine's metrics, registered with reg when it is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobpilot_engine_jobs_total", Help: "Job executions by kind and outcome (completed, failed, cancelled, snoozed).",
		}, []string{"kind", "outcome"}),
		restarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jobpilot_engine_restarts_total", Help: "River clients replaced by the supervisor.",
		}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobpilot_engine_health_checks_total", Help: "Supervisor health checks by result (ok, failed).",
		}, []string{"result"}),
		rescued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jobpilot_engine_rescued_jobs_total", Help: "This node's orphaned jobs made available again at start.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jobpilot_engine_job_panics_total", Help: "Handler panics recovered.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jobpilot_engine_running", Help: "1 while the engine's River client runs.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.jobs, m.restarts, m.checks, m.rescued, m.panics, m.running} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) jobDone(kind, outcome string) { m.jobs.WithLabelValues(kind, outcome).Inc() }

// errorHandler logs failed jobs and panics; River has already recovered the
// panic, and the job is retried like a transient failure.
type errorHandler struct {
	log     *slog.Logger
	metrics *metrics
}

func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	var snooze *river.JobSnoozeError
	if errors.As(err, &snooze) {
		return nil
	}
	h.log.WarnContext(ctx, "job failed", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "error", err)
	return nil
}

func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.metrics.panics.Inc()
	h.metrics.jobDone(job.Kind, "panic")
	h.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "panic", panicVal)
	return nil
}
