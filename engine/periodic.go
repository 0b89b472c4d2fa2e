package engine

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
)

type periodicDef struct {
	kind       jobpilot.TaskKind
	desc       string
	schedule   river.PeriodicSchedule
	runOnStart bool
}

func (p *periodicDef) riverJob() *river.PeriodicJob {
	kind := p.kind
	return river.NewPeriodicJob(p.schedule, func() (river.JobArgs, *river.InsertOpts) {
		args, _ := argsFor(jobpilot.Task{Kind: kind}) // periodic kinds need no ids
		return args, nil
	}, &river.PeriodicJobOpts{ID: string(kind), RunOnStart: p.runOnStart})
}

// periodicDefs is the schedule: fetch every FetchInterval, automation every
// AutomationInterval (both also at start with runOnStart), follow-ups and
// cleanup by cron in the scheduler's time zone.
func periodicDefs(cfg *config.Config, runOnStart bool) ([]*periodicDef, error) {
	s := cfg.Scheduler
	loc, err := time.LoadLocation(orStr(s.Timezone, "UTC"))
	if err != nil {
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "SCHEDULER_TIMEZONE", Message: "unknown time zone", Err: err}
	}
	fetch := orDur(s.FetchInterval, 6*time.Hour)
	auto := orDur(s.AutomationInterval, time.Hour)
	follow, err := CronSchedule(orStr(s.FollowUpCron, "0 10 * * *"), loc)
	if err != nil {
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "FOLLOW_UP_CRON", Message: "bad cron expression", Err: err}
	}
	clean, err := CronSchedule(orStr(s.CleanupCron, "0 2 * * *"), loc)
	if err != nil {
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "CLEANUP_CRON", Message: "bad cron expression", Err: err}
	}
	return []*periodicDef{
		{kind: jobpilot.TaskFetchPostings, desc: "every " + fetch.String(), schedule: river.PeriodicInterval(fetch), runOnStart: runOnStart},
		{kind: jobpilot.TaskAutomationRun, desc: "every " + auto.String(), schedule: river.PeriodicInterval(auto), runOnStart: runOnStart},
		{kind: jobpilot.TaskFollowUps, desc: fmt.Sprintf("cron %s (%s)", orStr(s.FollowUpCron, "0 10 * * *"), loc), schedule: follow},
		{kind: jobpilot.TaskCleanup, desc: fmt.Sprintf("cron %s (%s)", orStr(s.CleanupCron, "0 2 * * *"), loc), schedule: clean},
	}, nil
}

// PeriodicJobs lists the schedule with each job's next run from now.
func (e *Engine) PeriodicJobs() []jobpilot.PeriodicJob {
	now := time.Now()
	out := make([]jobpilot.PeriodicJob, 0, len(e.periodic))
	for _, p := range e.periodic {
		out = append(out, jobpilot.PeriodicJob{Name: string(p.kind), Schedule: p.desc, RunOnStart: p.runOnStart, NextRun: p.schedule.Next(now)})
	}
	return out
}

// CronSchedule parses a standard 5-field cron expression ("0 10 * * *")
// evaluated in loc, as a River periodic schedule. Daylight-saving gaps follow
// robfig/cron: a time that does not exist that day is skipped.
func CronSchedule(expr string, loc *time.Location) (river.PeriodicSchedule, error) {
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", expr, err)
	}
	return cronSchedule{sched: sched, loc: loc}, nil
}

type cronSchedule struct {
	sched cron.Schedule
	loc   *time.Location
}

// Next computes the next run in the schedule's zone, whatever zone t is in.
func (c cronSchedule) Next(t time.Time) time.Time { return c.sched.Next(t.In(c.loc)) }

func orStr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
