package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/mail"
	"github.com/jobpilot/jobpilot/store"
)

// ExportCmd is `jobpilot export ID… --dir DIR` and `jobpilot export --csv FILE`.
type ExportCmd struct {
	IDs     []int64 `arg:"" optional:"" name:"id" help:"Applications whose documents to write (with --dir)."`
	Dir     string  `placeholder:"DIR" help:"Directory to write each application's resume and cover letter PDFs, and its .eml when one was written, into (created if missing)."`
	CSV     string  `name:"csv" placeholder:"FILE" help:"Write every application (company, role, URL, dates, status, score) as CSV to FILE ('-' for standard output)."`
	Profile int64   `help:"With --csv: only this profile's applications."`
}

// Run writes the files. Exactly one of --dir (with ids) and --csv is given.
func (c *ExportCmd) Run(app *App) error {
	switch {
	case c.CSV != "" && (c.Dir != "" || len(c.IDs) > 0):
		return jobpilot.FieldError("--csv", "exports every application; give it without ids or --dir")
	case c.CSV == "" && (c.Dir == "" || len(c.IDs) == 0):
		return jobpilot.FieldError("--dir", "give application ids and --dir DIR, or --csv FILE")
	}
	if err := checkIDs(c.IDs); c.CSV == "" && err != nil {
		return err
	}
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.CSV != "" {
		return c.writeCSV(app, db)
	}
	if err := os.MkdirAll(c.Dir, 0o750); err != nil {
		return err
	}
	failed := 0
	for _, id := range c.IDs {
		files, err := exportDocuments(app, db, mail.OutboxDir(cfg.DataDir), c.Dir, id)
		if err != nil {
			fmt.Fprintf(app.Stderr, "%d: %s\n", id, jobpilot.ErrorMessage(err))
			failed++
			continue
		}
		for _, f := range files {
			fmt.Fprintf(app.Stdout, "%d: %s\n", id, f)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d applications not exported", failed, len(c.IDs))
	}
	return nil
}

// exportDocuments writes one application's PDFs, and the .eml the outbox
// holds for it if any, into dir and returns the paths.
func exportDocuments(app *App, db *store.DB, outbox, dir string, id int64) ([]string, error) {
	a, err := db.Application(app.Ctx, id)
	if err != nil {
		return nil, err
	}
	docs, err := db.Documents(app.Ctx, id)
	if jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "application %d has no documents yet (it is %s)", id, a.Status)
	}
	if err != nil {
		return nil, err
	}
	prefix := filepath.Join(dir, "application-"+strconv.FormatInt(id, 10))
	files := []struct {
		path string
		data []byte
	}{{prefix + "-resume.pdf", docs.ResumePDF}, {prefix + "-cover-letter.pdf", docs.CoverLetterPDF}}
	if a.MessageID != "" {
		eml, err := os.ReadFile(filepath.Join(outbox, mail.FileName(a.MessageID)))
		switch {
		case err == nil:
			files = append(files, struct {
				path string
				data []byte
			}{prefix + ".eml", eml})
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
	}
	var out []string
	for _, f := range files {
		if len(f.data) == 0 {
			continue
		}
		if err := os.WriteFile(f.path, f.data, 0o640); err != nil {
			return out, err
		}
		out = append(out, f.path)
	}
	return out, nil
}

func (c *ExportCmd) writeCSV(app *App, db *store.DB) error {
	var rows []jobpilot.TrackerRow
	posts := map[int64]*jobpilot.Posting{}
	for a, err := range store.AllApplications(app.Ctx, db, jobpilot.ApplicationFilter{ProfileID: c.Profile}) {
		if err != nil {
			return err
		}
		p, ok := posts[a.PostingID]
		if !ok {
			if p, err = db.Posting(app.Ctx, a.PostingID); err != nil && jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
				return err
			}
			posts[a.PostingID] = p
		}
		rows = append(rows, jobpilot.TrackerRow{Application: a, Posting: p})
	}
	var w io.Writer = app.Stdout
	if c.CSV != "-" {
		f, err := os.Create(c.CSV)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := jobpilot.WriteTrackerCSV(w, rows); err != nil {
		return err
	}
	if c.CSV != "-" {
		fmt.Fprintf(app.Stdout, "%d applications written to %s\n", len(rows), c.CSV)
	}
	return nil
}

// ProfilesCmd is `jobpilot profiles`.
type ProfilesCmd struct{}

// Run lists the profiles with what decides their matching and sending.
func (c *ProfilesCmd) Run(app *App) error {
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, err := db.Profiles(app.Ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintln(app.Stdout, "no profiles; import one with `jobpilot profile import FILE`")
		return nil
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL\tVERSION\tMODE\tMIN SCORE\tAPPLICATIONS")
	for _, p := range ps {
		counts, err := db.CountByStatus(app.Ctx, p.ID)
		if err != nil {
			return err
		}
		n := 0
		for _, c := range counts {
			n += c
		}
		mode := string(p.Preferences.ApplyMode)
		if mode == "" {
			mode = "(APPLY_MODE)"
		}
		name := p.Resume.Basics.Name
		if p.Example {
			name += " (example)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%d\n", p.ID, name, p.Resume.Basics.Email, p.Version, mode, p.Preferences.EffectiveMinScore(), n)
	}
	return tw.Flush()
}

// FunnelCmd is `jobpilot funnel [--profile]`.
type FunnelCmd struct {
	Profile int64 `help:"Only this profile's applications."`
}

// Run prints the funnel: per stage the applications that reached it and
// the conversion from the stage before, then the same per week.
func (c *FunnelCmd) Run(app *App) error {
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	apps, err := store.Collect(store.AllApplications(app.Ctx, db, jobpilot.ApplicationFilter{ProfileID: c.Profile}))
	if err != nil {
		return err
	}
	f := jobpilot.FunnelOf(apps)
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tAPPLICATIONS\tFROM THE STAGE BEFORE")
	for i, s := range f.Stages {
		conv := "-"
		if i > 0 {
			conv = fmt.Sprintf("%.0f%%", s.Conversion*100)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s.Name, s.Count, conv)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(f.Weeks) > 0 {
		fmt.Fprintln(app.Stdout)
		tw = tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "WEEK OF\tSENT\tREPLIED\tINTERVIEWING\tOFFERED")
		for _, w := range f.Weeks {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", w.Week, w.Stages[0].Count, w.Stages[1].Count, w.Stages[2].Count, w.Stages[3].Count)
		}
		return tw.Flush()
	}
	return nil
}
