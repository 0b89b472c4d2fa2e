package system

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/engine"
)

// Job-kind priorities: 1 is River's highest. A ready application's send goes
// before the drafting of others: otherwise, with many postings queued,
// finished applications wait for every older draft to be picked up first.
// The attempts are the configuration's (DRAFT_, SEND_ and
// SCHEDULED_MAX_ATTEMPTS).
const (
	prioritySend    = 1
	priorityProcess = 2
)

// jobKinds registers apply's job kinds with the engine: one line per kind,
// with its options. A new kind is its Args type and handler in one new file
// of apply, plus one line here (see docs/design-notes.md).
//
// The schedule's runs of a periodic kind never overlap: a tick is skipped
// while the previous one is unfinished (see engine.KindOptions.Periodic).
func jobKinds(cfg *config.Config, svc *apply.Service, runOnStart bool) (*engine.Kinds, error) {
	job, automation := jobTimeouts(cfg)
	s, err := schedules(cfg)
	if err != nil {
		return nil, err
	}
	draft, send, scheduled := jobAttempts(cfg)
	k := engine.NewKinds()
	engine.AddKind[apply.ProcessPostingArgs](k, svc.ProcessPosting, engine.KindOptions{MaxAttempts: draft, Priority: priorityProcess, Unique: true, Timeout: job})
	engine.AddKind[apply.SendApplicationArgs](k, svc.SendApplication, engine.KindOptions{MaxAttempts: send, Priority: prioritySend, Unique: true, Timeout: job})
	engine.AddKind[apply.FetchPostingsArgs](k, svc.FetchPostings, engine.KindOptions{MaxAttempts: scheduled, Timeout: automation, Periodic: &engine.Periodic{Schedule: s.fetch, RunOnStart: runOnStart}})
	engine.AddKind[apply.AutomationRunArgs](k, svc.AutomationRun, engine.KindOptions{MaxAttempts: scheduled, Timeout: automation, Periodic: &engine.Periodic{Schedule: s.automation, RunOnStart: runOnStart}})
	engine.AddKind[apply.FollowUpsArgs](k, svc.FollowUps, engine.KindOptions{MaxAttempts: scheduled, Timeout: automation, Periodic: &engine.Periodic{Schedule: s.followUps}})
	engine.AddKind[apply.CleanupArgs](k, svc.Cleanup, engine.KindOptions{MaxAttempts: scheduled, Timeout: job, Periodic: &engine.Periodic{Schedule: s.cleanup}})
	// The mailbox kind is always known (a job queued before IMAP_HOST was
	// unset still runs, as a no-op); it is scheduled only when configured.
	mailboxOpts := engine.KindOptions{MaxAttempts: scheduled, Timeout: automation}
	if svc.Inbox != nil {
		mailboxOpts.Periodic = &engine.Periodic{Schedule: engine.Every(orTable(cfg.Mailbox.MailboxInterval, 10*time.Minute)), RunOnStart: runOnStart}
	}
	engine.AddKind[apply.ReadMailboxArgs](k, svc.ReadMailbox, mailboxOpts)
	digestOpts := engine.KindOptions{MaxAttempts: scheduled, Timeout: job}
	if len(svc.Notifiers) > 0 {
		digestOpts.Periodic = &engine.Periodic{Schedule: s.notify}
	}
	engine.AddKind[apply.NotifyDigestArgs](k, svc.NotifyDigest, digestOpts)
	engine.AddKind[apply.NotifyInterviewArgs](k, svc.NotifyInterview, engine.KindOptions{MaxAttempts: scheduled, Unique: true, Timeout: job})
	return k, nil
}

// jobAttempts are DRAFT_, SEND_ and SCHEDULED_MAX_ATTEMPTS, the defaults'
// when a Config built by hand leaves them at zero.
func jobAttempts(cfg *config.Config) (draft, send, scheduled int) {
	s, def := cfg.Scheduler, config.Default().Scheduler
	return orTable(s.DraftMaxAttempts, def.DraftMaxAttempts), orTable(s.SendMaxAttempts, def.SendMaxAttempts),
		orTable(s.ScheduledMaxAttempts, def.ScheduledMaxAttempts)
}

// requeueStuckAfter is REQUEUE_STUCK_AFTER, or JOB_TIMEOUT + 1 h on a
// Config built by hand.
func requeueStuckAfter(cfg *config.Config) time.Duration {
	return orTable(cfg.Scheduler.RequeueStuckAfter, cfg.Timeouts.Job+time.Hour)
}

// periodicSchedules are the schedule's entries.
type periodicSchedules struct {
	fetch, automation, followUps, cleanup, notify engine.Schedule
}

// schedules reads the schedule: fetch every FETCH_INTERVAL, automation
// every AUTOMATION_INTERVAL, follow-ups and cleanup by cron in
// SCHEDULER_TIMEZONE. A bad zone or cron expression is EINVALID on its
// variable (config.Validate catches them first).
func schedules(cfg *config.Config) (periodicSchedules, error) {
	s := cfg.Scheduler
	loc, err := time.LoadLocation(orStr(s.Timezone, "UTC"))
	if err != nil {
		return periodicSchedules{}, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "SCHEDULER_TIMEZONE", Message: "unknown time zone", Err: err}
	}
	follow, err := engine.CronSchedule(orStr(s.FollowUpCron, "0 10 * * *"), loc)
	if err != nil {
		return periodicSchedules{}, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "FOLLOW_UP_CRON", Message: "bad cron expression", Err: err}
	}
	clean, err := engine.CronSchedule(orStr(s.CleanupCron, "0 2 * * *"), loc)
	if err != nil {
		return periodicSchedules{}, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "CLEANUP_CRON", Message: "bad cron expression", Err: err}
	}
	notify, err := engine.CronSchedule(orStr(cfg.Notify.NotifyCron, "0 9 * * *"), loc)
	if err != nil {
		return periodicSchedules{}, &jobpilot.Error{Code: jobpilot.EINVALID, Field: "NOTIFY_CRON", Message: "bad cron expression", Err: err}
	}
	return periodicSchedules{
		notify:     notify,
		fetch:      engine.Every(orTable(s.FetchInterval, 6*time.Hour)),
		automation: engine.Every(orTable(s.AutomationInterval, time.Hour)),
		followUps:  follow,
		cleanup:    clean,
	}, nil
}

// engineConfig is the engine's part of the configuration. The job-level
// timeouts, the retry backoff, the supervisor's health-check interval and
// its restart delay follow JOBPILOT_TIME_SCALE, as every timing of the
// stability guide does; the schedule (fetch and automation intervals, cron
// entries) and the shutdown grace do not.
func engineConfig(cfg *config.Config) engine.Config {
	job, _ := jobTimeouts(cfg)
	return engine.Config{
		NodeID:              NodeID(cfg),
		Workers:             cfg.Scheduler.Workers,
		JobTimeout:          job,
		RescueAfter:         cfg.Scheduler.RescueAfter,
		ShutdownGrace:       cfg.Timeouts.Shutdown,
		HealthCheckInterval: scaled(cfg, cfg.Scheduler.HealthCheckInterval),
		RestartDelay:        scaled(cfg, cfg.Scheduler.RestartDelay),
		Backoff: engine.Backoff{
			Initial: scaled(cfg, orTable(cfg.Retry.InitialDelay, time.Second)),
			Max:     scaled(cfg, orTable(cfg.Retry.MaxDelay, 60*time.Second)),
			Base:    cfg.Retry.Base,
		},
	}
}

// jobTimeouts are JOB_TIMEOUT (one posting, one send, cleanup) and
// AUTOMATION_TIMEOUT (a full run, a fetch, the follow-ups), the guide's
// 600 s and 3600 s when unset, scaled.
func jobTimeouts(cfg *config.Config) (job, automation time.Duration) {
	return scaled(cfg, orTable(cfg.Timeouts.Job, 600*time.Second)), scaled(cfg, orTable(cfg.Timeouts.Automation, 3600*time.Second))
}

// NodeID is this process's stable identity, River's client ID: cfg.NodeID
// (JOBPILOT_NODE_ID), or the host name plus a short hash of the database URL
// and data directory, so a restarted process on the same host and data
// recognises its orphans.
func NodeID(cfg *config.Config) string {
	if cfg.NodeID != "" {
		return cfg.NodeID
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	sum := sha256.Sum256([]byte(cfg.DatabaseURL + "\x00" + cfg.DataDir))
	return host + "-" + hex.EncodeToString(sum[:4])
}

// scaled multiplies d by JOBPILOT_TIME_SCALE (1 when unset).
func scaled(cfg *config.Config, d time.Duration) time.Duration {
	if cfg.TimeScale <= 0 || cfg.TimeScale == 1 {
		return d
	}
	return time.Duration(float64(d) * cfg.TimeScale)
}

func orStr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
