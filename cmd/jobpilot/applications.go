package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/store"
)

// ApplicationsCmd is `jobpilot applications [--status S]`.
type ApplicationsCmd struct {
	Status  []string `help:"Only applications in these statuses (repeat or comma-separate), e.g. ready,needs_review." sep:","`
	Profile int64    `help:"Only this profile's applications."`
	Limit   int      `default:"100" help:"At most this many, newest last."`
}

// Run lists applications with their score, status and posting.
func (c *ApplicationsCmd) Run(app *App) error {
	var statuses []jobpilot.Status
	for _, s := range c.Status {
		st := jobpilot.Status(strings.TrimSpace(s))
		if !st.Valid() {
			return jobpilot.FieldError("--status", "unknown status %q", s)
		}
		statuses = append(statuses, st)
	}
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	apps, err := db.Applications(app.Ctx, jobpilot.ApplicationFilter{ProfileID: c.Profile, Statuses: statuses, Limit: c.Limit})
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		fmt.Fprintln(app.Stdout, "no applications")
		return nil
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSCORE\tCOMPANY\tTITLE\tAPPLY VIA\tWRITER\tGUARD")
	for _, a := range apps {
		post, err := db.Posting(app.Ctx, a.PostingID)
		if err != nil {
			return err
		}
		via := a.ApplyVia
		if via == jobpilot.ApplyViaEmail {
			via = post.ContactEmail
		} else if post.ApplyURL != "" {
			via = post.ApplyURL
		}
		label := post.Company
		if a.Example {
			label += " (example)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Status, a.Score, label, post.Title, via, a.Writer, guardColumn(a.Guard))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, a := range apps {
		if a.Guard.Hold != "" {
			fmt.Fprintf(app.Stdout, "%d held for review: %s\n", a.ID, a.Guard.Hold)
		}
	}
	return nil
}

// guardColumn shows what the fabrication guard removed: the count and the
// first removed phrases, "held" when the application waits for review.
func guardColumn(g jobpilot.GuardReport) string {
	if g.Removed == 0 && g.Hold == "" {
		return "-"
	}
	out := fmt.Sprintf("%d removed", g.Removed)
	if len(g.Phrases) > 0 {
		shown := g.Phrases[:min(len(g.Phrases), 4)]
		out += ": " + strings.Join(shown, ", ")
		if len(g.Phrases) > len(shown) {
			out += ", …"
		}
	}
	if g.Hold != "" {
		out += " (held)"
	}
	return out
}

// ApproveCmd is `jobpilot approve ID…`.
type ApproveCmd struct {
	IDs []string `arg:"" name:"id" help:"Application ids to approve."`
}

// Run approves ready applications; each approval queues its send in the same
// transaction, and a running `jobpilot serve` sends it. One refused id does
// not stop the others; the command fails if any was refused.
func (c *ApproveCmd) Run(app *App) error {
	sys, err := openSystem(app, system.Options{})
	if err != nil {
		return err
	}
	defer sys.Close()
	failed := 0
	for _, raw := range c.IDs {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			fmt.Fprintf(app.Stderr, "%s: not an application id\n", raw)
			failed++
			continue
		}
		if _, err := sys.Apply.Approve(app.Ctx, id); err != nil {
			fmt.Fprintf(app.Stderr, "%d: %s\n", id, jobpilot.ErrorMessage(err))
			failed++
			continue
		}
		fmt.Fprintf(app.Stdout, "%d: approved; it is sent by the running service\n", id)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d applications not approved", failed, len(c.IDs))
	}
	return nil
}

func openStore(app *App) (*store.DB, error) {
	cfg, err := app.LoadConfig()
	if err != nil {
		return nil, err
	}
	if err := system.SecureDataDir(cfg, app.Logger); err != nil {
		return nil, err
	}
	db, err := store.Open(app.Ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(app.Ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openSystem builds the wired system without starting the engine: enough to
// change state and queue work in the same transaction, for a running serve
// (or the next one) to carry out.
func openSystem(app *App, opts system.Options) (*system.System, error) {
	cfg, err := app.LoadConfig()
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = app.Logger
	}
	return system.Open(app.Ctx, cfg, opts)
}
