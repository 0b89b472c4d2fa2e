package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/examples"
)

// fetch imports a JSON feed and a Greenhouse-shaped board served locally,
// reports each source, and keeps going when one source fails.
func TestFetchCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	if err := os.WriteFile(feed, []byte(`[
	  {"external_id":"a1","company":"Acme","title":"Go Engineer","contact_email":"jobs@example.com"},
	  {"external_id":"a2","company":"Acme","title":"SRE"}
	]`), 0o600); err != nil {
		t.Fatal(err)
	}
	board := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/boards/acme/jobs") {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"jobs": []map[string]any{{
			"id": 7, "title": "Platform Engineer", "updated_at": "2026-11-01T10:00:00Z",
			"location": map[string]any{"name": "Remote"}, "absolute_url": "https://example.com/7",
			"content": "&lt;p&gt;Run &lt;b&gt;Kubernetes&lt;/b&gt;&lt;/p&gt;", "company_name": "Acme",
		}}})
	}))
	defer board.Close()
	cfgFile := filepath.Join(dir, "jobpilot.yaml")
	yaml := "sources:\n" +
		"  - {type: json, name: feed, url: " + feed + "}\n" +
		"  - {type: greenhouse, name: acme, token: acme, base_url: " + board.URL + "}\n" +
		"  - {type: greenhouse, name: gone, token: gone, base_url: " + board.URL + "}\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off", "MAX_RETRIES": "0"}

	code, out, errOut := runCLI(t, env, "--config", cfgFile, "fetch")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`json:feed\s+2\s+2\s+0\s+0`),
		regexp.MustCompile(`greenhouse:acme\s+1\s+1\s+0\s+0`),
		regexp.MustCompile(`greenhouse:gone\s+0\s+0\s+0\s+0\s+yes`),
		regexp.MustCompile(`TOTAL\s+3\s+3\s+0\s+0\s+1`),
	} {
		if !want.MatchString(out) {
			t.Errorf("table lacks %s:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "greenhouse:gone: FAILED") {
		t.Errorf("progress lacks the failed source:\n%s", errOut)
	}

	// A second fetch of one source: nothing new, nothing closed.
	code, out, _ = runCLI(t, env, "--config", cfgFile, "fetch", "--source", "feed")
	if code != 0 || !regexp.MustCompile(`json:feed\s+2\s+0\s+0\s+0`).MatchString(out) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "--config", cfgFile, "fetch", "--source", "nope"); code != 2 || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown source: exit %d, %s", code, errOut)
	}
}

// profile import validates and points at the offending field; applications
// lists what run prepared; approve queues ready ones and refuses the rest.
func TestProfileImportApplicationsApprove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir, "JOBPILOT_EXAMPLES": "off"}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"resume":{"basics":{"name":"Ada"},"work":[{"name":"Acme","startDate":"03/2020"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, env, "profile", "import", bad)
	if code != 2 || !strings.Contains(errOut, "resume.work[0].startDate") {
		t.Fatalf("bad profile: exit %d, %q", code, errOut)
	}
	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`{"resume":{"basics":{"name":"Ada"}},"preferences":{"min_scor":10}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, env, "profile", "import", typo); code != 2 || !strings.Contains(errOut, "min_scor") {
		t.Fatalf("unknown field: exit %d, %q", code, errOut)
	}

	importAndRun(t, env, dir)
	code, out, _ := runCLI(t, env, "applications", "--status", "ready")
	if code != 0 {
		t.Fatalf("applications: exit %d", code)
	}
	byEmail := regexp.MustCompile(`(?m)^(\d+)\s+ready\s+\d+\s+.*\S+@\S+`).FindStringSubmatch(out)
	byURL := regexp.MustCompile(`(?m)^(\d+)\s+ready\s+\d+\s+.*https://`).FindStringSubmatch(out)
	if byEmail == nil || byURL == nil {
		t.Fatalf("want ready applications by email and by URL:\n%s", out)
	}
	// A word where an id belongs is a usage error: nothing is approved.
	if code, _, errOut := runCLI(t, env, "approve", byEmail[1], "x"); code != 2 || !strings.Contains(errOut, `"x"`) {
		t.Fatalf("approve x: exit %d, %q", code, errOut)
	}
	code, out, errOut = runCLI(t, env, "approve", byEmail[1], byURL[1])
	if code != 1 {
		t.Fatalf("approve with refusals: exit %d", code)
	}
	// It says what will happen: to whom, saved to the outbox (no SMTP
	// server here), when, and how to undo it.
	if !strings.Contains(out, byEmail[1]+": approved for ") || !strings.Contains(out, "saved to "+dir+"/outbox as an .eml file, not emailed") ||
		!strings.Contains(out, "jobpilot cancel "+byEmail[1]) || strings.Contains(out, "it is sent by the running service") ||
		!strings.Contains(errOut, "apply via the posting's link") {
		t.Fatalf("approve output:\n%s\n%s", out, errOut)
	}
	code, out, _ = runCLI(t, env, "applications", "--status", "approved")
	if code != 0 || !regexp.MustCompile(`(?m)^`+byEmail[1]+`\s+approved`).MatchString(out) {
		t.Fatalf("approved list:\n%s", out)
	}
	if code, _, errOut := runCLI(t, env, "applications", "--status", "bogus"); code != 2 || !strings.Contains(errOut, "bogus") {
		t.Fatalf("bad status: exit %d %s", code, errOut)
	}
}

// importAndRun imports the example profile as the candidate's own and runs
// one pass over the example postings through a json source.
func importAndRun(t *testing.T, env map[string]string, dir string) {
	t.Helper()
	p, err := examples.Profile()
	if err != nil {
		t.Fatal(err)
	}
	p.Example = false
	data, _ := json.Marshal(map[string]any{"resume": p.Resume, "preferences": p.Preferences})
	good := filepath.Join(dir, "me.json")
	if err := os.WriteFile(good, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env, "profile", "import", good)
	if code != 0 || !strings.Contains(out, "profile 1 imported (Lena Novák)") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	feedDir, _ := filepath.Abs("../../examples/postings.json")
	cfgFile := filepath.Join(dir, "jobpilot.yaml")
	if err := os.WriteFile(cfgFile, []byte("sources:\n  - {type: json, name: ex, url: "+feedDir+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, env, "--config", cfgFile, "run"); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// endless is /dev/zero: it never ends and never blocks.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// blocked is a pipe nobody writes to: a Read waits until the test ends.
type blocked struct{ release chan struct{} }

func (b blocked) Read(p []byte) (int, error) { <-b.release; return 0, io.EOF }

// profile import reads at most --max-bytes (5 MB by default) and says so,
// and it stops waiting for its input when it is cancelled (SIGTERM).
func TestProfileImportIsBounded(t *testing.T) {
	t.Parallel()
	env := map[string]string{"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_EXAMPLES": "off"}
	getenv := func(k string) string { return env[k] }
	var out, errOut lockedBuffer
	code := run(context.Background(), []string{"profile", "import", "-"}, getenv, endless{}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "larger than 5242880 bytes") {
		t.Errorf("endless input: exit %d, %q; want exit 2 and the limit named", code, errOut.String())
	}
	errOut = lockedBuffer{}
	code = run(context.Background(), []string{"profile", "import", "--max-bytes", "1000", "-"}, getenv, endless{}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "larger than 1000 bytes") {
		t.Errorf("--max-bytes 1000: exit %d, %q", code, errOut.String())
	}

	in := blocked{release: make(chan struct{})}
	defer close(in.release)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	errOut = lockedBuffer{}
	go func() { done <- run(ctx, []string{"profile", "import", "-"}, getenv, in, &out, &errOut) }()
	cancel() // what SIGTERM does through signal.NotifyContext in main
	select {
	case code := <-done:
		if code == 0 || !strings.Contains(errOut.String(), "context canceled") {
			t.Errorf("cancelled import: exit %d, %q", code, errOut.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("profile import ignored its cancellation while its input was silent")
	}
}
