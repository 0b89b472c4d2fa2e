package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/templatewriter"
)

// RunCmd is `jobpilot run`: one full pass in the foreground.
type RunCmd struct {
	Force bool          `help:"Run in direct mode even for a profile whose preferences do not say what you look for."`
	Wait  time.Duration `default:"10m" help:"How long to wait for drafting and sending before printing the summary. Work still in progress then (an open circuit breaker, a slow LLM) stays queued in the database: serve, or the next run, finishes it."`
}

// Run fetches the configured sources, scores every open posting against
// every profile, drafts the documents of the matches and, in direct mode,
// sends the applications that have a contact email. The work goes through
// the same durable engine as serve, on the same database: if the command is
// interrupted, a later run or serve picks up where it stopped.
//
// It shows a progress bar per stage and a summary table, and exits non-zero
// only on an operational failure (the database, a failed run); a posting that
// failed is counted in the table, not an error of the command.
func (c *RunCmd) Run(app *App) error {
	start := time.Now()
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	// A node of its own, so that run works beside a serve on the same host
	// and database (each node claims its identity; see engine.Start).
	cfg.NodeID = system.NodeID(cfg) + "-run"
	opts := system.Options{Logger: quietLogger(app), FastStart: true}
	if opts.Writer, err = checkLLM(app, cfg); err != nil {
		return err
	}
	sys, err := system.Open(app.Ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer sys.Close()
	if !c.Force {
		if err := system.CheckDirectMode(app.Ctx, sys.Store, jobpilot.ApplyMode(cfg.Apply.Mode)); err != nil {
			return err
		}
	}
	if sys.ExamplesLoaded {
		fmt.Fprintln(app.Stderr, "loaded the fictional example profile and postings (set JOBPILOT_EXAMPLES=off to start empty)")
	}
	// The stages below run in order; no automation run is queued behind our
	// back after the fetch.
	sys.Apply.Enqueue = nil
	ctx, cancel := context.WithTimeout(app.Ctx, cfg.Timeouts.Automation)
	defer cancel()

	if err := sys.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, stop := context.WithTimeout(context.Background(), cfg.Timeouts.Shutdown+5*time.Second)
		defer stop()
		_ = sys.Stop(stopCtx)
	}()
	pending, paused, err := c.stages(ctx, app, sys)
	if err != nil {
		return err
	}
	if app.Ctx.Err() != nil {
		return app.Ctx.Err() // interrupted: the work stays queued
	}
	return c.summary(ctx, app, cfg, sys.Store, pending, paused, start)
}

// llmCheckTimeout bounds run's check of the LLM endpoint.
const llmCheckTimeout = 10 * time.Second

// checkLLM asks the configured LLM endpoint whether it answers before any
// work starts, and says what it found: it answers, it does not, or it
// answers but refuses the key (401, 403), which no wait would cure. When
// it cannot be used, run writes with the template writer
// (LLM_UNAVAILABLE=template: the writer returned) or stops with an error
// (stop): it never waits on a dead endpoint in silence. Nil writer: the
// configuration's own.
func checkLLM(app *App, cfg *config.Config) (jobpilot.Writer, error) {
	if cfg.UsesTemplateWriter() {
		return nil, nil
	}
	llmCfg := system.LLMConfig(cfg)
	ctx, cancel := context.WithTimeout(app.Ctx, llmCheckTimeout)
	defer cancel()
	err := llm.NewClient(llmCfg, llm.WithLogger(quietLogger(app))).Ping(ctx)
	if err == nil {
		fmt.Fprintf(app.Stderr, "LLM endpoint %s answers; writing with %s\n", llmCfg.BaseURL, llmCfg.Model)
		return nil, nil
	}
	if app.Ctx.Err() != nil {
		return nil, app.Ctx.Err()
	}
	found := fmt.Sprintf("LLM endpoint %s does not answer", llmCfg.BaseURL)
	if errors.Is(err, jobpilot.ErrMisconfigured) {
		found = fmt.Sprintf("LLM endpoint %s answers, but %s", llmCfg.BaseURL, llm.KeyRefused)
	}
	if cfg.Apply.LLMUnavailable == "stop" {
		return nil, &jobpilot.Error{Code: jobpilot.EUNAVAILABLE,
			Message: fmt.Sprintf("the %s (LLM_UNAVAILABLE=stop; set it to template to write with the template writer instead)", found), Err: err}
	}
	fmt.Fprintf(app.Stderr, "%s (%v): writing with the template writer instead (LLM_UNAVAILABLE=template; set it to stop to exit instead)\n", found, err)
	return templatewriter.New(), nil
}

// stages runs the pass: 1. fetch and 2. match in the foreground, then it
// waits for the engine to drain 3. drafting and 4. sending, each with a
// progress bar, until --wait, or until the stage's circuit breaker is
// paused by a configuration error (a refused LLM key or SMTP password),
// which no wait cures. It returns how many applications were still in
// progress then, and the pauses that stopped the waiting.
func (c *RunCmd) stages(ctx context.Context, app *App, sys *system.System) (pending int, paused []string, err error) {
	if len(sys.Apply.Sources) > 0 {
		bar := stageBar(app.Stderr, 1, "fetch  ")
		if err := sys.Apply.FetchPostings(ctx, jobpilot.Task{Kind: jobpilot.TaskFetchPostings}); err != nil {
			return 0, nil, fmt.Errorf("fetch: %w", err)
		}
		_ = bar.Finish()
	}
	bar := stageBar(app.Stderr, 1, "match  ")
	run, err := sys.Apply.Automate(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("automation run: %w", err)
	}
	_ = bar.Finish()
	if run.Status != jobpilot.RunSucceeded {
		return 0, nil, fmt.Errorf("automation run %d ended %s: %s", run.ID, run.Status, run.Error)
	}
	waitCtx, stopWaiting := context.WithTimeout(ctx, c.Wait)
	defer stopWaiting()
	for _, stage := range []struct {
		label    string
		breaker  string
		statuses []jobpilot.Status
	}{
		{"draft  ", resilience.BreakerOpenAI, []jobpilot.Status{jobpilot.StatusMatched, jobpilot.StatusDrafting}},
		{"send   ", resilience.BreakerEmail, []jobpilot.Status{jobpilot.StatusApproved, jobpilot.StatusSending}},
	} {
		pausedBy := func() string { return pauseOf(sys.Resilience.Breakers, stage.breaker) }
		left, err := drain(waitCtx, app.Stderr, sys.Store, pausedBy, stage.label, stage.statuses...)
		if errors.Is(err, errPaused) {
			paused = append(paused, pausedBy())
			err = nil
		}
		if err != nil && waitCtx.Err() == nil {
			return 0, nil, err
		}
		pending += left
	}
	return pending, paused, nil
}

// pauseOf describes the breaker called name when a configuration error
// pauses it, and is "" otherwise.
func pauseOf(breakers jobpilot.Breakers, name string) string {
	for _, b := range breakers.Snapshot() {
		if b.Name == name && b.Reason != "" {
			return fmt.Sprintf("circuit breaker %q is paused: %s", name, b.Reason)
		}
	}
	return ""
}

// summary prints the table of what the database holds now, the time taken
// since start and what to do next.
func (c *RunCmd) summary(ctx context.Context, app *App, cfg *config.Config, st jobpilot.Store, pending int, paused []string, start time.Time) error {
	counts, err := st.CountByStatus(ctx, 0)
	if err != nil {
		return err
	}
	postings, err := st.Postings(ctx, jobpilot.PostingFilter{OpenOnly: true, Limit: 100000})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "postings\tmatched\tskipped\tready\tsent\tfailed\tneeds review\t")
	matched := 0
	for st, n := range counts {
		if st != jobpilot.StatusSkipped {
			matched += n
		}
	}
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", len(postings), matched, counts[jobpilot.StatusSkipped],
		counts[jobpilot.StatusReady], counts[jobpilot.StatusSent]+counts[jobpilot.StatusFollowedUp],
		counts[jobpilot.StatusFailed], counts[jobpilot.StatusNeedsReview])
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "\ndone in %s. ", time.Since(start).Round(10*time.Millisecond))
	if cfg.SMTP.Host == "" {
		fmt.Fprintf(app.Stdout, "Documents are in the database (`jobpilot applications`, `jobpilot export`). No SMTP server is configured: "+
			"the %d counted as sent were saved to %s/outbox as .eml files, not emailed.\n", counts[jobpilot.StatusSent]+counts[jobpilot.StatusFollowedUp], cfg.DataDir)
	} else {
		fmt.Fprintln(app.Stdout, "List them with `jobpilot applications`.")
	}
	switch {
	case pending > 0 && len(paused) > 0:
		fmt.Fprintf(app.Stdout, "%d application(s) wait for the configuration to be fixed (%s); they stay queued: fix it, then `jobpilot serve`, or the next run, finishes them.\n", pending, strings.Join(paused, "; "))
	case pending > 0:
		fmt.Fprintf(app.Stdout, "%d application(s) still in progress after --wait %s (a circuit breaker is open or a dependency is slow); they stay queued: `jobpilot serve`, or the next run, finishes them.\n", pending, c.Wait)
	}
	if counts[jobpilot.StatusReady] > 0 && jobpilot.ApplyMode(cfg.Apply.Mode) != jobpilot.ApplyDirect {
		fmt.Fprintln(app.Stdout, "Review mode: approve ready applications with `jobpilot approve ID…` (or set APPLY_MODE=direct).")
	}
	return nil
}

// errPaused is drain's error when it stopped waiting because paused said
// a configuration error holds the stage's work.
var errPaused = errors.New("paused by a configuration error")

// drain waits until no application is left in the given statuses, showing
// how many of those present at the start are done. It returns how many are
// left, with ctx's error when it stopped waiting first, or errPaused when
// paused (nil: never) describes a pause while some are left: such work
// waits for a person, however long run would wait.
func drain(ctx context.Context, w io.Writer, st jobpilot.Store, paused func() string, label string, statuses ...jobpilot.Status) (int, error) {
	pending := func() (int, error) {
		counts, err := st.CountByStatus(context.WithoutCancel(ctx), 0)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, s := range statuses {
			n += counts[s]
		}
		return n, nil
	}
	total, err := pending()
	if err != nil {
		return 0, err
	}
	bar := stageBar(w, total, label)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for left := total; left > 0; {
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return left, ctx.Err()
		case <-tick.C:
		}
		if left, err = pending(); err != nil {
			return left, err
		}
		if left > total { // more arrived (a concurrent serve): grow the bar
			total = left
			bar.ChangeMax(total)
		}
		_ = bar.Set(total - left)
		if left > 0 && paused != nil {
			if why := paused(); why != "" {
				fmt.Fprintf(w, "\n%s: not waiting for %d application(s): %s\n", strings.TrimSpace(label), left, why)
				return left, errPaused
			}
		}
	}
	return 0, bar.Finish()
}

// progress shows how far one stage is: a bar on a terminal, plain lines
// otherwise (a log file or a pipe gets no carriage returns and redraws).
type progress interface {
	Set(done int) error
	ChangeMax(total int)
	Finish() error
}

func stageBar(w io.Writer, total int, label string) progress {
	if total == 0 {
		total = 1
	}
	if !isTerminal(w) {
		p := &plainProgress{w: w, label: strings.TrimSpace(label), total: total, done: -1, now: time.Now}
		_ = p.Set(0)
		return p
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSetPredictTime(false),
	)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// plainProgressEvery is the least time between two plain progress lines.
const plainProgressEvery = 5 * time.Second

// plainProgress prints "draft: 3/7" lines: at the start, when the count
// changed and plainProgressEvery has passed, and once at the end.
type plainProgress struct {
	w            io.Writer
	label        string
	total, done  int
	printed      int
	lastPrinted  time.Time
	now          func() time.Time
	finishedOnce bool
}

func (p *plainProgress) Set(done int) error {
	if done == p.done {
		return nil
	}
	p.done = done
	if p.printed > 0 && p.now().Sub(p.lastPrinted) < plainProgressEvery {
		return nil
	}
	p.print("")
	return nil
}

func (p *plainProgress) ChangeMax(total int) { p.total = total }

func (p *plainProgress) Finish() error {
	if p.finishedOnce {
		return nil
	}
	p.finishedOnce = true
	p.done = p.total
	p.print(" done")
	return nil
}

func (p *plainProgress) print(suffix string) {
	fmt.Fprintf(p.w, "%s: %d/%d%s\n", p.label, max(p.done, 0), p.total, suffix)
	p.printed++
	p.lastPrinted = p.now()
}

// quietLogger keeps the foreground commands' output to their progress and
// tables: only warnings and errors are logged.
func quietLogger(app *App) *slog.Logger {
	return slog.New(slog.NewTextHandler(app.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
