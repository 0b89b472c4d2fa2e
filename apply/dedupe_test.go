package apply_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// Issue 4, "Deduplication": the examples' ex-001 (Prague) and ex-012 (Brno)
// are the same job in two cities. After an automation run the candidate has
// exactly one application for it, and one per other distinct job.
func TestSameJobInTwoCitiesIsOneApplication(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"}, system.Options{})
		if !e.sys.ExamplesLoaded {
			t.Fatal("examples not loaded into the empty database")
		}
		prague := e.posting(t, examples.SourceName, "ex-001")
		brno := e.posting(t, examples.SourceName, "ex-012")
		if prague.ID == brno.ID || prague.Location == brno.Location {
			t.Fatalf("fixture: want two postings in two cities, got %+v and %+v", prague, brno)
		}
		if prague.Fingerprint != brno.Fingerprint {
			t.Fatalf("ex-001 and ex-012 have different fingerprints: %s vs %s", prague.Fingerprint, brno.Fingerprint)
		}

		run := e.automate(t)
		profiles, err := e.st.Profiles(context.Background())
		if err != nil || len(profiles) != 1 {
			t.Fatalf("profiles: %v, %v", profiles, err)
		}
		apps := e.apps(t, profiles[0].ID)
		postings := run.Counts["postings"]
		if postings != 13 {
			t.Fatalf("run saw %d postings, want the 13 examples", postings)
		}
		// 13 postings, 12 distinct jobs.
		if len(apps) != 12 {
			t.Fatalf("%d applications for 13 postings of which two are one job; want 12", len(apps))
		}
		var same []*jobpilot.Application
		seen := map[string]bool{}
		for _, a := range apps {
			if seen[a.Fingerprint] {
				t.Errorf("two applications share fingerprint %s", a.Fingerprint)
			}
			seen[a.Fingerprint] = true
			if a.Fingerprint == prague.Fingerprint {
				same = append(same, a)
			}
		}
		if len(same) != 1 {
			t.Fatalf("%d applications for the Fernwood Pay job, want 1", len(same))
		}
		if same[0].PostingID != prague.ID && same[0].PostingID != brno.ID {
			t.Errorf("the application points at posting %d, neither city's", same[0].PostingID)
		}
		if got := run.Counts["matched"] + run.Counts["skipped"]; got != 12 {
			t.Errorf("run counted %d new applications (%v), want 12", got, run.Counts)
		}

		// A second run changes nothing: still one application per job.
		run2 := e.automate(t)
		if n := len(e.apps(t, profiles[0].ID)); n != 12 {
			t.Errorf("after a second run: %d applications, want 12", n)
		}
		if run2.Counts["matched"]+run2.Counts["skipped"] != 0 {
			t.Errorf("second run created applications: %v", run2.Counts)
		}
	})
}

// ghSameJob is a Greenhouse board (the API's real shape: entity-escaped HTML
// content) listing the job that feed.json below also lists, in another city
// and with different markup.
const ghSameJob = `{"jobs": [
 {"id": 7001, "title": "Senior Backend Engineer", "company_name": "Nimbus Payments",
  "updated_at": "2026-11-20T10:15:00Z", "location": {"name": "Berlin, Germany"},
  "absolute_url": "https://boards.greenhouse.io/nimbus/jobs/7001",
  "content": "&lt;h3&gt;About the role&lt;/h3&gt;&lt;p&gt;Build our payments platform in &lt;strong&gt;Go&lt;/strong&gt; on PostgreSQL and Kubernetes.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Distributed systems&lt;/li&gt;&lt;li&gt;Observability with Prometheus&lt;/li&gt;&lt;/ul&gt;"},
 {"id": 7002, "title": "Office Manager", "company_name": "Nimbus Payments",
  "updated_at": "2026-11-20T10:15:00Z", "location": {"name": "Berlin, Germany"},
  "absolute_url": "https://boards.greenhouse.io/nimbus/jobs/7002",
  "content": "&lt;p&gt;Keep our Berlin office running.&lt;/p&gt;"}
]}`

const feedSameJob = `{"postings": [
 {"external_id": "np-1", "company": "Nimbus Payments", "title": "Senior Backend Engineer",
  "location": "Prague", "remote": false,
  "description": "About the role\n\nBuild our payments platform in Go on PostgreSQL and Kubernetes.\n\n- Distributed systems\n- Observability with Prometheus",
  "url": "https://jobs.example.com/nimbus/np-1", "contact_email": "jobs@nimbus.example.com"}
]}`

// Issue 4, "Deduplication" across sources: the same job from a Greenhouse
// board (served over HTTP) and from a JSON feed file, imported through the
// configured sources and source.FetchAll into the real store, is two postings
// and one application.
func TestSameJobFromTwoSourcesIsOneApplication(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v1/boards/nimbus/jobs" || r.URL.Query().Get("content") != "true" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(ghSameJob))
		}))
		t.Cleanup(gh.Close)
		dir := t.TempDir()
		feed := filepath.Join(dir, "feed.json")
		writeFile(t, feed, feedSameJob)
		cfgFile := filepath.Join(dir, "jobpilot.yaml")
		writeFile(t, cfgFile, "sources:\n"+
			"  - {type: greenhouse, name: nimbus, token: nimbus, base_url: "+gh.URL+"}\n"+
			"  - {type: json, name: partner, url: "+feed+"}\n")

		e := newEnv(t, b, map[string]string{"JOBPILOT_CONFIG": cfgFile, "JOBPILOT_WRITER": "template"}, system.Options{})
		ctx := context.Background()
		p := exampleProfile(t)
		if err := e.st.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := e.sys.Apply.FetchPostings(ctx, jobpilot.Task{Kind: jobpilot.TaskFetchPostings}); err != nil {
			t.Fatal(err)
		}
		fetch := e.lastRun(t, jobpilot.RunFetch)
		if fetch.Status != jobpilot.RunSucceeded || fetch.Counts["new"] != 3 || fetch.Counts["failed_sources"] != 0 {
			t.Fatalf("fetch run: %+v", fetch)
		}
		fromGH := e.posting(t, "greenhouse:nimbus", "7001")
		fromFeed := e.posting(t, "json:partner", "np-1")
		if fromGH.Fingerprint != fromFeed.Fingerprint {
			t.Fatalf("the two sources' copies differ in fingerprint:\n%q\n%q", fromGH.Description, fromFeed.Description)
		}

		run := e.automate(t)
		apps := e.apps(t, p.ID)
		if len(apps) != 2 {
			t.Fatalf("%d applications for 3 postings of which two are one job; want 2", len(apps))
		}
		var n int
		for _, a := range apps {
			if a.Fingerprint == fromGH.Fingerprint {
				n++
				if a.Status != jobpilot.StatusMatched {
					t.Errorf("the backend job scored %d and is %s, want matched", a.Score, a.Status)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d applications for the job listed twice, want 1", n)
		}
		if run.Counts["postings"] != 3 || run.Counts["matched"] != 1 || run.Counts["skipped"] != 1 {
			t.Errorf("run counts %v, want 3 postings, 1 matched, 1 skipped", run.Counts)
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exampleProfile is a fresh copy of the example candidate, not marked as an
// example (a real user's profile in these tests).
func exampleProfile(t *testing.T) *jobpilot.Profile {
	t.Helper()
	p, err := examples.Profile()
	if err != nil {
		t.Fatal(err)
	}
	p.Example = false
	return p
}

// The two listings of one job (ex-001 Prague, ex-012 Brno) score
// differently, and their one application is skipped when neither passes. A
// run with nothing changed leaves it alone: the other listing does not
// re-score it (which would rewrite it on every run, each listing in turn).
func TestSkippedJobListedTwiceIsStable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, dbtest.SQLite(), map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"}, system.Options{})
	profiles, err := e.st.Profiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prof := profiles[0]
	prof.Preferences.MinScore = new(99)
	if err := e.st.ReplaceProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	e.automate(t)
	app := e.appFor(t, prof.ID, examples.SourceName, "ex-001")
	if app.Status != jobpilot.StatusSkipped {
		t.Fatalf("fixture: the Fernwood Pay job is %s at %d", app.Status, app.Score)
	}
	for i := range 2 {
		e.automate(t)
		again := e.app(t, app.ID)
		if !again.UpdatedAt.Equal(app.UpdatedAt) || again.PostingHash != app.PostingHash || again.Score != app.Score {
			t.Fatalf("run %d rewrote the skipped application: score %d→%d, hash %s→%s",
				i+2, app.Score, again.Score, app.PostingHash, again.PostingHash)
		}
	}
	// Lowered below the better listing's score: matched, once.
	prof.Preferences.MinScore = new(70)
	if err := e.st.ReplaceProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	e.automate(t)
	if a := e.app(t, app.ID); a.Status != jobpilot.StatusMatched || a.Score < 70 {
		t.Errorf("after min_score 70: %s at %d", a.Status, a.Score)
	}
	if n := len(e.apps(t, prof.ID)); n != 12 {
		t.Errorf("%d applications, want 12", n)
	}
}
