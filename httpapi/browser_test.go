package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jobpilot/jobpilot"
)

// chromium finds Debian's chromium. Outside CI a missing browser skips the
// test; in CI (CI=true) it fails it, because .ci/run installs the package.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); the browser test is required in CI")
	}
	t.Skip("chromium not found: install Debian's chromium package (apt-get install -y chromium) to run the browser test")
	return ""
}

// TestDashboardInBrowser logs in with real headless Chromium against the
// real system, sees a ready application, opens its preview, approves it and
// watches the dashboard show it as sent. Screenshots go to artifacts/.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium(t)
	e := newEnv(t)
	app := e.readyByEmail(t)
	id := fmt.Sprint(app.ID)

	ctx, _ := browser(t, exe)

	if err := chromedp.Do(ctx, append(signIn(e.srv.URL),
		chromedp.WaitVisible(chromedp.ID("review")),
		chromedp.WaitVisible(chromedp.ID("app-"+id)),
		chromedp.Click(chromedp.ID("open-"+id)),
		chromedp.WaitVisible(chromedp.ID("letter")),
		chromedp.WaitVisible(chromedp.ID("resume")),
	)...); err != nil {
		t.Fatalf("login and preview: %v", err)
	}
	letter, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("letter")))
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	post, err := e.sys.Store.Posting(context.Background(), app.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(letter) == "" || !strings.Contains(heading, post.Title) {
		t.Fatalf("preview shows heading %q and a letter of %d bytes", heading, len(letter))
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatalf("approve: %v", err)
	}
	// The send job runs in the background: reload until the dashboard's
	// recent list shows the application as sent, accepting the states on
	// the way (approved, sending) and nothing else.
	deadline := time.Now().Add(2 * time.Minute)
	for seen := ""; seen != string(jobpilot.StatusSent); {
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard still shows %q", seen)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("recent"))); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#recent #app-"+id), "data-status"))
		if err != nil {
			t.Fatal(err)
		}
		switch seen = res.Value; seen {
		case "approved", "sending", "sent":
		default:
			t.Fatalf("the dashboard shows the approved application as %q", seen)
		}
		if seen != "sent" {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if s := e.status(t, app.ID); s != jobpilot.StatusSent {
		t.Fatalf("store says %s", s)
	}

	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.srv.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("pipeline"))); err != nil {
		t.Fatal(err)
	}
	phone, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"admin.png": wide, "admin-phone.png": phone} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
}

// browser starts Debian's chromium headless, with the flags this machine's
// closed network needs and an empty profile, for at most a minute. stop
// closes it; it is also closed when the test ends.
func browser(t *testing.T, exe string) (ctx context.Context, stop func()) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	// A ceiling for a hung browser, not the expected time: on a loaded
	// 2-core machine Chromium's first page alone has taken over a minute.
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); cancelCtx(); cancelAlloc() }) }
	t.Cleanup(stop)
	return ctx, stop
}

// signIn is the dashboard's login as a person does it: the form, the
// token, the button.
func signIn(serverURL string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(serverURL + "/"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), secretToken),
		chromedp.Click(chromedp.ID("login")),
	}
}
