package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/jobpilot/jobpilot"
)

// Args are one job kind's arguments, the way River's JobArgs are: Kind
// names the kind (a jobpilot.TaskKind) and the value is stored as JSON in
// river_job.args, so its field names are an on-disk format (rename with
// care: queued jobs keep the old names). For a Unique kind, the fields
// tagged `river:"unique"` are what makes two jobs the same. Task is the
// task the kind's Handler receives.
//
// The type's pointer fills it from a task (see TaskArgs), which is how a
// task enqueued through the store (jobpilot.Change.Tasks) becomes a job.
type Args interface {
	Kind() string
	Task() jobpilot.Task
}

// TaskArgs is the pointer of an Args type: FromTask sets the arguments from
// t, or returns an EINVALID error when t lacks what the kind needs (then
// nothing of the batch being enqueued is inserted). A periodic kind's
// FromTask must accept a task with only its Kind set: that is what the
// schedule and Trigger enqueue.
type TaskArgs[T Args] interface {
	*T
	FromTask(t jobpilot.Task) error
}

// Handler does one kind's work. It receives the task's context, which
// carries the job's deadline (the kind's Timeout) and is cancelled when the
// engine shuts down past its grace period; JobFromContext tells the attempt.
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
//     the job is retried after the engine's backoff (Config.Backoff) until
//     the kind's MaxAttempts is reached, then discarded.
type Handler func(ctx context.Context, t jobpilot.Task) error

// DefaultMaxAttempts is a kind's MaxAttempts when its options set none.
const DefaultMaxAttempts = 5

// KindOptions are one kind's settings, given once at registration (River
// keeps the same per kind: InsertOpts on the args, Timeout on the worker).
type KindOptions struct {
	// MaxAttempts is how many times a job of the kind may run before it is
	// discarded (default DefaultMaxAttempts). A snooze (open circuit,
	// Retry-After, shutdown) does not count.
	MaxAttempts int
	// Priority orders the fetching of available jobs: 1 (River's highest
	// and the default) to 4.
	Priority int
	// Queue is the River queue the kind runs in (default river.QueueDefault).
	// Every queue has Config.Workers workers of its own.
	Queue string
	// Timeout bounds each attempt: the handler's context deadline (default
	// Config.JobTimeout). River's rescuer takes a stuck job back only after
	// Config.RescueAfter, so a kind with a longer timeout should keep
	// RescueAfter above it.
	Timeout time.Duration
	// Unique makes inserting a job a no-op while another job of the kind
	// with the same unique arguments (the `river:"unique"` fields) is queued
	// or running; once that one is finalized, the same work may be queued
	// again.
	Unique bool
	// Periodic, when not nil, has River's elected leader insert the kind on
	// its schedule (so each tick runs once cluster-wide) and lets Trigger
	// run it at once. A scheduled insert is skipped while the schedule's
	// previous job of the kind is unfinished, so runs never overlap (a
	// start-up run inserted again after a loss of leadership included).
	Periodic *Periodic
}

// Periodic is a kind's schedule.
type Periodic struct {
	Schedule Schedule
	// RunOnStart also inserts the job when the engine's client starts
	// (serve wants the first fetch and automation run at once, not one
	// interval later). Missed ticks are never caught up.
	RunOnStart bool
}

// Kinds is the set of job kinds an engine runs, one registration per kind
// (River's Workers and AddWorker). Register every kind before New; New
// takes a copy.
type Kinds struct {
	order  []*kindDef
	byKind map[jobpilot.TaskKind]*kindDef
}

// NewKinds returns an empty registry.
func NewKinds() *Kinds { return &Kinds{byKind: map[jobpilot.TaskKind]*kindDef{}} }

// kindDef is one registered kind, with what the generic registration knows
// of its argument type captured in closures.
type kindDef struct {
	kind     jobpilot.TaskKind
	opts     KindOptions
	insert   river.InsertOpts
	args     func(jobpilot.Task) (river.JobArgs, error)
	register func(w *river.Workers, env workerEnv, timeout time.Duration)
}

// AddKind registers kind T (its Kind()) with handle and opts. Like River's
// AddWorker it panics on a programming error: a kind registered twice, an
// empty kind, a Periodic without a schedule, or a periodic kind whose
// arguments cannot be built from an empty task.
func AddKind[T Args, P TaskArgs[T]](k *Kinds, handle Handler, opts KindOptions) {
	var zero T
	kind := jobpilot.TaskKind(zero.Kind())
	switch {
	case kind == "" || handle == nil:
		panic("engine: AddKind needs a kind name and a handler")
	case k.byKind[kind] != nil:
		panic(fmt.Sprintf("engine: job kind %q registered twice", kind))
	case opts.Periodic != nil && opts.Periodic.Schedule == nil:
		panic(fmt.Sprintf("engine: periodic job kind %q has no schedule", kind))
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	def := &kindDef{
		kind:   kind,
		opts:   opts,
		insert: river.InsertOpts{MaxAttempts: opts.MaxAttempts, Priority: opts.Priority, Queue: opts.Queue},
		args: func(t jobpilot.Task) (river.JobArgs, error) {
			a := new(T)
			if err := P(a).FromTask(t); err != nil {
				return nil, err
			}
			return *a, nil
		},
	}
	var unique *river.InsertOpts
	if opts.Unique {
		def.insert.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: unfinalized}
		unique = &def.insert
	}
	def.register = func(w *river.Workers, env workerEnv, timeout time.Duration) {
		river.AddWorker[T](w, &worker[T]{handle: handle, timeout: timeout, env: env, unique: unique})
	}
	if opts.Periodic != nil {
		if _, err := def.args(jobpilot.Task{Kind: kind}); err != nil {
			panic(fmt.Sprintf("engine: periodic job kind %q cannot be built from an empty task: %v", kind, err))
		}
	}
	k.order = append(k.order, def)
	k.byKind[kind] = def
}

// unfinalized are the states in which a unique job blocks a duplicate: once
// a job completed (or was cancelled/discarded) the same work may be queued again.
var unfinalized = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// clone copies the registry (New's snapshot), giving every kind without a
// timeout the default one.
func (k *Kinds) clone(defaultTimeout time.Duration) *Kinds {
	c := NewKinds()
	for _, d := range k.order {
		cp := *d
		if cp.opts.Timeout <= 0 {
			cp.opts.Timeout = defaultTimeout
		}
		c.order = append(c.order, &cp)
		c.byKind[cp.kind] = &cp
	}
	return c
}

// queues are the River queues the kinds run in, each with workers workers.
func (k *Kinds) queues(workers int) map[string]river.QueueConfig {
	q := map[string]river.QueueConfig{}
	for _, d := range k.order {
		q[orStr(d.opts.Queue, river.QueueDefault)] = river.QueueConfig{MaxWorkers: workers}
	}
	return q
}

// params converts tasks to River insert parameters, validating all of them
// before anything is inserted: an unknown kind or a task its kind refuses
// is EINVALID.
func (k *Kinds) params(tasks []jobpilot.Task) ([]river.InsertManyParams, error) {
	params := make([]river.InsertManyParams, 0, len(tasks))
	for _, t := range tasks {
		def := k.byKind[t.Kind]
		if def == nil {
			return nil, jobpilot.FieldError("kind", "unknown task kind %q", t.Kind)
		}
		args, err := def.args(t)
		if err != nil {
			return nil, err
		}
		opts := def.insert
		opts.ScheduledAt = t.ScheduledAt
		params = append(params, river.InsertManyParams{Args: args, InsertOpts: &opts})
	}
	return params, nil
}
