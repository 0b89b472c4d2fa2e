package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Every periodic kind runs on its schedule; fetch and automation also at start.
// The cron kinds get a minute half an hour away, so no wall-clock minute can
// fire them inside the test (cron itself is tested against fixed times in
// TestCronScheduleTimezone); a cron kind runs here only when triggered.
func TestPeriodicJobsRun(t *testing.T) {
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		rec := newRecorder()
		cfg := testConfig("node-periodic")
		cfg.FetchInterval = time.Hour // only the start-up run
		cfg.AutomationInterval = 200 * time.Millisecond
		farCron := fmt.Sprintf("%d * * * *", (time.Now().Minute()+30)%60)
		cfg.FollowUpCron = farCron
		cfg.CleanupCron = farCron
		cfg.RunOnStart = true
		e := startEngine(t, db, cfg, rec.handle)
		eventually(t, 30*time.Second, "start-up runs and automation ticks", func() bool {
			return len(rec.of(jobpilot.TaskFetchPostings)) == 1 && len(rec.of(jobpilot.TaskAutomationRun)) >= 5
		})
		if n := len(rec.of(jobpilot.TaskFollowUps)); n != 0 {
			t.Errorf("follow-ups ran %d times, want 0 (their cron minute is half an hour away)", n)
		}
		// Ticks are 200 ms apart on average. They never come faster than the
		// interval; a loaded machine can make them later, so the upper bound
		// is generous (it catches a tick that fell back to the hourly default).
		runs := rec.of(jobpilot.TaskAutomationRun) // runs[0] is the start-up run
		if avg := runs[len(runs)-1].At.Sub(runs[1].At) / time.Duration(max(len(runs)-2, 1)); avg < 150*time.Millisecond || avg > 5*time.Second {
			t.Errorf("automation ticks %s apart on average, want about 200ms", avg)
		}
		// The automation run's context carries AUTOMATION_TIMEOUT (scaled:
		// 3.6 s), not JOB_TIMEOUT (0.6 s) or none; the handler may start a
		// little after River set the deadline.
		if c := runs[0]; !c.HasDead || c.Dead.Sub(c.At) > 3600*time.Millisecond || c.Dead.Sub(c.At) < 1200*time.Millisecond {
			t.Errorf("automation deadline %v after start, want about 3.6s", c.Dead.Sub(c.At))
		}
		// Trigger runs a periodic job now.
		must(t, e.Trigger(context.Background(), jobpilot.TaskCleanup))
		eventually(t, 30*time.Second, "triggered cleanup", func() bool { return len(rec.of(jobpilot.TaskCleanup)) == 1 })
		if err := e.Trigger(context.Background(), jobpilot.TaskSendApplication); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			t.Errorf("trigger send_application: %v, want EINVALID", err)
		}
		jobs := e.PeriodicJobs()
		if len(jobs) != 4 || jobs[0].Name != "fetch_postings" || !jobs[0].RunOnStart || jobs[2].Schedule != "cron "+farCron+" (UTC)" {
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
}
