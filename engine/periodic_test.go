package engine

import (
	"context"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Every periodic kind runs on its schedule; fetch and automation also at start.
func TestPeriodicJobsRun(t *testing.T) {
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		cfg := testConfig("node-periodic")
		cfg.Scheduler.FetchInterval = time.Hour // only the start-up run
		cfg.Scheduler.AutomationInterval = 200 * time.Millisecond
		cfg.Scheduler.FollowUpCron = "* * * * *" // every minute: too slow to wait for
		cfg.Scheduler.CleanupCron = "* * * * *"
		e := startEngine(t, db, cfg, rec, func(o *Options) { o.RunOnStart = true })
		eventually(t, 10*time.Second, "start-up runs and automation ticks", func() bool {
			return len(rec.of(jobpilot.TaskFetchPostings)) == 1 && len(rec.of(jobpilot.TaskAutomationRun)) >= 5
		})
		if n := len(rec.of(jobpilot.TaskFollowUps)); n != 0 {
			t.Errorf("follow-ups ran %d times before their minute", n)
		}
		// Ticks are 200 ms apart on average (each run may start up to a
		// poll interval late). runs[0] is the start-up run.
		runs := rec.of(jobpilot.TaskAutomationRun)
		if avg := runs[len(runs)-1].At.Sub(runs[1].At) / time.Duration(max(len(runs)-2, 1)); avg < 150*time.Millisecond || avg > 300*time.Millisecond {
			t.Errorf("automation ticks %s apart on average, want about 200ms", avg)
		}
		// The automation run's context carries AUTOMATION_TIMEOUT (scaled: 3.6 s).
		if c := runs[0]; !c.HasDead || c.Dead.Sub(c.At) > 3600*time.Millisecond || c.Dead.Sub(c.At) < 3*time.Second {
			t.Errorf("automation deadline %v after start, want about 3.6s", c.Dead.Sub(c.At))
		}
		// Trigger runs a periodic job now.
		must(t, e.Trigger(context.Background(), jobpilot.TaskCleanup))
		eventually(t, 5*time.Second, "triggered cleanup", func() bool { return len(rec.of(jobpilot.TaskCleanup)) == 1 })
		if err := e.Trigger(context.Background(), jobpilot.TaskSendApplication); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("trigger send_application: %v, want EINVALID", err)
		}
		jobs := e.PeriodicJobs()
		if len(jobs) != 4 || jobs[0].Name != "fetch_postings" || !jobs[0].RunOnStart || jobs[2].Schedule != "cron * * * * * (UTC)" {
			t.Errorf("PeriodicJobs = %+v", jobs)
		}
	})
}

// Cron schedules are evaluated in SCHEDULER_TIMEZONE, across DST changes.
func TestCronScheduleTimezone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	must(t, err)
	ny, err := time.LoadLocation("America/New_York")
	must(t, err)
	cases := []struct {
		expr string
		loc  *time.Location
		from time.Time
		want time.Time
	}{
		// 09:30 UTC is 10:30 in Paris (winter, UTC+1): next 10:00 Paris is tomorrow 09:00 UTC.
		{"0 10 * * *", paris, time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC), time.Date(2026, 1, 16, 9, 0, 0, 0, time.UTC)},
		// 07:00 UTC is 08:00 Paris: today 10:00 Paris = 09:00 UTC.
		{"0 10 * * *", paris, time.Date(2026, 1, 15, 7, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)},
		// Summer time (UTC+2): 10:00 Paris = 08:00 UTC.
		{"0 10 * * *", paris, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)},
		// Cleanup at 02:00 New York across the spring-forward night (2026-03-08,
		// 02:00 does not exist): the next existing 02:00 is 03-09 (UTC-4).
		{"0 2 * * *", ny, time.Date(2026, 3, 8, 0, 0, 0, 0, ny), time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC)},
		{"0 2 * * *", time.UTC, time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		s, err := CronSchedule(c.expr, c.loc)
		must(t, err)
		if got := s.Next(c.from); !got.Equal(c.want) {
			t.Errorf("%q in %s from %s: next %s, want %s", c.expr, c.loc, c.from.UTC(), got.UTC(), c.want)
		}
	}
	if _, err := CronSchedule("61 * * * *", time.UTC); err == nil {
		t.Error("bad cron expression accepted")
	}
	cfg := testConfig("x")
	cfg.Scheduler.Timezone = "Mars/Olympus"
	if _, err := periodicDefs(cfg, false); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("unknown zone: %v, want EINVALID", err)
	}
}

// The default node id is stable for one host and database, and differs
// between databases, so two services on one host never share one.
func TestNodeID(t *testing.T) {
	a := testConfig("")
	a.DatabaseURL, a.DataDir = "sqlite://data/jobpilot.db", "./data"
	b := testConfig("")
	b.DatabaseURL, b.DataDir = "postgres://db/jobpilot", "./data"
	if NodeID(a) != NodeID(a) || NodeID(a) == NodeID(b) {
		t.Errorf("node ids: %q %q", NodeID(a), NodeID(b))
	}
	a.NodeID = "web-1"
	if NodeID(a) != "web-1" {
		t.Errorf("configured node id ignored: %q", NodeID(a))
	}
}
