package apply_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/store"
)

// env is one assembled jobpilot: the same System the commands build, on a
// fresh database, its engine never started. The tests call the pipeline's
// handlers directly (as the engine's workers do) so every step is observed;
// the tasks those handlers enqueue stay in the database untouched.
type env struct {
	sys *system.System
	cfg *config.Config
	st  jobpilot.Store
}

// newEnv loads the configuration from vars (as the environment would give
// it) over a fresh database of backend b, with every resilience delay scaled
// down a thousandfold and the examples off unless vars turn them on.
func newEnv(t *testing.T, b dbtest.Backend, vars map[string]string, opts system.Options) *env {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"JOBPILOT_DATA_DIR":   dir,
		"DATABASE_URL":        b.URL(t),
		"JOBPILOT_EXAMPLES":   "false",
		"JOBPILOT_TIME_SCALE": "0.001",
		// A board's first byte and silences get 5 s (scaled); see
		// roomyTimeouts for why.
		"SOURCE_TIMEOUT":      "5000",
		"SOURCE_IDLE_TIMEOUT": "5000",
		"SEND_DELAY":          "0", // the undo window's tests set their own
	}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := config.Load(func(k string) string { return all[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	opts.FastStart = true
	if opts.AdjustResilience == nil {
		opts.AdjustResilience = roomyTimeouts(vars)
	}
	sys, err := system.Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	return &env{sys: sys, cfg: cfg, st: sys.Store}
}

// roomyTimeouts gives the email and LLM services a 5 s per-attempt timeout
// (5000 s scaled by 0.001) unless vars set one: scaled a thousandfold, the
// guide's 30 s and 60 s become 30 ms and 60 ms, which a loaded 2-core
// machine can spend before the in-process server answers, so a test about
// something else saw a timeout and an extra retry. Tests of the timeouts set
// their variable, and the automation and job rows keep the table's.
func roomyTimeouts(vars map[string]string) func(*resilience.Config) {
	return func(rc *resilience.Config) {
		for name, variable := range map[string]string{
			resilience.ServiceEmail:       "EMAIL_TIMEOUT",
			resilience.ServiceResume:      "RESUME_TIMEOUT",
			resilience.ServiceCoverLetter: "COVER_LETTER_TIMEOUT",
			resilience.ServiceEmbeddings:  "",
		} {
			if _, set := vars[variable]; set && variable != "" {
				continue
			}
			rc.Update(name, func(s *resilience.Settings) { s.Timeout = 5000 * time.Second })
		}
	}
}

func quietLogger() *slog.Logger {
	if os.Getenv("APPLY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// automate runs one automation pass as the engine's automation job would and
// returns the run it recorded.
func (e *env) automate(t *testing.T) *jobpilot.Run {
	t.Helper()
	ctx := context.Background()
	if err := e.sys.Apply.AutomationRun(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		t.Fatalf("automation run: %v", err)
	}
	return e.lastRun(t, jobpilot.RunAutomation)
}

func (e *env) lastRun(t *testing.T, kind string) *jobpilot.Run {
	t.Helper()
	runs, err := e.st.Runs(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs { // newest first
		if r.Kind == kind {
			return r
		}
	}
	t.Fatalf("no %s run recorded", kind)
	return nil
}

// apps returns every application of a profile.
func (e *env) apps(t *testing.T, profileID int64) []*jobpilot.Application {
	t.Helper()
	as, err := e.st.Applications(context.Background(), jobpilot.ApplicationFilter{ProfileID: profileID, Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// appFor returns the profile's application whose posting has the given
// external id, failing the test when there is none.
func (e *env) appFor(t *testing.T, profileID int64, source, externalID string) *jobpilot.Application {
	t.Helper()
	post := e.posting(t, source, externalID)
	for _, a := range e.apps(t, profileID) {
		if a.Fingerprint == post.Fingerprint {
			return a
		}
	}
	t.Fatalf("no application for %s/%s", source, externalID)
	return nil
}

func (e *env) posting(t *testing.T, source, externalID string) *jobpilot.Posting {
	t.Helper()
	ps, err := e.st.Postings(context.Background(), jobpilot.PostingFilter{Source: source, Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ExternalID == externalID {
			return p
		}
	}
	t.Fatalf("no posting %s/%s", source, externalID)
	return nil
}

// process runs the process_posting job for app, as the engine's worker would.
func (e *env) process(ctx context.Context, app *jobpilot.Application) error {
	return e.sys.Apply.ProcessPosting(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting,
		ApplicationID: app.ID, ProfileID: app.ProfileID, PostingID: app.PostingID})
}

func (e *env) app(t *testing.T, id int64) *jobpilot.Application {
	t.Helper()
	a, err := e.st.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// events returns an application's events of the given kinds, oldest first.
func (e *env) events(t *testing.T, appID int64, kinds ...string) []*jobpilot.Event {
	t.Helper()
	evs, err := e.st.Events(context.Background(), jobpilot.EventFilter{ApplicationID: appID, Kinds: kinds, Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}

// statusEvents returns the reasons of an application's status events.
func (e *env) statusEvents(t *testing.T, appID int64) []string {
	t.Helper()
	var out []string
	for _, ev := range e.events(t, appID, jobpilot.EventStatus) {
		out = append(out, ev.Message)
	}
	return out
}

// byStatus counts applications per status.
func byStatus(as []*jobpilot.Application) map[jobpilot.Status]int {
	m := map[jobpilot.Status]int{}
	for _, a := range as {
		m[a.Status]++
	}
	return m
}

// placeholders are texts that must never reach a candidate's document.
var placeholders = []string{"[", "Lorem", "lorem ipsum", "TODO", "{{", "}}", "<placeholder", "XXX"}

func hasPlaceholder(s string) string {
	for _, p := range placeholders {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}
