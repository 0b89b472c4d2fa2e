package engine

import (
	"context"
	"database/sql"
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
		// Each tick is one job scheduled exactly one interval after the
		// previous tick, however late River inserts or runs it (the first
		// job is the start-up run, scheduled at start).
		ticks := jobTimes(t, db.SQL(), "automation_run")
		for i := 2; i < len(ticks); i++ {
			if gap := ticks[i].scheduled.Sub(ticks[i-1].scheduled); gap < 199*time.Millisecond || gap > 201*time.Millisecond {
				t.Errorf("automation ticks %d and %d scheduled %s apart, want the 200ms interval", i-1, i, gap)
			}
		}
		// The automation run's context carries AUTOMATION_TIMEOUT (scaled:
		// 3.6 s), not JOB_TIMEOUT (0.6 s) or none: its deadline is that long
		// after River fetched the job, and no longer after the handler began.
		runs := rec.of(jobpilot.TaskAutomationRun)
		c := runs[0]
		var fetched time.Time
		for _, tk := range ticks {
			if tk.id == c.Job.ID {
				fetched = tk.attempted
			}
		}
		if !c.HasDead || fetched.IsZero() || c.Dead.Sub(fetched) < 3550*time.Millisecond || c.Dead.Sub(c.At) > 3600*time.Millisecond {
			t.Errorf("automation deadline %v after the fetch (%v), %v after the handler began; want 3.6s", c.Dead.Sub(fetched), fetched, c.Dead.Sub(c.At))
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

// jobTime is when a job was scheduled and last fetched.
type jobTime struct {
	id                   int64
	scheduled, attempted time.Time
}

// jobTimes reads the scheduled and attempted times of a kind's jobs, in id
// order, as either database renders them.
func jobTimes(t *testing.T, db *sql.DB, kind string) []jobTime {
	t.Helper()
	rows, err := db.Query(`SELECT id, scheduled_at, attempted_at FROM river_job WHERE kind = '` + kind + `' ORDER BY id`)
	must(t, err)
	defer rows.Close()
	var out []jobTime
	for rows.Next() {
		var jt jobTime
		var scheduled, attempted sql.NullString
		must(t, rows.Scan(&jt.id, &scheduled, &attempted))
		jt.scheduled, _ = parseDBTime(scheduled.String)
		jt.attempted, _ = parseDBTime(attempted.String)
		out = append(out, jt)
	}
	must(t, rows.Err())
	return out
}
