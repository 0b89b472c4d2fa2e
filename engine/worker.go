package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

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

// worker adapts one kind's Handler to River.
type worker[T Args] struct {
	river.WorkerDefaults[T]
	handle  Handler
	timeout time.Duration
	env     workerEnv
	// unique is set for a unique kind, with its insert options: its
	// successful jobs are completed by completeUnique (rerun.go).
	unique *river.InsertOpts
}

// workerEnv is what every worker of one River client shares.
type workerEnv struct {
	backoff  Backoff
	stopping *atomic.Bool // set when this client is being stopped
	metrics  *metrics
	scrub    func(error) error // Options.ScrubError; nil keeps errors as they are
	db       *sql.DB           // the client's handle, for completeUnique
	postgres bool
	live     *liveJobs
}

func (w *worker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

// NextRetry is our backoff, not River's (which grows as attempt^4 seconds).
func (w *worker[T]) NextRetry(job *river.Job[T]) time.Time {
	return time.Now().Add(w.env.backoff.Delay(job.Attempt))
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	w.env.live.add(job.ID)
	defer w.env.live.remove(job.ID)
	t := job.Args.Task()
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
	if err != nil && w.env.scrub != nil {
		err = w.env.scrub(err)
	}
	res := mapError(ctx, err, w.env.stopping.Load())
	if res == nil && w.unique != nil {
		res = completeUnique(ctx, w.env, *w.unique, job)
	}
	w.env.metrics.jobDone(string(t.Kind), outcome(res))
	return res
}

// mapError applies the error mapping documented on Handler.
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
