package main

import (
	"fmt"
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
	Limit   int      `default:"100" help:"At most this many, oldest first; more are announced, not shown."`
	All     bool     `help:"Every application, however many."`
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
	if c.Limit < 1 && !c.All {
		return jobpilot.FieldError("--limit", "must be at least 1 (or use --all)")
	}
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	f := jobpilot.ApplicationFilter{ProfileID: c.Profile, Statuses: statuses}
	var apps []*jobpilot.Application
	more := false
	for a, err := range store.AllApplications(app.Ctx, db, f) {
		if err != nil {
			return err
		}
		if !c.All && len(apps) == c.Limit {
			more = true // one more than shown: the list is cut, and says so
			break
		}
		apps = append(apps, a)
	}
	if len(apps) == 0 {
		fmt.Fprintln(app.Stdout, "no applications")
		return nil
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSCORE\tCOMPANY\tTITLE\tAPPLY VIA\tRECIPIENT DOMAIN\tWRITER\tGUARD")
	var notes []string
	for _, a := range apps {
		post, err := db.Posting(app.Ctx, a.PostingID)
		if err != nil {
			return err
		}
		via, domain := a.ApplyVia, "-"
		if via == jobpilot.ApplyViaEmail {
			via = post.ContactEmail
			if a.Recipient != nil {
				via, domain = a.Recipient.Address, a.Recipient.Domain
				if a.Recipient.Source != "" {
					domain += " (posting at " + a.Recipient.Source + ")"
				}
				if a.Recipient.Flagged() {
					domain += " FLAGGED"
					notes = append(notes, fmt.Sprintf("%d recipient flagged, never sent automatically: %s", a.ID, strings.Join(a.Recipient.Flags, "; ")))
				}
			}
		} else if post.ApplyURL != "" {
			via = post.ApplyURL
		}
		label := post.Company
		if a.Example {
			label += " (example)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.StatusLabel(), a.Score, label, post.Title, via, domain, a.Writer, guardColumn(a.Guard))
		if a.Guard.Hold != "" {
			notes = append(notes, fmt.Sprintf("%d held for review: %s", a.ID, a.Guard.Hold))
		}
		if a.Status == jobpilot.StatusFailed && a.Error != "" {
			notes = append(notes, fmt.Sprintf("%d failed: %s (jobpilot retry %d)", a.ID, a.Error, a.ID))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(app.Stdout, n)
	}
	if more {
		fmt.Fprintf(app.Stdout, "showing the first %d applications; there are more: use --all, --limit or --status\n", c.Limit)
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
