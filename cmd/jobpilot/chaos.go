package main

import (
	"fmt"
	"os"
	"time"

	"github.com/jobpilot/jobpilot/internal/chaos"
)

// ChaosCmd is `jobpilot chaos`: the chaos harness (see package chaos).
type ChaosCmd struct {
	Postings    int           `default:"300" help:"Postings to apply to, each with a contact email."`
	SMTPFail    float64       `name:"smtp-fail" default:"0.3" help:"Fraction (0-1) of messages the lab SMTP refuses with 421."`
	SMTPFaults  string        `name:"smtp-faults" placeholder:"SPEC" help:"More lab SMTP faults, tried before the 421 rate: e.g. \"down from t=10s to t=40s; fail 2% with drop; fail 1% with hang\"."`
	LLMFail     float64       `name:"llm-fail" default:"0.2" help:"Fraction (0-1) of LLM calls answered 429 or 500."`
	LLMFaults   string        `name:"llm-faults" placeholder:"SPEC" help:"Lab LLM outages, counted from the lab's start, during which every call gets a 503: e.g. \"down from t=10s to t=40s\"; several separated by ';'."`
	Kills       int           `default:"5" help:"SIGKILLs of the server, each followed by a restart."`
	DatabaseURL string        `name:"database-url" placeholder:"URL" help:"PostgreSQL server URL; each run creates (and drops) its own database there. Default: a fresh SQLite file."`
	Seed        int64         `default:"1" help:"Seed of the faults and the kill points."`
	Deadline    time.Duration `default:"5m" help:"Give up waiting for the applications to settle after this long."`
	TimeScale   float64       `name:"time-scale" default:"0.01" help:"The server's JOBPILOT_TIME_SCALE."`
	Writer      string        `default:"auto" enum:"auto,llm,template" help:"The server's JOBPILOT_WRITER: llm (the lab LLM), template, or auto (the same as llm)."`
	Keep        bool          `help:"Keep the run directory (database, serve.log) and the PostgreSQL database."`
	Verbose     bool          `short:"v" help:"Copy the server's log to stderr."`
}

// Run runs the harness and prints the table and the final line. It fails
// (exit 1) when an application was lost, sent twice, or marked sent without
// the mail server having accepted it.
func (c *ChaosCmd) Run(app *App) error {
	if c.Postings < 1 || c.Kills < 0 || c.SMTPFail < 0 || c.SMTPFail > 1 || c.LLMFail < 0 || c.LLMFail > 1 {
		return usageError(fmt.Errorf("want --postings ≥ 1, --kills ≥ 0 and failure rates between 0 and 1"))
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	opts := chaos.Options{
		Binary: bin, Postings: c.Postings, SMTPFail: c.SMTPFail, SMTPFaults: c.SMTPFaults, LLMFail: c.LLMFail, LLMFaults: c.LLMFaults, Kills: c.Kills,
		DatabaseURL: c.DatabaseURL, Seed: c.Seed, Deadline: c.Deadline, TimeScale: c.TimeScale,
		Writer: c.Writer, Keep: c.Keep, Progress: app.Stderr,
	}
	if c.Writer == "auto" {
		opts.Writer = ""
	}
	if c.Verbose {
		opts.Log = app.Stderr
	}
	rep, err := chaos.Run(app.Ctx, opts)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(app.Stdout); err != nil {
		return err
	}
	if c.Keep {
		fmt.Fprintf(app.Stdout, "kept: %s\n", rep.Dir)
	}
	fmt.Fprintln(app.Stdout, rep.Line())
	if !rep.OK() {
		return chaos.ErrNotOK
	}
	return nil
}
