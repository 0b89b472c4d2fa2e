package engine

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Every periodic kind runs on its schedule; fetch and automation also at start.
// The cron kinds get a minute half an hour away, so no wall-clock minute can
// fire them inside the test (cron itself is tested against fixed times in
// TestCronScheduleTimezone); a cron kind runs here only when triggered.
func TestPeriodicJobsRun(t *testing.T) {
	t.Parallel()
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
		// Each tick is one job scheduled a whole number of intervals after
		// the previous tick, however late River inserts or runs it (the
		// first job is the start-up run, scheduled at start). A tick is
		// skipped only while the previous run was unfinished: runs never
		// overlap.
		ticks := jobTimes(t, db.SQL(), "automation_run")
		checkTickGaps(t, ticks[1:], 200*time.Millisecond)
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
	t.Parallel()
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
	id                              int64
	scheduled, attempted, finalized time.Time // finalized is zero while unfinished
}

// jobTimes reads the scheduled and attempted times of a kind's jobs, in id
// order, as either database renders them.
func jobTimes(t *testing.T, db *sql.DB, kind string) []jobTime {
	t.Helper()
	rows, err := db.Query(`SELECT id, scheduled_at, attempted_at, finalized_at FROM river_job WHERE kind = '` + kind + `' ORDER BY id`)
	must(t, err)
	defer rows.Close()
	var out []jobTime
	for rows.Next() {
		var jt jobTime
		var scheduled, attempted, finalized sql.NullString
		must(t, rows.Scan(&jt.id, &scheduled, &attempted, &finalized))
		jt.scheduled, _ = parseDBTime(scheduled.String)
		jt.attempted, _ = parseDBTime(attempted.String)
		jt.finalized, _ = parseDBTime(finalized.String)
		out = append(out, jt)
	}
	must(t, rows.Err())
	return out
}

// A periodic kind inserted by the schedule while its previous run is still
// going (a tick, or the start-up run inserted again when a node regains
// leadership) is skipped as a duplicate, on both databases; once that run
// is finished, the next insert runs. A trigger is never skipped.
func TestPeriodicRunsNeverOverlap(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		cfg := testConfig("node-unique-periodic")
		cfg.RunOnStart = true
		started := make(chan struct{}, 10)
		release := make(chan struct{})
		var runs atomic.Int32
		e := startEngine(t, db, cfg, func(ctx context.Context, task jobpilot.Task) error {
			if task.Kind != jobpilot.TaskFetchPostings {
				return nil
			}
			runs.Add(1)
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		})
		<-started // the start-up fetch is running

		ctx := context.Background()
		args, opts := e.kinds.byKind[jobpilot.TaskFetchPostings].periodicInsert()
		res, err := e.Client().Insert(ctx, args, opts)
		must(t, err)
		if !res.UniqueSkippedAsDuplicate {
			t.Fatalf("a second scheduled fetch was queued while the first runs (job %d)", res.Job.ID)
		}
		close(release)
		eventually(t, 30*time.Second, "the start-up fetch to finish", func() bool {
			return countJobs(t, db.SQL(), "fetch_postings", "completed") == 1
		})
		res, err = e.Client().Insert(ctx, args, opts)
		must(t, err)
		if res.UniqueSkippedAsDuplicate {
			t.Fatal("the next scheduled fetch was skipped after the first finished")
		}
		<-started
		must(t, e.Trigger(ctx, jobpilot.TaskFetchPostings)) // while the second runs
		<-started
		if n := runs.Load(); n != 3 {
			t.Errorf("%d fetch runs, want 3 (start-up, next tick, trigger)", n)
		}
	})
}

// countJobs counts the kind's jobs in a state.
func countJobs(t *testing.T, db *sql.DB, kind, state string) int {
	t.Helper()
	var n int
	must(t, db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = '`+kind+`' AND state = '`+state+`'`).Scan(&n))
	return n
}

// A periodic run the database still says this node is running while no
// worker runs it (its completion was lost with the database) would hold
// back every later tick of its kind. The supervisor's sweep releases it, and
// leaves alone a job a worker really runs, however long it has run.
func TestPhantomRunReleased(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		cfg := testConfig("node-phantom")
		cfg.JobTimeout = time.Minute // the live job must outlast the test
		fetched := make(chan struct{}, 10)
		sendStarted, release := make(chan struct{}, 1), make(chan struct{})
		e := startEngine(t, db, cfg, func(ctx context.Context, task jobpilot.Task) error {
			switch task.Kind {
			case jobpilot.TaskFetchPostings:
				fetched <- struct{}{}
			case jobpilot.TaskSendApplication:
				sendStarted <- struct{}{}
				select {
				case <-release:
				case <-ctx.Done():
				}
			}
			return nil
		})
		defer close(release)
		ctx := context.Background()

		// A live job that has run for ten minutes, by the database's clock.
		must(t, e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1}))
		<-sendStarted
		live := jobRows(t, db.SQL(), pg, "send_application")[0].ID
		backdate(t, db.SQL(), pg, live)

		// The phantom: the schedule's fetch, left running ten minutes ago.
		args, opts := e.kinds.byKind[jobpilot.TaskFetchPostings].periodicInsert()
		o := *opts
		o.ScheduledAt = time.Now().Add(time.Hour)
		res, err := e.Client().Insert(ctx, args, &o)
		must(t, err)
		q := `UPDATE river_job SET state = 'running', attempt = 1, attempted_by = json_array(?) WHERE id = ?`
		if pg {
			q = `UPDATE river_job SET state = 'running', attempt = 1, attempted_by = ARRAY[$1] WHERE id = $2`
		}
		_, err = db.SQL().ExecContext(ctx, q, "node-phantom", res.Job.ID)
		must(t, err)
		backdate(t, db.SQL(), pg, res.Job.ID)
		if res, err := e.Client().Insert(ctx, args, opts); err != nil || !res.UniqueSkippedAsDuplicate {
			t.Fatalf("the next tick was not held back by the phantom (%v): the test proves nothing", err)
		}

		e.sweepPhantoms(ctx)
		<-fetched // the released run ran
		eventually(t, 10*time.Second, "the released run to complete", func() bool {
			return countJobs(t, db.SQL(), "fetch_postings", "completed") == 1
		})
		res, err = e.Client().Insert(ctx, args, opts)
		must(t, err)
		if res.UniqueSkippedAsDuplicate {
			t.Fatal("the next tick is still held back after the sweep")
		}
		<-fetched
		if got := jobRows(t, db.SQL(), pg, "send_application"); len(got) != 1 || got[0].State != "running" {
			t.Errorf("the live job was touched by the sweep: %+v", got)
		}
		if n := len(sendStarted); n != 0 {
			t.Errorf("the live job ran again")
		}
	})
}

// backdate sets a job's attempted_at ten minutes back.
func backdate(t *testing.T, db *sql.DB, pg bool, id int64) {
	t.Helper()
	q := `UPDATE river_job SET attempted_at = datetime('now', 'subsec', '-10 minutes') WHERE id = ?`
	if pg {
		q = `UPDATE river_job SET attempted_at = now() - interval '10 minutes' WHERE id = $1`
	}
	_, err := db.ExecContext(context.Background(), q, id)
	must(t, err)
}

// checkTickGaps checks a periodic kind's scheduled jobs: each is a whole
// number of intervals after the previous one (within a millisecond), and
// every tick between them was skipped because the previous run was still
// unfinished when it came. River stamps finalized_at when a job ends but
// records the completion in batches, so a run that ended up to
// completionLag before a tick may still have been running in the database.
func checkTickGaps(t *testing.T, ticks []jobTime, interval time.Duration) {
	t.Helper()
	const completionLag = 2 * time.Second
	const slack = time.Millisecond
	for i := 1; i < len(ticks); i++ {
		prev, gap := ticks[i-1], ticks[i].scheduled.Sub(ticks[i-1].scheduled)
		n := (gap + interval/2) / interval
		if n < 1 || (gap-n*interval).Abs() > slack {
			t.Errorf("ticks %d and %d scheduled %s apart, want a whole number of %s intervals", i-1, i, gap, interval)
			continue
		}
		lastSkipped := prev.scheduled.Add((n - 1) * interval)
		if n > 1 && !prev.finalized.IsZero() && prev.finalized.Before(lastSkipped.Add(-completionLag)) {
			t.Errorf("the tick at %s was lost: the previous run had finished at %s", lastSkipped.Format(time.StampMilli), prev.finalized.Format(time.StampMilli))
		}
	}
}
