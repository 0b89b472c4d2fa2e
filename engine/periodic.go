package engine

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/jobpilot/jobpilot"
)

// Schedule is when a periodic kind runs: River's PeriodicSchedule, with a
// description for people ("every 6h0m0s", "cron 0 10 * * * (Europe/Paris)").
type Schedule interface {
	Next(t time.Time) time.Time
	String() string
}

// Every runs a kind every d, counted from the previous run's enqueueing.
func Every(d time.Duration) Schedule { return interval{river.PeriodicInterval(d), d} }

type interval struct {
	river.PeriodicSchedule
	d time.Duration
}

func (i interval) String() string { return "every " + i.d.String() }

// CronSchedule parses a standard 5-field cron expression ("0 10 * * *")
// evaluated in loc, whatever zone the clock is in. Daylight-saving gaps
// follow robfig/cron: a time that does not exist that day is skipped. A bad
// expression is an error (internal/system reports it as EINVALID on the
// variable that holds it).
func CronSchedule(expr string, loc *time.Location) (Schedule, error) {
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", expr, err)
	}
	return cronSchedule{sched: sched, loc: loc, expr: expr}, nil
}

type cronSchedule struct {
	sched cron.Schedule
	loc   *time.Location
	expr  string
}

// Next computes the next run in the schedule's zone, whatever zone t is in.
func (c cronSchedule) Next(t time.Time) time.Time { return c.sched.Next(t.In(c.loc)) }

func (c cronSchedule) String() string { return fmt.Sprintf("cron %s (%s)", c.expr, c.loc) }

// periodicJobs are River's periodic jobs for the registered periodic kinds,
// in registration order, each identified by its kind (so a restarted client
// replaces rather than duplicates them).
func (k *Kinds) periodicJobs() []*river.PeriodicJob {
	var out []*river.PeriodicJob
	for _, d := range k.order {
		if d.opts.Periodic == nil {
			continue
		}
		out = append(out, river.NewPeriodicJob(d.opts.Periodic.Schedule, d.periodicInsert,
			&river.PeriodicJobOpts{ID: string(d.kind), RunOnStart: d.opts.Periodic.RunOnStart}))
	}
	return out
}

// periodicInsert is what the schedule inserts for a periodic kind: its
// arguments built from an empty task, unique by kind while a job the
// schedule inserted is unfinished (queued, retrying or running). A tick, or
// the start-up run inserted again after a brief loss of leadership, is then
// skipped while the previous run goes on, instead of running beside it.
// Trigger and Enqueue insert without that key: a run asked for by a person
// or by the pipeline is never skipped. A run left "running" by a failure is
// released by the supervisor's phantom sweep (phantom.go) or, for another
// node's, River's rescuer.
func (d *kindDef) periodicInsert() (river.JobArgs, *river.InsertOpts) {
	args, _ := d.args(jobpilot.Task{Kind: d.kind}) // checked by AddKind
	opts := d.insert
	opts.UniqueOpts = river.UniqueOpts{ByState: unfinalized}
	return args, &opts
}

// periodicCount is the number of periodic kinds.
func (k *Kinds) periodicCount() int {
	n := 0
	for _, d := range k.order {
		if d.opts.Periodic != nil {
			n++
		}
	}
	return n
}

// PeriodicJobs lists the schedule, in registration order, with each job's
// next run from now.
func (e *Engine) PeriodicJobs() []jobpilot.PeriodicJob {
	now := time.Now()
	var out []jobpilot.PeriodicJob
	for _, d := range e.kinds.order {
		if p := d.opts.Periodic; p != nil {
			out = append(out, jobpilot.PeriodicJob{Name: string(d.kind), Schedule: p.Schedule.String(), RunOnStart: p.RunOnStart, NextRun: p.Schedule.Next(now)})
		}
	}
	return out
}
