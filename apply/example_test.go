package apply_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
)

// The handlers the examples show are apply.Service's, reached through the
// assembled system.
var _ = (*apply.Service).AutomationRun

// openExampleSystem builds jobpilot as `jobpilot run` does, on a fresh
// SQLite file with the example profile and postings and the template writer.
func openExampleSystem(dir string) (*system.System, error) {
	vars := map[string]string{
		"JOBPILOT_DATA_DIR": dir,
		"DATABASE_URL":      "sqlite://" + filepath.Join(dir, "jobpilot.db"),
		"JOBPILOT_WRITER":   "template",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		return nil, err
	}
	return system.Open(context.Background(), cfg, system.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FastStart: true})
}

// An automation run scores every open posting against the profile. The
// examples hold 13 postings; two are the same job in Prague and Brno, so the
// candidate gets 12 applications: matched ones are queued for drafting,
// the rest are skipped with the reasons (an excluded company among them).
func ExampleService_AutomationRun() {
	dir, _ := os.MkdirTemp("", "jobpilot-example-")
	defer os.RemoveAll(dir)
	sys, err := openExampleSystem(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sys.Close()
	ctx := context.Background()

	if err := sys.Apply.AutomationRun(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		fmt.Println(err)
		return
	}
	runs, _ := sys.Store.Runs(ctx, 1)
	r := runs[0]
	fmt.Printf("%s %s: %d postings, %d matched, %d skipped\n",
		r.Kind, r.Status, r.Counts["postings"], r.Counts["matched"], r.Counts["skipped"])

	apps, _ := sys.Store.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusSkipped}})
	for _, a := range apps {
		if a.Explanation.Excluded {
			fmt.Println("excluded:", a.Explanation.Against[0])
		}
	}
	// Output:
	// automation succeeded: 13 postings, 5 matched, 7 skipped
	// excluded: [company] Globex Gambling is on your excluded companies list
}

// Processing a matched application writes the tailored resume and the cover
// letter (here with the template writer, as with no OPENAI_API_KEY), renders
// both to PDF and leaves the application ready for the candidate's approval.
func ExampleService_ProcessPosting() {
	dir, _ := os.MkdirTemp("", "jobpilot-example-")
	defer os.RemoveAll(dir)
	sys, err := openExampleSystem(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sys.Close()
	ctx := context.Background()
	if err := sys.Apply.AutomationRun(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		fmt.Println(err)
		return
	}
	apps, _ := sys.Store.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusMatched}, Limit: 1})
	app := apps[0]
	err = sys.Apply.ProcessPosting(ctx, jobpilot.Task{Kind: jobpilot.TaskProcessPosting,
		ApplicationID: app.ID, ProfileID: app.ProfileID, PostingID: app.PostingID})
	if err != nil {
		fmt.Println(err)
		return
	}
	app, _ = sys.Store.Application(ctx, app.ID)
	docs, _ := sys.Store.Documents(ctx, app.ID)
	fmt.Println("status:", app.Status, "writer:", app.Writer)
	fmt.Println("resume PDF:", len(docs.ResumePDF) > 0, "cover letter PDF:", len(docs.CoverLetterPDF) > 0)
	// Output:
	// status: ready writer: template
	// resume PDF: true cover letter PDF: true
}
