package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/source"
)

// FetchCmd is `jobpilot fetch [--source NAME]`.
type FetchCmd struct {
	Source string `help:"Fetch only this source (its name as configured, e.g. greenhouse:acme or acme)."`
}

// Run fetches every configured source once, in the foreground, through the
// same policies as the service (retries, the source's own breaker, the
// request timeout). It prints each source as it finishes, then a table.
// A failing source is reported and the others still import; the command
// fails only when every source failed.
func (c *FetchCmd) Run(app *App) error {
	sys, err := openSystem(app, system.Options{})
	if err != nil {
		return err
	}
	defer sys.Close()
	sources := sys.Apply.Sources
	if c.Source != "" {
		sources = nil
		for _, s := range sys.Apply.Sources {
			if s.Name() == c.Source || sourceShortName(s.Name()) == c.Source {
				sources = append(sources, s)
			}
		}
		if len(sources) == 0 {
			return jobpilot.FieldError("--source", "no configured source is named %q", c.Source)
		}
	}
	if len(sources) == 0 {
		fmt.Fprintln(app.Stdout, "no sources configured: list them under `sources:` in the YAML file (see README, \"Job sources\")")
		return nil
	}
	fmt.Fprintf(app.Stderr, "fetching %d source(s)…\n", len(sources))
	done := 0
	reports := source.FetchAll(app.Ctx, sources, sys.Store, func(r source.Report) {
		done++
		status := fmt.Sprintf("%d postings", r.Fetched)
		if r.Err != nil {
			status = "FAILED: " + app.scrub.String(r.Err.Error())
		}
		fmt.Fprintf(app.Stderr, "[%d/%d] %s: %s (%s)\n", done, len(sources), r.Source, status, r.Elapsed.Round(1e6))
	})
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFETCHED\tNEW\tUPDATED\tCLOSED\tFAILED")
	failed := 0
	var total jobpilot.UpsertResult
	fetched := 0
	for _, r := range reports {
		f := ""
		if r.Err != nil {
			failed++
			f = "yes"
		}
		fetched += r.Fetched
		total.New += r.Result.New
		total.Updated += r.Result.Updated
		total.Closed += r.Result.Closed
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", r.Source, r.Fetched, r.Result.New, r.Result.Updated, r.Result.Closed, f)
	}
	fmt.Fprintf(tw, "TOTAL\t%d\t%d\t%d\t%d\t%d\n", fetched, total.New, total.Updated, total.Closed, failed)
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed == len(reports) {
		return fmt.Errorf("every source failed")
	}
	return nil
}

func sourceShortName(full string) string {
	for i := 0; i < len(full); i++ {
		if full[i] == ':' {
			return full[i+1:]
		}
	}
	return full
}
