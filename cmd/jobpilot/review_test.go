package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/internal/pdftext"
)

// The candidate's commands end to end on a real database: export writes
// PDFs a reader can open (their text is read back), the review actions
// move applications, the tracker exports as CSV, and usage errors exit 2.
func TestReviewCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off", "SEND_DELAY": "1h"}
	importAndRun(t, env, dir)
	_, out, _ := runCLI(t, env, "applications", "--status", "ready")
	ids := func(re string) []string {
		var out2 []string
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(out, -1) {
			out2 = append(out2, m[1])
		}
		return out2
	}
	byEmail, byURL := ids(`(?m)^(\d+)\s+ready\s+\d+\s+.*\S+@\S+`), ids(`(?m)^(\d+)\s+ready\s+\d+\s+.*https://`)
	if len(byEmail) < 3 || len(byURL) < 1 {
		t.Fatalf("want 3 ready by email and 1 by link:\n%s", out)
	}
	if !strings.Contains(out, "RECIPIENT DOMAIN") || !regexp.MustCompile(`\S+@(\S+)\s+\S+\.example\.\w+ \(posting at jobs\.example\.org\)`).MatchString(out) {
		t.Fatalf("applications does not show the recipient's domain and the posting's:\n%s", out)
	}

	// export: the PDFs, read back.
	exportDir := filepath.Join(dir, "export")
	code, out, errOut := runCLI(t, env, "export", byEmail[0], "--dir", exportDir)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, kind := range []string{"resume", "cover-letter"} {
		b, err := os.ReadFile(filepath.Join(exportDir, "application-"+byEmail[0]+"-"+kind+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		pages, err := pdftext.Pages(b)
		if err != nil || !strings.Contains(strings.Join(pages, " "), "Lena") {
			t.Fatalf("%s PDF: %v, text %q", kind, err, pages)
		}
	}
	if code, _, errOut := runCLI(t, env, "export", byEmail[0]); code != 2 || !strings.Contains(errOut, "--dir") {
		t.Fatalf("export without --dir: exit %d %s", code, errOut)
	}

	// approve, then cancel inside the undo window.
	if code, out, errOut := runCLI(t, env, "approve", byEmail[0]); code != 0 || !strings.Contains(out, "jobpilot cancel "+byEmail[0]) {
		t.Fatalf("approve: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, env, "cancel", byEmail[0]); code != 0 || !strings.Contains(out, "nothing was sent") {
		t.Fatalf("cancel: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "cancel", byEmail[0]); code != 1 || !strings.Contains(errOut, "is ready, not approved") {
		t.Fatalf("cancel twice: exit %d %s", code, errOut)
	}
	// dismiss, block, applied, status.
	if code, out, _ := runCLI(t, env, "dismiss", byEmail[0], "--reason", "too far"); code != 0 || !strings.Contains(out, byEmail[0]+": dismissed") {
		t.Fatalf("dismiss: exit %d %s", code, out)
	}
	if code, out, _ := runCLI(t, env, "block", byEmail[1], "--reason", "ghosting"); code != 0 || !strings.Contains(out, "company blocked") {
		t.Fatalf("block: exit %d %s", code, out)
	}
	if code, out, _ := runCLI(t, env, "applied", byURL[0], "--date", "2026-11-30"); code != 0 || !strings.Contains(out, "applied on 2026-11-30") {
		t.Fatalf("applied: exit %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "applied", byURL[0], "--date", "last week"); code != 2 || !strings.Contains(errOut, "--date") {
		t.Fatalf("applied with a bad date: exit %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, env, "status", byURL[0], "interviewing", "--note", "call Tuesday", "--date", "2026-12-01"); code != 0 ||
		!strings.Contains(out, "interviewing since 2026-12-01") {
		t.Fatalf("status: exit %d %s", code, out)
	}
	if code, _, _ := runCLI(t, env, "status", byURL[0], "hired"); code != 2 {
		t.Fatalf("status hired: exit %d, want 2", code)
	}
	if code, _, errOut := runCLI(t, env, "retry", byEmail[2]); code != 1 || !strings.Contains(errOut, "only a failed application") {
		t.Fatalf("retry of a ready one: exit %d %s", code, errOut)
	}

	// The tracker.
	csvFile := filepath.Join(dir, "tracker.csv")
	if code, out, _ := runCLI(t, env, "export", "--csv", csvFile); code != 0 || !strings.Contains(out, "applications written to") {
		t.Fatalf("export --csv: exit %d %s", code, out)
	}
	f, err := os.Open(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var interviewing []string
	for _, r := range rows[1:] {
		if r[0] == byURL[0] {
			interviewing = r
		}
	}
	if len(rows) < 5 || rows[0][1] != "company" || interviewing == nil || interviewing[4] != "interviewing" ||
		interviewing[10] != "2026-11-30" || interviewing[12] != "call Tuesday" || interviewing[1] == "" || interviewing[3] == "" {
		t.Fatalf("csv: %q", rows)
	}
	if code, out, _ := runCLI(t, env, "funnel"); code != 0 || !regexp.MustCompile(`(?m)^interviewing\s+1\s+100%`).MatchString(out) ||
		!strings.Contains(out, "2026-11-30") {
		t.Fatalf("funnel: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, env, "profiles"); code != 0 || !regexp.MustCompile(`(?m)^1\s+Lena Novák\s+\S+@\S+\s+1\s+\(APPLY_MODE\)\s+45\s+\d+`).MatchString(out) {
		t.Fatalf("profiles: exit %d\n%s", code, out)
	}

	// applications says when it cuts the list; --all does not.
	if code, out, _ := runCLI(t, env, "applications", "--limit", "2"); code != 0 || !strings.Contains(out, "showing the first 2 applications; there are more") {
		t.Fatalf("applications --limit 2: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, env, "applications", "--all"); code != 0 || strings.Contains(out, "there are more") ||
		!strings.Contains(out, "dismissed") {
		t.Fatalf("applications --all: exit %d\n%s", code, out)
	}

	// restore: the dismissed one is back in review; again, or one that
	// was not dismissed, is refused.
	if code, out, errOut := runCLI(t, env, "restore", byEmail[0]); code != 0 || !strings.Contains(out, byEmail[0]+": restored; it is ready again") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "restore", byEmail[0], byURL[0]); code != 1 ||
		!strings.Contains(errOut, byEmail[0]+": application "+byEmail[0]+" is ready: only a dismissed application can be restored") ||
		!strings.Contains(errOut, "2 of 2 applications not restored") {
		t.Fatalf("restore twice: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "restore", "0"); code != 2 || !strings.Contains(errOut, "not an application id") {
		t.Fatalf("restore 0: exit %d %s", code, errOut)
	}
}

// Direct mode refuses to start for a profile whose preferences do not say
// what the candidate looks for, naming it, unless forced.
func TestDirectModeNeedsPreferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off", "APPLY_MODE": "direct",
		"JOBPILOT_NODE_ID": "direct-prefs", "HTTP_ADDR": "127.0.0.1:0"}
	bare := filepath.Join(dir, "bare.json")
	if err := os.WriteFile(bare, []byte(`{"resume":{"basics":{"name":"Maya Chen","email":"maya@example.com"},"work":[{"name":"Ledgerly","position":"Backend Engineer","startDate":"2022-01"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, env, "profile", "import", bare); code != 0 {
		t.Fatalf("import: exit %d %s", code, errOut)
	}
	for _, cmd := range []string{"run", "serve"} {
		code, _, errOut := runCLIConcurrent(t, env, cmd)
		if code != 2 || !strings.Contains(errOut, "profile 1 (Maya Chen) has no preferences") || !strings.Contains(errOut, "--force") {
			t.Fatalf("%s in direct mode without preferences: exit %d\n%s", cmd, code, errOut)
		}
	}
	if code, out, errOut := runCLIConcurrent(t, env, "run", "--force"); code != 0 {
		t.Fatalf("run --force: exit %d\n%s\n%s", code, out, errOut)
	}
	review := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off", "APPLY_MODE": "review", "JOBPILOT_NODE_ID": "direct-prefs"}
	if code, _, errOut := runCLIConcurrent(t, review, "run"); code != 0 {
		t.Fatalf("run in review mode: exit %d %s", code, errOut)
	}
}
