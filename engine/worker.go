package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/resilience"
)

// Handlers do the work of each job kind; the apply package implements them.
// Each receives the task's context, which carries the job's deadline
// (Timeouts.Job for process_posting and send_application, Timeouts.Automation
// for automation_run, fetch_postings and follow_ups) and is cancelled when the
// engine shuts down past its grace period. JobFromContext tells the attempt.
//
// Error mapping of a handler's result:
//
//   - nil: the job is completed.
//   - a *resilience.OpenError (circuit open) anywhere in the chain: the job is
//     snoozed until the breaker will half-open; this never burns an attempt.
//   - a transient error that carries the delay its dependency asked for
//     (jobpilot.TransientAfter, e.g. a 429's Retry-After): the job is snoozed
//     for that delay; this never burns an attempt either.
//   - errors.Is(err, jobpilot.ErrPermanent), or a *jobpilot.Error with code
//     EINVALID, ENOTFOUND or ECONFLICT: the job is cancelled (never retried);
//     recording the reason on the application is the handler's business.
//   - the engine is shutting down and the job's context was cancelled: the job
//     is snoozed for 0 s, so it runs again right after the next start.
//   - anything else (transient errors, timeouts, unclassified errors, panics):
//     the job is retried after our backoff until its MaxAttempts is reached,
//     then discarded.
type Handlers interface {
	FetchPostings(ctx context.Context, t jobpilot.Task) error
	AutomationRun(ctx context.Context, t jobpilot.Task) error
	ProcessPosting(ctx context.Context, t jobpilot.Task) error
	SendApplication(ctx context.Context, t jobpilot.Task) error
	FollowUps(ctx context.Context, t jobpilot.Task) error
	Cleanup(ctx context.Context, t jobpilot.Task) error
}

// JobInfo describes the River job behind a handler call.
type JobInfo struct {
	ID          int64
	Kind        jobpilot.TaskKind
	Attempt     int // 1 on the first run; a retried or rescued job comes back with a higher one
	MaxAttempts int
	// Errors is the number of earlier attempts that ended in an error (a job
	// rescued from a crashed node has fewer Errors than Attempt-1).
	Errors int
}

type jobInfoKey struct{}

type completeTxKey struct{}

// CompleteTx marks the job a handler runs for as completed inside tx, so
// the handler's own state change and the job's completion commit (or roll
// back) together: after a crash the job is either done with its effect or
// not done without it, never "effect committed, job still running" (which
// would run it twice). After a successful commit the handler returns nil.
// Outside a handler it returns EINVALID.
func CompleteTx(ctx context.Context, tx *sql.Tx) error {
	f, ok := ctx.Value(completeTxKey{}).(func(context.Context, *sql.Tx) error)
	if !ok {
		return jobpilot.Errorf(jobpilot.EINVALID, "engine.CompleteTx called outside a job handler")
	}
	return f(ctx, tx)
}

// JobFromContext returns the job a handler is running for; false outside
// the engine (e.g. when a handler is called directly in a test).
func JobFromContext(ctx context.Context) (JobInfo, bool) {
	j, ok := ctx.Value(jobInfoKey{}).(JobInfo)
	return j, ok
}

type taskArgs interface {
	river.JobArgs
	task() jobpilot.Task
}

// worker adapts one Handlers method to River.
type worker[T taskArgs] struct {
	river.WorkerDefaults[T]
	handle   func(context.Context, jobpilot.Task) error
	timeout  time.Duration
	backoff  backoff
	stopping *atomic.Bool // set when this client is being stopped
	metrics  *metrics
}

func (w *worker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

// NextRetry is our backoff, not River's (which grows as attempt^4 seconds).
func (w *worker[T]) NextRetry(job *river.Job[T]) time.Time {
	return time.Now().Add(w.backoff.delay(job.Attempt))
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	t := job.Args.task()
	ctx = context.WithValue(ctx, jobInfoKey{}, JobInfo{
		ID: job.ID, Kind: t.Kind, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts, Errors: len(job.Errors),
	})
	ctx = context.WithValue(ctx, completeTxKey{}, func(ctx context.Context, tx *sql.Tx) error {
		_, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx, job)
		if err != nil {
			return fmt.Errorf("engine: complete job %d in tx: %w", job.ID, err)
		}
		return nil
	})
	err := w.handle(ctx, t)
	res := mapError(ctx, err, w.stopping.Load())
	w.metrics.jobDone(string(t.Kind), outcome(res))
	return res
}

// mapError applies the error mapping documented on Handlers.
func mapError(ctx context.Context, err error, stopping bool) error {
	if err == nil {
		return nil
	}
	if stopping && errors.Is(ctx.Err(), context.Canceled) {
		return river.JobSnooze(0)
	}
	if retryIn, ok := openRetryIn(err); ok {
		return river.JobSnooze(max(retryIn, 0))
	}
	if errors.Is(err, jobpilot.ErrPermanent) {
		return river.JobCancel(err)
	}
	if after, ok := jobpilot.RetryAfter(err); ok && errors.Is(err, jobpilot.ErrTransient) {
		// The dependency said when to come back (a 429's Retry-After that
		// outlasted the policy's retries): wait exactly that, without
		// burning an attempt — being paced is not failing.
		return river.JobSnooze(after)
	}
	var de *jobpilot.Error
	if errors.As(err, &de) {
		switch de.Code {
		case jobpilot.EINVALID, jobpilot.ENOTFOUND, jobpilot.ECONFLICT:
			return river.JobCancel(err)
		}
	}
	return err
}

func outcome(err error) string {
	if err == nil {
		return "completed"
	}
	var snooze *river.JobSnoozeError
	if errors.As(err, &snooze) {
		return "snoozed"
	}
	var cancel *river.JobCancelError
	if errors.As(err, &cancel) {
		return "cancelled"
	}
	return "failed"
}

// openRetryIn finds a circuit-open error in err's chain and returns when
// the breaker will let a probe through. It is checked before the error's
// class: an OpenError is also transient, but retrying it would burn attempts.
func openRetryIn(err error) (time.Duration, bool) {
	var oe *resilience.OpenError
	if errors.As(err, &oe) {
		return oe.RetryIn, true
	}
	return 0, false
}

// backoff is DESIGN.md §2's delay: before retry n, min(initial × base^(n−1), max).
// River's attempt n failed means retry n comes next.
type backoff struct {
	initial, max time.Duration
	base         float64
}

// backoffFrom takes the default retry policy (MAX_RETRIES, INITIAL_DELAY,
// MAX_DELAY, RETRY_BASE scaled by TimeScale); unset delays fall back to the
// guide's 1 s and 60 s.
func backoffFrom(cfg *config.Config) backoff {
	scale := cfg.TimeScale
	if scale <= 0 {
		scale = 1
	}
	b := backoff{
		initial: time.Duration(float64(orDur(cfg.Retry.InitialDelay, time.Second)) * scale),
		max:     time.Duration(float64(orDur(cfg.Retry.MaxDelay, 60*time.Second)) * scale),
		base:    cfg.Retry.Base,
	}
	if b.base <= 1 {
		b.base = 2
	}
	return b
}

func (b backoff) delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := float64(b.initial) * math.Pow(b.base, float64(n-1))
	if d > float64(b.max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return b.max
	}
	return time.Duration(d)
}

func orDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
