package chaos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakeimap"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
)

// Lab mailbox settings: the candidate's mailbox is read every
// labMailboxInterval, and a needs_review application whose copy has not
// arrived labGrace after it went to review is marked "no copy arrived".
const (
	labMailboxInterval = 2 * time.Second
	labGrace           = 3 * time.Second
	// reconcileWait bounds the wait, once every application is settled,
	// for the mailbox loop to settle the uncertain ones.
	reconcileWait = 90 * time.Second
)

// Run performs one chaos run. It returns an error only when the harness
// itself could not do its job (no database, the server would not start);
// lost or duplicated applications are in the Report (see OK).
//
// Its phases: seed a fresh database, start the lab servers, start the
// server, kill and restart it at the kill points until every application is
// settled or the deadline passes, stop it, then collect the report. The
// lab servers, the database (unless Options.Keep) and the run directory are
// released on the way out, whatever happened.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	if o.Binary == "" {
		return nil, jobpilot.FieldError("binary", "the jobpilot executable is required")
	}
	llmDown, err := fakellm.ParseOutages(o.LLMFaults)
	if err != nil {
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Message: "chaos: bad LLM faults", Err: err}
	}
	r := &run{
		o:     o,
		start: time.Now(),
		rep:   &Report{Postings: o.Postings, Writer: o.Writer, ByStatus: map[jobpilot.Status]int{}},
		rng:   rand.New(rand.NewPCG(uint64(o.Seed), 0x63686130)),
	}
	defer r.release()
	if err := r.seedDatabase(ctx); err != nil {
		return nil, err
	}
	if err := r.startLab(llmDown); err != nil {
		return nil, err
	}
	if err := r.prepareServer(ctx); err != nil {
		return nil, err
	}
	// The deadline counts from here: seeding a large database is not the
	// server's time.
	dctx, cancel := context.WithTimeout(ctx, o.Deadline)
	defer cancel()
	if err := r.killAndRestart(dctx); err != nil {
		return nil, err
	}
	r.rep.Elapsed = time.Since(r.start)

	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer fcancel()
	if err := r.rep.collect(fctx, r.dbURL, r.profileID, r.postingIDs, r.smtp, r.llm); err != nil {
		return nil, err
	}
	return r.rep, nil
}

// run is one chaos run's state, built up phase by phase.
type run struct {
	o     Options
	start time.Time
	rep   *Report
	rng   *rand.Rand
	// releases undo the phases, last first.
	releases []func()

	dir, dbURL string
	profileID  int64
	postingIDs []int64

	smtp *fakesmtp.Server
	llm  *fakellm.Faulty
	// imap is the candidate's lab mailbox: the SMTP server delivers every
	// message it accepts for the candidate (the blind copies) into it, and
	// the server reads it over IMAP.
	imap      *fakeimap.Server
	candidate string

	httpAddr string
	env      []string
	logOut   io.Writer
	mon      *monitor
	srv      *Server // the current server process
}

func (r *run) onRelease(f func()) { r.releases = append(r.releases, f) }

// release undoes every phase that was done, in reverse order.
func (r *run) release() {
	for i := len(r.releases) - 1; i >= 0; i-- {
		r.releases[i]()
	}
}

// seedDatabase creates the run directory and a fresh database (an SQLite
// file there, or a new PostgreSQL database), and seeds the profile and the
// postings.
func (r *run) seedDatabase(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "jobpilot-chaos-*")
	if err != nil {
		return err
	}
	r.dir, r.rep.Dir = dir, dir
	if !r.o.Keep {
		r.onRelease(func() { os.RemoveAll(dir) })
	}
	r.dbURL = "sqlite://" + filepath.ToSlash(filepath.Join(dir, "chaos.db"))
	r.rep.Database = "sqlite"
	if r.o.DatabaseURL != "" {
		r.rep.Database = "postgres"
		u, drop, err := FreshPostgres(ctx, r.o.DatabaseURL, "jobpilot_chaos")
		if err != nil {
			return err
		}
		r.dbURL = u
		if !r.o.Keep {
			r.onRelease(func() {
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer cancel()
				_ = drop(dctx)
			})
		}
	}
	profile, err := Profile(r.o.Postings)
	if err != nil {
		return err
	}
	r.candidate = profile.Resume.Basics.Email
	r.profileID, r.postingIDs, err = Seed(ctx, r.dbURL, profile, Postings(r.o.Postings, r.o.Seed))
	return err
}

// startLab starts the lab: SMTP with its extra faults and a seeded 421
// rate, the LLM with seeded 429/500 and its outage windows.
func (r *run) startLab(llmDown []fakellm.Window) error {
	sched, err := smtpSchedule(r.o)
	if err != nil {
		return err
	}
	if r.imap, err = fakeimap.Start("127.0.0.1:0", r.candidate, "lab-mailbox"); err != nil {
		return err
	}
	r.onRelease(r.imap.Down)
	deliver := func(m fakesmtp.Message) {
		if slices.Contains(m.RcptTo, r.candidate) {
			if err := r.imap.Deliver(m.Raw); err != nil {
				slog.Warn("chaos: lab mailbox delivery failed", "message_id", m.MessageID, "err", err)
			}
		}
	}
	if r.smtp, err = fakesmtp.Start("127.0.0.1:0", "", fakesmtp.WithSchedule(sched), fakesmtp.WithSeed(uint64(r.o.Seed)), fakesmtp.WithOnAccept(deliver)); err != nil {
		return err
	}
	r.onRelease(func() { r.smtp.Close() })
	r.llm = fakellm.NewFaulty(fakellm.New(fakellm.Options{Seed: r.o.Seed, Down: llmDown}), r.o.LLMFail, r.o.Seed, "1")
	llmURL, stopLLM, err := fakellm.Listen("127.0.0.1:0", r.llm)
	if err != nil {
		return err
	}
	r.onRelease(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stopLLM(sctx)
	})
	r.env = []string{
		"OPENAI_BASE_URL=" + llmURL,
		"OPENAI_API_KEY=chaos-not-a-secret",
		"OPENAI_MODEL=fake-gpt",
		"SMTP_HOST=127.0.0.1",
		"SMTP_PORT=" + strconv.Itoa(r.smtp.Port()),
		"SMTP_TLS=none",
		"SMTP_FROM=candidate@chaos.example.org",
		"IMAP_HOST=127.0.0.1",
		"IMAP_PORT=" + strconv.Itoa(r.imap.Port()),
		"IMAP_TLS=none",
		"IMAP_USERNAME=" + r.imap.Username(),
		"IMAP_PASSWORD=" + r.imap.Password(),
		"MAILBOX_INTERVAL=" + labMailboxInterval.String(),
		"UNCERTAIN_GRACE=" + labGrace.String(),
	}
	return nil
}

// prepareServer picks the server's address, opens its log and writes the
// rest of its environment, and starts watching the database.
func (r *run) prepareServer(ctx context.Context) error {
	// Each start gets a port of the kernel's choosing (AnyPort): a restart
	// after a SIGKILL listens elsewhere, and WaitHealthy follows it.
	r.httpAddr = AnyPort
	logFile, err := os.Create(filepath.Join(r.dir, "serve.log"))
	if err != nil {
		return err
	}
	r.onRelease(func() { logFile.Close() })
	r.logOut = logFile
	if r.o.Log != nil {
		r.logOut = io.MultiWriter(logFile, r.o.Log)
	}
	r.env = append(r.env,
		"DATABASE_URL="+r.dbURL,
		"JOBPILOT_DATA_DIR="+filepath.Join(r.dir, "data"),
		"HTTP_ADDR="+r.httpAddr,
		"JOBPILOT_EXAMPLES=false",
		"JOBPILOT_NODE_ID=chaos-node",
		"JOBPILOT_TIME_SCALE="+strconv.FormatFloat(r.o.TimeScale, 'g', -1, 64),
		"APPLY_MODE=direct",
		"JOBPILOT_WRITER="+r.o.Writer,
		// One health check a second, whatever the scale (which the
		// interval follows).
		"HEALTH_CHECK_INTERVAL="+time.Duration(float64(time.Second)/r.o.TimeScale).String(),
		"SHUTDOWN_GRACE=2s",
		"WORKERS=10",
	)
	r.env = append(r.env, r.o.ExtraEnv...)
	if r.mon, err = newMonitor(ctx, r.dbURL, r.profileID, r.smtp, r.llm.Server); err != nil {
		return err
	}
	r.onRelease(r.mon.close)
	return nil
}

// killPoints are the amounts of work after which the server is killed: a
// seeded random share (up to 80 %) of the expected work (LLM calls and SMTP
// connections, counted in-process so a kill is not late), so kills land in
// drafting, in sending and during start-up alike.
func (r *run) killPoints() []int {
	expected := r.o.Postings
	if r.o.Writer == "llm" {
		expected *= 3 // a resume and a letter call, then the send
	}
	points := make([]int, r.o.Kills)
	for i := range points {
		points[i] = 1 + r.rng.IntN(max(expected*8/10, 1))
	}
	slices.Sort(points)
	return points
}

// startServer starts a server process and waits until /health answers
// healthy; progress, when not nil, is called as soon as the process runs.
func (r *run) startServer(ctx context.Context, progress func()) (healthy time.Duration, err error) {
	if r.srv, err = StartServer(r.o.Binary, r.env, r.httpAddr, r.logOut); err != nil {
		return 0, err
	}
	if progress != nil {
		progress()
	}
	if healthy, err = r.srv.WaitHealthy(ctx); err != nil {
		r.srv.Kill()
		return 0, fmt.Errorf("%w (server log: %s)", err, tail(filepath.Join(r.dir, "serve.log")))
	}
	return healthy, nil
}

// killAndRestart runs the server until every application is settled or ctx
// ends (the report says it timed out), killing it at each kill point, a
// seeded 0–50 ms late, and restarting it at once. Each restart records how
// long the server took to be healthy and to do new work. The server is
// stopped gracefully at the end.
func (r *run) killAndRestart(ctx context.Context) error {
	points := r.killPoints()
	if _, err := r.startServer(ctx, nil); err != nil {
		return err
	}
	defer func() {
		if err := r.srv.Stop(10 * time.Second); err != nil && r.o.Progress != nil {
			fmt.Fprintln(r.o.Progress, err)
		}
	}()
	var pending *Restart // the last restart, until it is seen doing work
	var pendingProgress int
	for {
		settled, err := r.mon.poll(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Debug("chaos: poll failed", "err", err)
		}
		if pending != nil && r.mon.progress(settled) > pendingProgress {
			pending.Resumed = time.Since(r.srv.Started)
			pending = nil
		}
		switch {
		case settled >= r.o.Postings && r.mon.total >= r.o.Postings:
			return r.reconcile(ctx)
		case ctx.Err() != nil:
			r.rep.TimedOut = true
			return nil
		case r.srv.Exited():
			return fmt.Errorf("chaos: the server exited on its own: %v (server log: %s)", r.srv.Err(), tail(filepath.Join(r.dir, "serve.log")))
		}
		if r.rep.Kills < len(points) && r.mon.work() >= points[r.rep.Kills] && time.Since(r.srv.Started) > 100*time.Millisecond {
			if pendingProgress, err = r.killOnce(ctx, settled); err != nil {
				return err
			}
			pending = &r.rep.Restarts[len(r.rep.Restarts)-1]
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// killOnce kills the server with SIGKILL, a seeded 0–50 ms late, restarts
// it at once and records the restart. It returns the progress count at the
// moment the new process started, against which its first work is seen.
func (r *run) killOnce(ctx context.Context, settled int) (progress int, err error) {
	time.Sleep(time.Duration(r.rng.IntN(50)) * time.Millisecond)
	r.srv.Kill()
	r.rep.Kills++
	rs := Restart{KilledAt: time.Since(r.start), Settled: settled, Work: r.mon.work()}
	if r.o.Progress != nil {
		fmt.Fprintf(r.o.Progress, "chaos: kill %d/%d at %.1fs with %d/%d settled; restarting\n", r.rep.Kills, r.o.Kills, rs.KilledAt.Seconds(), settled, r.o.Postings)
	}
	if rs.Healthy, err = r.startServer(ctx, func() { progress = r.mon.progress(settled) }); err != nil {
		return 0, err
	}
	r.rep.Restarts = append(r.rep.Restarts, rs)
	return progress, nil
}

// reconcile waits, once every application is settled, until the mailbox
// loop has settled the uncertain sends: no application left in
// needs_review whose message the lab server accepted (its copy is in the
// lab mailbox), and every one whose message it never accepted marked "no
// copy arrived". It gives up after reconcileWait; the report then shows
// what is left.
func (r *run) reconcile(ctx context.Context) error {
	deadline := time.Now().Add(reconcileWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		done, err := r.mon.reconciled(ctx)
		if err == nil && done {
			return nil
		}
		if r.srv.Exited() {
			return fmt.Errorf("chaos: the server exited on its own: %v (server log: %s)", r.srv.Err(), tail(filepath.Join(r.dir, "serve.log")))
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}
