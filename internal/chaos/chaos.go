// Package chaos is the chaos harness behind `jobpilot chaos`: it proves,
// with a real `jobpilot serve` subprocess, that nothing is lost and nothing
// is sent twice while the mail server refuses messages, the LLM answers 429
// and 500, and the process is killed with SIGKILL at random moments.
//
// A run seeds a fresh database (an SQLite file in a temporary directory, or
// a new PostgreSQL database created on the given server and dropped after)
// with a profile in direct mode and N postings that each have a contact
// email, starts the lab SMTP server (fakesmtp, "fail RATE with 421") and the
// lab LLM (fakellm behind a seeded 429/500 injector) in-process, and runs the
// server with every resilience delay scaled down (JOBPILOT_TIME_SCALE). It
// kills the server K times, each time once a seeded random share of the work
// is done, and restarts it at once. When every application is settled
// (jobpilot.Status.Settled) or the deadline passes, it stops the server,
// reads the database and the SMTP server's records and reports:
//
//   - lost: postings without a settled application (ready counts as not
//     settled: in direct mode with the cap far away it should have been sent);
//   - duplicates: Message-IDs the SMTP server accepted more than once;
//   - mismatches: applications marked sent whose message the server never
//     accepted.
//
// Seeds make the fault schedule and the kill points repeatable; the exact
// interleaving still depends on the machine.
package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/store"
)

// Options configure a run. Zero values take the defaults noted.
type Options struct {
	// Binary is the jobpilot executable to run as the server (required; the
	// command passes os.Executable()).
	Binary   string
	Postings int     // default 300
	SMTPFail float64 // fraction of messages refused with 421
	// SMTPFaults are more fakesmtp schedule clauses, tried before the 421
	// rate: outages ("down from t=10s to t=40s"), drops and hangs in DATA
	// ("fail 2% with drop; fail 1% with hang").
	SMTPFaults string
	LLMFail    float64 // fraction of LLM calls answered 429 or 500
	// LLMFaults are lab LLM outages, counted from the lab's start (which is
	// just before the server's first start): "down from t=3s to t=8s",
	// several separated by ';' (fakellm.ParseOutages). Every chat call in a
	// window is answered 503 and draws no injected 429/500.
	LLMFaults   string
	Kills       int
	DatabaseURL string // a PostgreSQL server URL; empty: a fresh SQLite file
	Seed        int64
	Deadline    time.Duration // default 5m: give up waiting and report what is left as lost
	// TimeScale is the server's JOBPILOT_TIME_SCALE (default 0.01: the
	// guide's 2 s retry is 20 ms, the email breaker's 5 min is 3 s).
	TimeScale float64
	// Writer is JOBPILOT_WRITER: "llm" (the default) or "template".
	Writer string
	Keep   bool      // keep the temporary directory and the PostgreSQL database
	Log    io.Writer // the server's output; nil: only into the run directory's serve.log
	// Progress, when set, receives one line per kill and restart.
	Progress io.Writer
	// ExtraEnv is appended to the server's environment (overrides).
	ExtraEnv []string
}

func (o *Options) defaults() {
	if o.Postings <= 0 {
		o.Postings = 300
	}
	if o.Deadline <= 0 {
		o.Deadline = 5 * time.Minute
	}
	if o.TimeScale <= 0 {
		o.TimeScale = 0.01
	}
	if o.Writer == "" {
		o.Writer = "llm"
	}
}

// Restart is one kill and what followed.
type Restart struct {
	KilledAt time.Duration // since the run started
	Settled  int           // settled applications when it was killed (polled every 100 ms)
	Work     int           // LLM calls plus SMTP connections when it was killed
	Healthy  time.Duration // from the restart to a healthy /health
	Resumed  time.Duration // from the restart to the first new work (an LLM call, an SMTP connection, a settled application); 0 if none was seen
}

// Report is what a run found.
type Report struct {
	Postings    int
	Database    string // "sqlite" or "postgres"
	Writer      string
	ByStatus    map[jobpilot.Status]int
	Sent        int // sent or followed_up
	NeedsReview int
	Failed      int
	Lost        int
	LostIDs     []int64 // posting ids, at most 20
	Duplicates  int
	Attempts    int // send attempts recorded on the applications
	Kills       int
	Restarts    []Restart
	// Mismatches describe applications whose record disagrees with the mail
	// server: sent without an accepted message.
	Mismatches []string
	// DeliveredNeedsReview counts needs_review applications whose message the
	// server did accept (the crash came between the server's 250 and our
	// record): expected, and why needs_review exists. After the mailbox
	// loop has run they are settled from their copies: see Unresolved.
	DeliveredNeedsReview int
	// Unresolved counts applications left in needs_review although the lab
	// server had accepted their message, so a copy is in the lab mailbox:
	// the mailbox loop should have settled them as sent.
	Unresolved int
	// NoCopy counts needs_review applications marked "no copy arrived";
	// Cut is the lab's own count of needs_review applications whose message
	// the server never accepted (cut before the 250). They must be equal.
	NoCopy int
	Cut    int
	// Settled counts applications the mailbox loop settled as sent from
	// their copy.
	SettledFromCopy int
	LLMAccepted     int
	LLMRejected     int // by the fake itself (rate limit, script)
	LLMInjected429  int
	LLMInjected500  int
	LLMDown         int // calls answered 503 in an LLM outage window (also in LLMRejected)
	SMTP            fakesmtp.Stats
	Elapsed         time.Duration
	TimedOut        bool
	Dir             string // the run directory (kept with Options.Keep)
}

// OK reports whether nothing was lost, duplicated, misrecorded or left
// unreconciled.
func (r *Report) OK() bool {
	return r.Lost == 0 && r.Duplicates == 0 && len(r.Mismatches) == 0 && r.Unresolved == 0 && r.NoCopy == r.Cut
}

// Line is the final line, exactly as the issue asks.
func (r *Report) Line() string {
	return fmt.Sprintf("chaos: postings=%d sent=%d needs_review=%d failed=%d lost=%d duplicates=%d kills=%d elapsed=%.1fs unresolved=%d no_copy=%d",
		r.Postings, r.Sent, r.NeedsReview, r.Failed, r.Lost, r.Duplicates, r.Kills, r.Elapsed.Seconds(), r.Unresolved, r.NoCopy)
}

// collect reads the final state: the applications from the database, the
// deliveries from the SMTP server, the calls from the LLM.
func (r *Report) collect(ctx context.Context, dbURL string, profileID int64, postingIDs []int64, smtpSrv *fakesmtp.Server, llmSrv *fakellm.Faulty) error {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	apps, err := allApplications(ctx, db, profileID)
	if err != nil {
		return err
	}
	delivered := map[string]int{}
	for _, m := range smtpSrv.Messages() {
		delivered[m.MessageID]++
	}
	byPosting := map[int64]*jobpilot.Application{}
	for _, a := range apps {
		byPosting[a.PostingID] = a
		r.ByStatus[a.Status]++
		r.Attempts += a.Attempts
		switch a.Status {
		case jobpilot.StatusSent, jobpilot.StatusFollowedUp:
			r.Sent++
			if a.MessageID == "" || delivered[a.MessageID] == 0 {
				r.Mismatches = append(r.Mismatches, fmt.Sprintf("application %d is %s but the mail server never accepted %q", a.ID, a.Status, a.MessageID))
			}
		case jobpilot.StatusNeedsReview:
			r.NeedsReview++
			if a.MessageID != "" && delivered[a.MessageID] > 0 {
				r.DeliveredNeedsReview++
				r.Unresolved++
			} else {
				r.Cut++
			}
			if strings.HasPrefix(a.Error, jobpilot.NoCopyArrived) {
				r.NoCopy++
			}
		case jobpilot.StatusFailed:
			r.Failed++
		}
	}
	for _, id := range postingIDs {
		if a, ok := byPosting[id]; !ok || !a.Status.Settled() {
			r.Lost++
			if len(r.LostIDs) < 20 {
				r.LostIDs = append(r.LostIDs, id)
			}
		}
	}
	if r.NoCopy != r.Cut {
		r.Mismatches = append(r.Mismatches, fmt.Sprintf("%d application(s) marked %q, but the lab server never accepted %d", r.NoCopy, jobpilot.NoCopyArrived, r.Cut))
	}
	evs, err := db.Events(ctx, jobpilot.EventFilter{Kinds: []string{jobpilot.EventCopy}, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	r.SettledFromCopy = len(evs)
	r.Duplicates = smtpSrv.Duplicates()
	r.SMTP = smtpSrv.Stats()
	r.LLMAccepted, r.LLMRejected = llmSrv.Accepted(), llmSrv.Rejected()
	r.LLMInjected429, r.LLMInjected500 = llmSrv.Injected()
	r.LLMDown = llmSrv.DownRejected()
	return nil
}

func allApplications(ctx context.Context, db *store.DB, profileID int64) ([]*jobpilot.Application, error) {
	return store.Collect(store.AllApplications(ctx, db, jobpilot.ApplicationFilter{ProfileID: profileID}))
}

// monitor watches the run from outside the server: the lab servers'
// counters and the database's status counts.
type monitor struct {
	db        *store.DB
	profileID int64
	smtp      *fakesmtp.Server
	llm       *fakellm.Server
	total     int // applications that exist
	lastPoll  time.Time
	settled   int
}

func newMonitor(ctx context.Context, dbURL string, profileID int64, s *fakesmtp.Server, l *fakellm.Server) (*monitor, error) {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	return &monitor{db: db, profileID: profileID, smtp: s, llm: l}, nil
}

func (m *monitor) close() { m.db.Close() }

// poll returns the settled count, reading the database at most every 100 ms.
func (m *monitor) poll(ctx context.Context) (int, error) {
	if time.Since(m.lastPoll) < 100*time.Millisecond {
		return m.settled, nil
	}
	m.lastPoll = time.Now()
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	counts, err := m.db.CountByStatus(qctx, m.profileID)
	if err != nil {
		return m.settled, err
	}
	settled, total := 0, 0
	for st, n := range counts {
		total += n
		if st.Settled() {
			settled += n
		}
	}
	m.settled, m.total = settled, total
	return settled, nil
}

// reconciled reports whether the mailbox loop is done with the uncertain
// sends: every needs_review application's message was never accepted by
// the lab server, and each is marked "no copy arrived".
func (m *monitor) reconciled(ctx context.Context) (bool, error) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	delivered := map[string]bool{}
	for _, msg := range m.smtp.Messages() {
		delivered[msg.MessageID] = true
	}
	apps, err := store.Collect(store.AllApplications(qctx, m.db, jobpilot.ApplicationFilter{ProfileID: m.profileID, Statuses: []jobpilot.Status{jobpilot.StatusNeedsReview}}))
	if err != nil {
		return false, err
	}
	for _, a := range apps {
		if delivered[a.MessageID] || !strings.HasPrefix(a.Error, jobpilot.NoCopyArrived) {
			return false, nil
		}
	}
	return true, nil
}

// work counts LLM calls and SMTP connections so far.
func (m *monitor) work() int { return m.llm.Calls() + m.smtp.Stats().Connections }

// progress is a number that grows whenever the server does work.
func (m *monitor) progress(settled int) int {
	st := m.smtp.Stats()
	return m.llm.Calls() + st.Connections + settled
}

// tail returns the last lines of a log file for an error message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return strings.Join(lines, "\n")
}

// smtpSchedule is the lab SMTP server's fault schedule: o.SMTPFaults first
// (the first rule that fires wins), then the 421 rate.
func smtpSchedule(o Options) (*fakesmtp.Schedule, error) {
	spec := fmt.Sprintf("fail %g%% with 421", o.SMTPFail*100)
	if f := strings.TrimSpace(o.SMTPFaults); f != "" {
		spec = f + "; " + spec
	}
	sched, err := fakesmtp.ParseSchedule(spec)
	if err != nil {
		return nil, fmt.Errorf("chaos: SMTP faults: %w", err)
	}
	return sched, nil
}

// ErrNotOK is returned by the command when a run lost or duplicated work.
var ErrNotOK = errors.New("chaos: applications were lost or sent twice")
