package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// section returns the HTML of the dashboard section with the given id.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %q", id)
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// The dashboard's sections hold what the issue asks, not only their
// headings: on the review queue the writer of each ready application and
// why one is held; on the admin page counts by status, an open
// breaker's time to half-open, the scheduler's jobs with next run and
// restarts, and recent events that include retries, breaker transitions and
// fabrication-guard removals.
func TestDashboardSectionsShowTheirContent(t *testing.T) {
	e := newEnv(t)
	ready := e.readyByEmail(t)
	ctx := context.Background()

	// One retry, then a breaker opens (a breaker of its own, threshold 2,
	// so the system's own breakers are left alone).
	trip := e.sys.Resilience.Breakers.Service(resilience.Settings{Name: "trip", Breaker: "trip", MaxRetries: 1, InitialDelay: time.Millisecond},
		resilience.BreakerSettings{FailureThreshold: 2, RecoveryTimeout: 5 * time.Minute})
	_ = trip.Do(ctx, func(context.Context) error { return jobpilot.Transient(errors.New("421 try later")) })
	// A configuration error pauses a breaker until it is reset.
	mailcfg := e.sys.Resilience.Breakers.Service(resilience.Settings{Name: "mailcfg", Breaker: "mailcfg"},
		resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute})
	_ = mailcfg.Do(ctx, func(context.Context) error {
		return jobpilot.Misconfigured(errors.New("535 5.7.8 authentication failed"))
	})
	if err := e.sys.Store.AddEvent(ctx, &jobpilot.Event{ApplicationID: ready.ID, Kind: jobpilot.EventGuardRemoval,
		Message: `removed "Google" from work[3].name: employer not in profile`}); err != nil {
		t.Fatal(err)
	}
	held := jobpilot.GuardReport{Removed: 2, Phrases: []string{"Google", "MIT"}, Hold: "the writer invented 2 facts; 2 removed"}
	if _, err := e.sys.Store.Update(ctx, ready.ID, jobpilot.Change{Guard: &held}); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"token": {secretToken}}); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if r := section(t, get("/"), "review"); !strings.Contains(r, `title="what wrote the documents">template<`) {
		t.Errorf("the review queue does not say which writer produced the documents")
	} else if !strings.Contains(r, "Held for review:</b> the writer invented 2 facts; 2 removed. Removed: &ldquo;Google&rdquo;, &ldquo;MIT&rdquo;") {
		t.Errorf("the review queue does not show why an application is held and what was removed:\n%s", r)
	}

	var page string
	// The start-up runs may still be going when the first application is
	// ready: wait for the events and for a scheduled job's completed run.
	waitFor(t, 5*time.Second, "the service events to be stored and a scheduled run to complete", func() bool {
		resp, err := c.Get(e.srv.URL + "/admin")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page = string(b)
		ev := section(t, page, "events")
		return strings.Contains(ev, "k-"+jobpilot.EventBreaker) && strings.Contains(ev, "k-"+jobpilot.EventRetry) &&
			strings.Contains(section(t, page, "scheduler"), `s-completed">completed`)
	})

	if p := section(t, page, "pipeline"); !regexp.MustCompile(`data-status="ready"><b>[1-9]`).MatchString(p) {
		t.Errorf("pipeline counts lack the ready applications:\n%s", p)
	}
	if b := section(t, page, "breakers"); !regexp.MustCompile(`(?s)<td>trip</td><td><span class="badge s-open">.*?<td>in \d+s</td>`).MatchString(b) {
		t.Errorf("the open breaker's time to half-open is not shown:\n%s", b)
	}
	if b := section(t, page, "breakers"); !regexp.MustCompile(`(?s)<td>mailcfg</td><td><span class="badge s-open">.*?paused until reset: 535 5.7.8 authentication failed</span>`).MatchString(b) {
		t.Errorf("the paused breaker's reason is not shown:\n%s", b)
	}
	s := section(t, page, "scheduler")
	for _, want := range []string{"0 restarts", "automation run", "follow ups", `s-completed">completed`} {
		if !strings.Contains(s, want) {
			t.Errorf("scheduler section lacks %q:\n%s", want, s)
		}
	}
	if !regexp.MustCompile(`automation run<div[^>]*>[^<]*</div></td><td title="[^"]+">in \d`).MatchString(s) {
		t.Errorf("scheduler section lacks the automation run's next run:\n%s", s)
	}
	if n := strings.Count(s, `name="kind"`); n != 5 { // with the notification digest
		t.Errorf("scheduler lists %d jobs, want 5", n)
	}
	if ev := section(t, page, "events"); !strings.Contains(ev, "k-"+jobpilot.EventGuardRemoval) || !strings.Contains(ev, "Google") {
		t.Errorf("recent events lack the guard removal:\n%s", ev)
	}
}
