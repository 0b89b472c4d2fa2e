package httpapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRiverUIInBrowser follows the dashboard's "Queue" link in real headless
// Chromium with a dashboard session: River UI's scripts run under its CSP
// (nothing is refused) and it shows the jobs the engine ran at start-up.
// The screenshot goes to artifacts/riverui.png.
func TestRiverUIInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium(t)
	e := newEnv(t)
	script := newUIClient(t, e.srv.URL, secretToken, nil)
	waitFor(t, 30*time.Second, "a completed start-up job", func() bool { return len(script.jobs("completed")) > 0 })

	ctx, stopBrowser := browser(t, exe)

	// Collect what the browser refused because of the CSP, until the test
	// ends the browser's context.
	var (
		mu      sync.Mutex
		refused []string
	)
	messages := chromedp.Console(ctx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				refused = append(refused, m.Text)
				mu.Unlock()
			}
		}
	}()
	defer func() { stopBrowser(); <-collected }()

	if err := chromedp.Do(ctx, append(signIn(e.srv.URL),
		chromedp.WaitVisible(chromedp.ID("nav-queue")),
		chromedp.Click(chromedp.ID("nav-queue")),
		chromedp.WaitReady(chromedp.ID("root")),
		// The app renders its job list (scripts ran, the API answered).
		chromedp.Poll[chromedp.Void](`location.pathname.startsWith("/riverui/") && document.body.innerText.includes("Jobs")`),
		chromedp.Navigate(e.srv.URL+"/riverui/jobs?state=completed"),
		chromedp.Poll[chromedp.Void](`/fetch_postings|automation_run|process_posting/.test(document.body.innerText)`),
	)...); err != nil {
		t.Fatalf("River UI in the browser: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := append([]string(nil), refused...)
	mu.Unlock()
	if len(got) > 0 {
		t.Errorf("the browser refused River UI content under its CSP:\n%s", strings.Join(got, "\n"))
	}
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "riverui.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
