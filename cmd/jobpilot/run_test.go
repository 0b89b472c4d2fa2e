package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/pdftext"
	"github.com/jobpilot/jobpilot/store"
)

// TestRunMainJob is the README's main job: `jobpilot run` on a fresh data
// directory with no keys loads the examples, drafts with the template
// writer, renders real PDFs and, in direct mode, writes the emails of the
// postings with a contact address to <data>/outbox as .eml files.
func TestRunMainJob(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "APPLY_MODE": "direct", "JOBPILOT_NODE_ID": "run-test"}
	start := time.Now()
	code, stdout, stderr := runCLI(t, env, "run")
	wall := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "postings") || !strings.Contains(stdout, "sent") {
		t.Errorf("no summary table in:\n%s", stdout)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "jobpilot.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.CountByStatus(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []jobpilot.Status{jobpilot.StatusMatched, jobpilot.StatusDrafting, jobpilot.StatusApproved, jobpilot.StatusSending, jobpilot.StatusFailed, jobpilot.StatusNeedsReview} {
		if counts[st] != 0 {
			t.Errorf("%d applications left %s: %v", counts[st], st, counts)
		}
	}
	if counts[jobpilot.StatusReady] == 0 || counts[jobpilot.StatusSent] < 3 {
		t.Errorf("counts %v: want ready applications (apply via URL) and at least 3 sent to the outbox", counts)
	}

	profiles, err := db.Profiles(ctx)
	if err != nil || len(profiles) != 1 {
		t.Fatalf("profiles %d, %v", len(profiles), err)
	}
	name := profiles[0].Name()
	apps, err := db.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady, jobpilot.StatusSent}, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range apps {
		docs, err := db.Documents(ctx, app.ID)
		if err != nil {
			t.Fatalf("application %d: %v", app.ID, err)
		}
		for what, pdf := range map[string][]byte{"resume": docs.ResumePDF, "cover letter": docs.CoverLetterPDF} {
			pages, err := pdftext.Pages(pdf)
			if err != nil || len(pages) == 0 {
				t.Fatalf("application %d %s: not a readable PDF: %v", app.ID, what, err)
			}
			if !strings.Contains(strings.Join(pages, "\n"), name) {
				t.Errorf("application %d %s does not name the candidate %q", app.ID, what, name)
			}
		}
	}
	emls, err := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(emls) != counts[jobpilot.StatusSent] {
		t.Errorf("%d .eml files in the outbox, want one per sent application (%d)", len(emls), counts[jobpilot.StatusSent])
	}
	for _, f := range emls {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Message-ID: <application-") || !strings.Contains(string(b), "application/pdf") {
			t.Errorf("%s is not an application email with PDFs", filepath.Base(f))
		}
	}
	t.Logf("jobpilot run (fresh data dir, no keys, direct mode): %s wall; %d applications: %v; %d .eml files",
		wall.Round(10*time.Millisecond), len(apps), counts, len(emls))
}
