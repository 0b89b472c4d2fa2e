package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
)

// LabCmd is `jobpilot lab`: the fault-injecting servers as standalone
// processes, for trying jobpilot against a misbehaving mail server or LLM by
// hand. Hidden from the main help: they are test instruments, never a
// production dependency.
type LabCmd struct {
	SMTP LabSMTPCmd `cmd:"" name:"smtp" help:"Run the fault-injecting SMTP server (fakesmtp)."`
	LLM  LabLLMCmd  `cmd:"" name:"llm" help:"Run the fault-injecting OpenAI-compatible chat server (fakellm)."`
}

// LabSMTPCmd is `jobpilot lab smtp`.
type LabSMTPCmd struct {
	Addr     string `default:"127.0.0.1:2525" help:"SMTP listen address."`
	HTTPAddr string `name:"http-addr" default:"127.0.0.1:2526" help:"Side HTTP API address: GET /messages, /attempts, /stats; POST /schedule, /reset. Empty disables it."`
	Schedule string `default:"" help:"Fault schedule, e.g. \"fail 30% with 421\", \"first 2 attempts of each message 421\", \"down from t=10s to t=40s\"; clauses separated by ';'."`
	Seed     uint64 `default:"1" help:"Seed of the schedule's random rules."`
}

// Run serves until SIGINT/SIGTERM, then closes every connection and exits 0.
func (c *LabSMTPCmd) Run(app *App) error {
	sched, err := fakesmtp.ParseSchedule(c.Schedule)
	if err != nil {
		return usageError(err)
	}
	srv, err := fakesmtp.Start(c.Addr, c.HTTPAddr, fakesmtp.WithSchedule(sched), fakesmtp.WithSeed(c.Seed), fakesmtp.WithLogger(app.Logger))
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "lab smtp: listening on %s (side API http://%s), schedule %q\n", srv.Addr(), srv.HTTPAddr(), sched.String())
	<-app.Ctx.Done()
	st := srv.Stats()
	err = srv.Close()
	fmt.Fprintf(app.Stdout, "lab smtp: accepted=%d rejected=%d dropped=%d hung=%d duplicates=%d\n", st.Accepted, st.Rejected, st.Dropped, st.Hung, srv.Duplicates())
	return err
}

// LabLLMCmd is `jobpilot lab llm`.
type LabLLMCmd struct {
	Addr      string        `default:"127.0.0.1:8089" help:"HTTP listen address; point OPENAI_BASE_URL at http://ADDR/v1."`
	Latency   time.Duration `default:"0s" help:"Added to every reply."`
	Fail      float64       `default:"0" help:"Fraction (0-1) of calls answered 429 with Retry-After (half) or 500 (half)."`
	RateLimit int           `name:"rate-limit" default:"0" help:"Requests per minute above which it answers 429 (0: unlimited)."`
	Seed      int64         `default:"1" help:"Seed of the injected faults."`
	Obey      bool          `help:"Obey prompt injections found in postings, as a careless model would."`
	Mode      string        `default:"honest" enum:"honest,liar" help:"honest: replies built from the profile; liar: fluent replies that invent employers, schools, degrees, skills and numbers on purpose, with markup, wrong citations and some 2 MB replies."`
	Down      string        `placeholder:"SPEC" help:"Outage windows counted from start, during which every chat call gets a 503: e.g. \"from 10s to 40s\" or \"down from t=10s to t=40s; down from t=60s to t=70s\"."`
}

// Run serves until SIGINT/SIGTERM, then reports the counts and exits 0.
func (c *LabLLMCmd) Run(app *App) error {
	if c.Fail < 0 || c.Fail > 1 {
		return usageError(fmt.Errorf("--fail must be between 0 and 1"))
	}
	down, err := fakellm.ParseOutages(c.Down)
	if err != nil {
		return usageError(err)
	}
	mode := fakellm.ModeHonest
	if c.Mode == "liar" {
		mode = fakellm.ModeLiar
	}
	inner := fakellm.New(fakellm.Options{Latency: c.Latency, RateLimit: c.RateLimit, Seed: c.Seed, ObeyInjections: c.Obey, Down: down, Mode: mode})
	h := fakellm.NewFaulty(inner, c.Fail, c.Seed, "1")
	base, stop, err := fakellm.Listen(c.Addr, h)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "lab llm: OPENAI_BASE_URL=%s (mode %s, fail %.0f%%, rate limit %d/min, latency %s, %d outage windows)\n", base, c.Mode, c.Fail*100, c.RateLimit, c.Latency, len(down))
	<-app.Ctx.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = stop(ctx)
	tooMany, internal := h.Injected()
	fmt.Fprintf(app.Stdout, "lab llm: accepted=%d rejected=%d injected_429=%d injected_500=%d down_503=%d\n", inner.Accepted(), inner.Rejected(), tooMany, internal, inner.DownRejected())
	return err
}

// usageError marks err as bad input: the command exits 2.
func usageError(err error) error { return &jobpilot.Error{Code: jobpilot.EINVALID, Err: err} }
