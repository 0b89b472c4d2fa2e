// Command jobpilot is the jobpilot service and its command-line tools.
//
// main only wires the process to run, which takes everything it touches as
// arguments (Mat Ryer's pattern) so tests drive the whole CLI in-process.
// Each command lives in its own file as a struct with a Run(*App) error
// method and is listed once in CLI.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/redact"
	"github.com/jobpilot/jobpilot/internal/system"
)

func main() {
	// SIGINT/SIGTERM cancel ctx: long-running commands shut down gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // an operation failed (a dependency, the database …)
	exitUsage = 2 // bad command line or bad configuration: fix the input, not the world
)

// CLI is the command tree. A new command is one file (type XCmd with
// Run(*App) error) plus one line here.
type CLI struct {
	Config string `name:"config" placeholder:"FILE" help:"YAML configuration file (default: $$JOBPILOT_CONFIG). Environment variables override it."`

	Version      VersionCmd      `cmd:"" help:"Print the version and the Go version it was built with."`
	ConfigCmd    ConfigCmd       `cmd:"" name:"config" help:"Inspect the configuration."`
	Serve        ServeCmd        `cmd:"" help:"Run the service: scheduler, job engine and HTTP server (/health). Stops gracefully on SIGINT/SIGTERM."`
	Run          RunCmd          `cmd:"" help:"One full pass in the foreground: fetch, match, draft and (direct mode) send, then a summary."`
	Fetch        FetchCmd        `cmd:"" help:"Fetch the configured job sources once and show what changed."`
	Sources      SourcesCmd      `cmd:"" help:"Job-board tools: discover a company's boards."`
	Applications ApplicationsCmd `cmd:"" help:"List applications."`
	Approve      ApproveCmd      `cmd:"" help:"Approve ready applications; the service sends them after the undo window (SEND_DELAY)."`
	Cancel       CancelCmd       `cmd:"" help:"Cancel approved applications before their email is sent."`
	Dismiss      DismissCmd      `cmd:"" help:"Dismiss applications (a bad match, a job you will not pursue)."`
	Restore      RestoreCmd      `cmd:"" help:"Restore dismissed applications to where they were before."`
	Block        BlockCmd        `cmd:"" help:"Block the applications' companies: dismiss them and skip the companies' later postings."`
	Applied      AppliedCmd      `cmd:"" help:"Mark link-only applications as applied (you applied through the posting's link)."`
	Retry        RetryCmd        `cmd:"" help:"Retry failed applications."`
	Status       StatusCmd       `cmd:"" help:"Record news on an application: interviewing, offered, rejected, withdrawn or no_reply."`
	Export       ExportCmd       `cmd:"" help:"Write applications' resume and letter PDFs (and .eml) to a directory, or every application to a CSV file."`
	Profiles     ProfilesCmd     `cmd:"" help:"List candidate profiles."`
	Funnel       FunnelCmd       `cmd:"" help:"The tracker's funnel: applications per stage, conversion, per week."`
	Profile      ProfileCmd      `cmd:"" help:"Manage candidate profiles."`
	Migrate      MigrateCmd      `cmd:"" help:"Apply database migrations (serve and run also do it)."`
	Health       HealthCmd       `cmd:"" help:"Call the service's /health; exit 0 when healthy or degraded, 1 when unhealthy or unreachable."`
	Lab          LabCmd          `cmd:"" hidden:"" help:"Fault-injecting lab servers (SMTP, LLM) for trying jobpilot against failing dependencies."`
	Chaos        ChaosCmd        `cmd:"" help:"Chaos harness: a real serve under SMTP/LLM faults and SIGKILLs; fails if anything is lost or sent twice."`
}

// App is what every command receives: the process's I/O, the environment and
// the global flags. Commands load the configuration through it, so that
// configuration errors are reported (and exit 2) the same way everywhere.
type App struct {
	Ctx        context.Context
	Getenv     func(string) string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	Logger     *slog.Logger
	ConfigFile string
	// scrub is the configuration's secret scrubber, once LoadConfig has
	// read it; nil before (it then only redacts URL credentials).
	scrub *redact.Scrubber
}

// LoadConfig loads and validates the configuration (defaults, the --config
// or JOBPILOT_CONFIG file, then the environment), the sources included.
// From then on the logger and the final error message are scrubbed of the
// configured secrets (system.Scrubber).
func (a *App) LoadConfig() (*config.Config, error) {
	cfg, err := config.Load(a.Getenv, a.ConfigFile, system.CheckSources)
	if err != nil {
		return nil, err
	}
	a.scrub = system.Scrubber(cfg)
	a.Logger = system.ScrubLogger(a.Logger, a.scrub)
	return cfg, nil
}

// exitPanic carries kong's exit code out of Parse (help, --version-like
// flags) without letting kong call os.Exit inside a test.
type exitPanic struct{ code int }

// run parses args, runs the chosen command and returns the process's exit
// code. It never calls os.Exit and never reads os.* directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("jobpilot"),
		kong.Description("jobpilot fetches job postings, scores them against a candidate profile, tailors a resume and cover letter, and sends applications — and keeps working when its dependencies fail."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { panic(exitPanic{c}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"profile_max_bytes": strconv.Itoa(DefaultProfileMaxBytes)},
	)
	if err != nil {
		fmt.Fprintf(stderr, "jobpilot: %v\n", err)
		return exitError
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code = e.code
		}
	}()

	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "jobpilot: %v\nRun \"jobpilot --help\" for usage.\n", err)
		return exitUsage
	}
	app := &App{
		Ctx:        ctx,
		Getenv:     getenv,
		Stdin:      stdin,
		Stdout:     stdout,
		Stderr:     stderr,
		Logger:     slog.New(slog.NewTextHandler(stderr, nil)),
		ConfigFile: cli.Config,
	}
	if err := kctx.Run(app); err != nil {
		fmt.Fprintf(stderr, "jobpilot: %s\n", app.scrub.String(err.Error()))
		return exitCode(err)
	}
	return exitOK
}

// exitCode maps an error to the process exit code: invalid input (a bad
// configuration value, a bad argument) is a usage error, anything else an
// operational one.
func exitCode(err error) int {
	var ce *config.Error
	var pe *kong.ParseError
	switch {
	case errors.As(err, &ce), errors.As(err, &pe), jobpilot.ErrorCode(err) == jobpilot.EINVALID:
		return exitUsage
	default:
		return exitError
	}
}
