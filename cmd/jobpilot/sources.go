package main

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/source"
)

// SourcesCmd is `jobpilot sources …`: tools for job boards.
type SourcesCmd struct {
	Discover DiscoverCmd `cmd:"" help:"Find companies' job boards on every supported ATS and print them as YAML for the configuration's sources."`
}

// DiscoverCmd is `jobpilot sources discover "Company" …`.
type DiscoverCmd struct {
	Companies []string          `arg:"" name:"company" help:"Company names as people write them, e.g. \"Acme Robotics GmbH\"."`
	MaxSlugs  int               `name:"max-slugs" default:"3" help:"Most board names tried per ATS and company (acme-robotics, acmerobotics, acme)."`
	Types     []string          `name:"type" placeholder:"TYPE" help:"Only these board types (repeat the flag); default every type that has company boards."`
	BaseURLs  map[string]string `name:"base-url" placeholder:"TYPE=URL" help:"Replace a board type's API root (a proxy, a test server); {company} in it stands for the name tried."`
}

// Run asks each board type's public endpoint for a few likely names of each
// company, through the same polite client as fetching (per-host slots and
// delay from the configuration, one attempt per request: a 429 stops that
// host for the run). It prints the boards found as a YAML "sources:" list on
// standard output, with each company's open jobs as comments, and what it
// could not check on standard error and as comments. Finding nothing is not
// an error.
func (c *DiscoverCmd) Run(app *App) error {
	reg := source.Builtin()
	var discoverable []string
	for _, name := range reg.Names() {
		if t, _ := reg.Lookup(name); t.SlugKey != "" {
			discoverable = append(discoverable, name)
		}
	}
	for _, t := range c.Types {
		if !slices.Contains(discoverable, t) {
			return usageError(fmt.Errorf("--type %q: must be one of %s", t, strings.Join(discoverable, ", ")))
		}
	}
	for t, u := range c.BaseURLs {
		if !slices.Contains(discoverable, t) {
			return usageError(fmt.Errorf("--base-url %s=…: %q must be one of %s", t, t, strings.Join(discoverable, ", ")))
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return usageError(fmt.Errorf("--base-url %s=%q: must be an http(s) URL", t, u))
		}
	}
	if c.MaxSlugs < 1 {
		return usageError(fmt.Errorf("--max-slugs must be 1 or more (got %d)", c.MaxSlugs))
	}
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	opts := system.SourceClientOptions(cfg)
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // a missing board is the expected answer, not a warning
	client := source.NewClient(opts)

	types := c.Types
	if len(types) == 0 {
		types = discoverable
	}
	fmt.Fprintf(app.Stderr, "looking for %d compan%s on %s (at most %d names each)…\n",
		len(c.Companies), plural(len(c.Companies), "y", "ies"), strings.Join(types, ", "), c.MaxSlugs)
	d := reg.Discover(app.Ctx, client, c.Companies, source.DiscoverOptions{MaxSlugs: c.MaxSlugs, BaseURLs: c.BaseURLs, Types: c.Types})
	for _, f := range d.Found {
		fmt.Fprintf(app.Stderr, "found %s: %s %s (%d open jobs)\n", f.Company, f.Spec.Type, f.Spec.Name, f.Jobs)
	}
	for _, u := range d.Unchecked {
		fmt.Fprintf(app.Stderr, "not checked: %s on %s: %s\n", u.Company, u.Type, u.Reason)
	}
	if len(d.Found) == 0 {
		fmt.Fprintln(app.Stderr, "no boards found: try the name as the company's careers page writes it, or --max-slugs")
	}
	_, err = io.WriteString(app.Stdout, d.YAML())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
