package system_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakeimap"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// candidateEmail is the example profile's address, where blind copies go.
const candidateEmail = "lena.novak@example.com"

// scale runs the guide's seconds as hundredths: email waits 20/40/80 ms,
// engine retries from 10 ms.
const scale = 0.01

// harness is a wired System on a real database with SMTP at an in-process
// fault-injecting server, and a record of every resilience event.
type harness struct {
	t       *testing.T
	sys     *system.System
	smtp    *fakesmtp.Server
	cfg     *config.Config
	profile *jobpilot.Profile
	clock   *clock

	mu     sync.Mutex
	events []resilience.Event
	// onEvent, when set, runs inside the resilience hook (under mu).
	onEvent func(resilience.Event)
}

type harnessOpts struct {
	db       dbtest.Backend // SQLite in the data directory unless PostgreSQL
	schedule string
	env      map[string]string // extra configuration
	postings int               // postings with a contact email (default 1)
	mode     string            // APPLY_MODE (default direct)
	now      *clock
	noStart  bool
	log      io.Writer         // receives the system's log (debug level); nil discards it
	smtpOpts []fakesmtp.Option // more options of the fake server
	// mailer, when set, builds the mailer from the configuration (a test
	// that trusts the fake server's certificate).
	mailer func(t *testing.T, cfg *config.Config) jobpilot.Mailer
	// mailbox, when set, is the candidate's mailbox (IMAP_*): every
	// accepted message with the candidate among its recipients (the blind
	// copy) is appended to its INBOX, as the candidate's mail server would.
	mailbox fakeimap.Mailbox
}

// clock is a settable clock for Options.Now.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }

func quietLogger() *slog.Logger {
	if os.Getenv("SYSTEM_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	ctx := context.Background()
	opts := append([]fakesmtp.Option(nil), o.smtpOpts...)
	if o.schedule != "" {
		opts = append(opts, fakesmtp.WithSchedule(fakesmtp.MustParseSchedule(o.schedule)))
	}
	if o.mailbox != nil {
		opts = append(opts, fakesmtp.WithOnAccept(func(m fakesmtp.Message) {
			if !slices.Contains(m.RcptTo, candidateEmail) {
				return
			}
			actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := o.mailbox.Append(actx, "INBOX", m.Raw); err != nil {
				t.Errorf("copy of %s not delivered to the mailbox: %v", m.MessageID, err)
			}
		}))
	}
	srv := fakesmtp.StartTest(t, opts...)
	mode := o.mode
	if mode == "" {
		mode = "direct"
	}
	dir := t.TempDir()
	env := map[string]string{
		"JOBPILOT_DATA_DIR":      dir,
		"APPLY_MODE":             mode,
		"SMTP_HOST":              srv.Host(),
		"SMTP_PORT":              strconv.Itoa(srv.Port()),
		"SMTP_TLS":               "none",
		"SMTP_FROM":              "jobs@example.com",
		"JOBPILOT_EXAMPLES":      "false",
		"JOBPILOT_TIME_SCALE":    strconv.FormatFloat(scale, 'f', -1, 64),
		"EMAIL_RECOVERY_TIMEOUT": "50", // 500 ms scaled
		"SHUTDOWN_GRACE":         "2",
		// 10 s per attempt scaled: far above a local SMTP transaction even
		// under -race with -cpu 1 beside another suite (2 s was not: the
		// notification digest's email timed out), so only the timeout tests
		// (which set their own) ever see one.
		"EMAIL_TIMEOUT": "1000",
		// The same for every notification channel (a webhook that answered
		// after a 100 ms timeout was posted the same notice again) and for
		// a read of the mailbox (600 ms ran out under load).
		"NOTIFY_TIMEOUT":  "1000",
		"MAILBOX_TIMEOUT": "1000",
		// And for a model's reply, when a test configures one.
		"RESUME_TIMEOUT":       "1000",
		"COVER_LETTER_TIMEOUT": "1000",
		// 60 s per job scaled, for the same reason: a drafting job
		// rendering PDFs under -race on a loaded machine outlasted 6 s.
		"JOB_TIMEOUT": "6000",
		// Approved emails go out at once: the undo window is measured on
		// the pipeline's clock, which the follow-up tests hold still.
		// The undo window's own tests set SEND_DELAY.
		"SEND_DELAY":       "0",
		"JOBPILOT_NODE_ID": "system-test",
	}
	if o.db.Postgres() {
		env["DATABASE_URL"] = o.db.URL(t)
	}
	if o.mailbox != nil {
		env["IMAP_HOST"], env["IMAP_PORT"], env["IMAP_TLS"] = o.mailbox.Host(), strconv.Itoa(o.mailbox.Port()), "none"
		env["IMAP_USERNAME"], env["IMAP_PASSWORD"] = o.mailbox.Username(), o.mailbox.Password()
	}
	for k, v := range o.env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, smtp: srv, cfg: cfg, clock: o.now}
	sopts := system.Options{Logger: quietLogger(), FastStart: true, OnResilienceEvent: h.record}
	if o.log != nil {
		sopts.Logger = slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if o.now != nil {
		sopts.Now = o.now.now
	}
	if o.mailer != nil {
		sopts.Mailer = o.mailer(t, cfg)
	}
	sys, err := system.Open(ctx, cfg, sopts)
	if err != nil {
		t.Fatal(err)
	}
	h.sys = sys
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sys.Stop(stopCtx); err != nil {
			t.Logf("stop: %v", err)
		}
		sys.Close()
	})

	p, err := examples.Profile()
	if err != nil {
		t.Fatal(err)
	}
	p.Example = false
	p.Preferences.MinScore = new(0)
	p.Preferences.DailyCap = 100
	p.Preferences.ExcludedCompanies = nil
	p.Preferences.ApplyMode = ""
	if err := sys.Store.CreateProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	h.profile = p
	n := o.postings
	if n == 0 {
		n = 1
	}
	h.addPostings(n)
	if !o.noStart {
		if err := sys.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// addPostings stores n postings with contact emails at example.com.
func (h *harness) addPostings(n int) { h.t.Helper(); h.addPostingsFrom(0, n) }

// addPostingsFrom stores postings numbered from start+1.
func (h *harness) addPostingsFrom(start, n int) {
	h.t.Helper()
	ps := make([]jobpilot.Posting, n)
	for j := range ps {
		i := start + j
		ps[j] = jobpilot.Posting{
			ExternalID:   fmt.Sprintf("sys-%d", i+1),
			Company:      fmt.Sprintf("Initech %d", i+1),
			Title:        "Senior Backend Engineer (Go)",
			Location:     "Remote",
			Remote:       true,
			Description:  fmt.Sprintf("Team %d builds Go services on PostgreSQL with Kubernetes. We value reliability, observability and distributed systems experience.", i+1),
			URL:          fmt.Sprintf("https://jobs.example.com/initech-%d", i+1),
			ContactEmail: fmt.Sprintf("hiring%d@example.com", i+1),
			PublishedAt:  time.Now().Add(-time.Hour),
		}
	}
	if _, err := h.sys.Store.UpsertPostings(context.Background(), "system-test", ps, false); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) record(ev resilience.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
	if h.onEvent != nil {
		h.onEvent(ev)
	}
}

// resEvents returns the recorded resilience events of a service and kind.
func (h *harness) resEvents(service, kind string) []resilience.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []resilience.Event
	for _, e := range h.events {
		if (service == "" || e.Service == service) && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// automate runs the automation pass in the test's goroutine, as the
// periodic job would: it creates the applications and queues their
// processing.
func (h *harness) automate() {
	h.t.Helper()
	if err := h.sys.Apply.AutomationRun(context.Background(), jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		h.t.Fatal(err)
	}
}

// waitFor waits until cond holds, failing the test after d with the
// applications' status counts at that moment.
func (h *harness) waitFor(what string, d time.Duration, cond func() bool) {
	h.t.Helper()
	defer func() {
		if h.t.Failed() {
			h.t.Logf("status counts when the wait for %s ended: %v", what, h.counts())
		}
	}()
	dbtest.Eventually(h.t, d, what, cond)
}

func (h *harness) counts() map[jobpilot.Status]int {
	c, err := h.sys.Store.CountByStatus(context.Background(), h.profile.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// waitSettled waits until n applications are in the given statuses.
func (h *harness) waitStatus(n int, d time.Duration, statuses ...jobpilot.Status) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d applications %v", n, statuses), d, func() bool {
		c := h.counts()
		got := 0
		for _, s := range statuses {
			got += c[s]
		}
		return got >= n
	})
}

func (h *harness) apps() []*jobpilot.Application {
	h.t.Helper()
	apps, err := h.sys.Store.Applications(context.Background(), jobpilot.ApplicationFilter{ProfileID: h.profile.ID, Limit: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	return apps
}

// history formats an application's events for failure messages.
func (h *harness) history(appID int64) string {
	var b strings.Builder
	evs := h.sendEvents(appID)
	for i := len(evs) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "\n\t%s %s: %s", evs[i].CreatedAt.Format("15:04:05.000"), evs[i].Kind, evs[i].Message)
	}
	return b.String()
}

func (h *harness) sendEvents(appID int64) []*jobpilot.Event {
	h.t.Helper()
	evs, err := h.sys.Store.Events(context.Background(), jobpilot.EventFilter{ApplicationID: appID, Limit: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

// messagesFor returns the accepted messages with the Message-ID.
func messagesFor(srv *fakesmtp.Server, id string) []fakesmtp.Message {
	var out []fakesmtp.Message
	for _, m := range srv.Messages() {
		if m.MessageID == id {
			out = append(out, m)
		}
	}
	return out
}

// msgID is the Message-ID the pipeline derives (SMTP_FROM is at example.com).
func msgID(appID int64) string { return jobpilot.MessageID(appID, "example.com") }

// sendJob is a River job row (send_application unless read by jobsOf).
type sendJob struct {
	ID      int64
	State   string
	Attempt int
	Errors  int
	AppID   int64
	Snoozes int // times the job was snoozed (River's metadata)
}

// sendJobs reads River's rows for send_application jobs: state, attempt,
// the number of recorded errors and the application.
func (h *harness) sendJobs() []sendJob {
	h.t.Helper()
	return h.jobsOf(jobpilot.TaskSendApplication)
}

// jobsOf reads River's rows for the jobs of one per-application kind, as
// sendJobs does for sends.
func (h *harness) jobsOf(kind jobpilot.TaskKind) []sendJob {
	h.t.Helper()
	q := `SELECT id, state, attempt, COALESCE(json_array_length(errors), 0), json_extract(args, '$.application_id'),
		COALESCE(json_extract(metadata, '$.snoozes'), 0)
		FROM river_job WHERE kind = ? ORDER BY id`
	if h.sys.Store.Postgres() {
		q = `SELECT id, state, attempt, COALESCE(array_length(errors, 1), 0), (args->>'application_id')::bigint,
			COALESCE((metadata->>'snoozes')::int, 0)
			FROM river_job WHERE kind = $1 ORDER BY id`
	}
	rows, err := h.sys.Store.SQL().QueryContext(context.Background(), q, string(kind))
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []sendJob
	for rows.Next() {
		var j sendJob
		if err := rows.Scan(&j.ID, &j.State, &j.Attempt, &j.Errors, &j.AppID, &j.Snoozes); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func dataPath(dir string) string { return filepath.Join(dir, "jobpilot.db") }
