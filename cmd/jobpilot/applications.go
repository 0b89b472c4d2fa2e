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
	statuses, err := parseStatuses(c.Status)
	if err != nil {
		return err
	}
	if c.Limit < 1 && !c.All {
		return jobpilot.FieldError("--limit", "must be at least 1 (or use --all)")
	}
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	apps, more, err := c.firstApplications(app, db, jobpilot.ApplicationFilter{ProfileID: c.Profile, Statuses: statuses})
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		fmt.Fprintln(app.Stdout, "no applications")
		return nil
	}
	if err := printApplications(app, db, apps); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(app.Stdout, "showing the first %d applications; there are more: use --all, --limit or --status\n", c.Limit)
	}
	return nil
}

// parseStatuses reads --status, each value trimmed, and refuses an unknown one.
func parseStatuses(values []string) ([]jobpilot.Status, error) {
	var statuses []jobpilot.Status
	for _, s := range values {
		st := jobpilot.Status(strings.TrimSpace(s))
		if !st.Valid() {
			return nil, jobpilot.FieldError("--status", "unknown status %q", s)
		}
		statuses = append(statuses, st)
	}
	return statuses, nil
}

// firstApplications reads the applications the filter selects, oldest first,
// at most --limit of them unless --all; more says that some were left out.
func (c *ApplicationsCmd) firstApplications(app *App, db *store.DB, f jobpilot.ApplicationFilter) (apps []*jobpilot.Application, more bool, err error) {
	for a, err := range store.AllApplications(app.Ctx, db, f) {
		if err != nil {
			return nil, false, err
		}
		if !c.All && len(apps) == c.Limit {
			return apps, true, nil // one more than shown: the list is cut, and says so
		}
		apps = append(apps, a)
	}
	return apps, false, nil
}

// printApplications writes the table, one row per application, then the notes
// the rows point to (flagged recipients, holds, failures).
func printApplications(app *App, db *store.DB, apps []*jobpilot.Application) error {
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSCORE\tCOMPANY\tTITLE\tAPPLY VIA\tRECIPIENT DOMAIN\tWRITER\tGUARD")
	var notes []string
	for _, a := range apps {
		post, err := db.Posting(app.Ctx, a.PostingID)
		if err != nil {
			return err
		}
		via, domain := applyVia(a, post)
		label := post.Company
		if a.Example {
			label += " (example)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.StatusLabel(), a.Score, label, post.Title, via, domain, a.Writer, guardColumn(a.Guard))
		notes = append(notes, applicationNotes(a)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(app.Stdout, n)
	}
	return nil
}

// applyVia is the APPLY VIA and RECIPIENT DOMAIN columns: the recipient's
// address and domain for an email application (where its address was found,
// and FLAGGED when it is), else the posting's apply link.
func applyVia(a *jobpilot.Application, post *jobpilot.Posting) (via, domain string) {
	via, domain = a.ApplyVia, "-"
	if via != jobpilot.ApplyViaEmail {
		if post.ApplyURL != "" {
			via = post.ApplyURL
		}
		return via, domain
	}
	if a.Recipient == nil {
		return post.ContactEmail, domain
	}
	via, domain = a.Recipient.Address, a.Recipient.Domain
	if a.Recipient.Source != "" {
		domain += " (posting at " + a.Recipient.Source + ")"
	}
	if a.Recipient.Flagged() {
		domain += " FLAGGED"
	}
	return via, domain
}

// applicationNotes are the lines printed under the table for one application:
// why its recipient is flagged, why it is held, why it failed.
func applicationNotes(a *jobpilot.Application) []string {
	var notes []string
	if a.ApplyVia == jobpilot.ApplyViaEmail && a.Recipient != nil && a.Recipient.Flagged() {
		notes = append(notes, fmt.Sprintf("%d recipient flagged, never sent automatically: %s", a.ID, strings.Join(a.Recipient.Flags, "; ")))
	}
	if a.Guard.Hold != "" {
		notes = append(notes, fmt.Sprintf("%d held for review: %s", a.ID, a.Guard.Hold))
	}
	if a.Status == jobpilot.StatusFailed && a.Error != "" {
		notes = append(notes, fmt.Sprintf("%d failed: %s (jobpilot retry %d)", a.ID, a.Error, a.ID))
	}
	return notes
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
