package apply_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// Issue 14: upgrading changes how postings are read (link targets kept in
// descriptions, spaces kept, HN headers read by content, pay and locations
// added). A re-fetch after the upgrade must not make any stored posting a
// second job to apply to. The "before" state is the postings exactly as the
// previous code stored them (source/testdata/before), with the applications
// the automation made for them; the same boards are then fetched by this
// code and the automation runs again.
func TestRefetchAfterUpgradeMakesNoNewApplications(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		fixtures := filepath.Join("..", "source", "testdata")
		files := map[string]string{
			"/v1/boards/acme/jobs":           "greenhouse_acme.json",
			"/v0/postings/globex":            "lever_globex.json",
			"/posting-api/job-board/initech": "ashby_initech.json",
			"/api/v1/search_by_date":         "hn_search.json",
			"/api/v1/items/45800000":         "hn_thread.json",
		}
		boards := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name, ok := files[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, filepath.Join(fixtures, name))
		}))
		t.Cleanup(boards.Close)
		dir := t.TempDir()
		cfgFile := filepath.Join(dir, "jobpilot.yaml")
		writeFile(t, cfgFile, "sources:\n"+
			"  - {type: greenhouse, name: acme, token: acme, base_url: "+boards.URL+"}\n"+
			"  - {type: lever, name: globex, site: globex, base_url: "+boards.URL+"}\n"+
			"  - {type: ashby, name: initech, org: initech, base_url: "+boards.URL+"}\n"+
			"  - {type: hn, name: hn, base_url: "+boards.URL+"}\n")
		e := newEnv(t, b, map[string]string{"JOBPILOT_CONFIG": cfgFile, "JOBPILOT_WRITER": "template"}, system.Options{})
		ctx := context.Background()
		p := exampleProfile(t)
		if err := e.st.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}

		// Before: what the previous code stored, and the applications made.
		type key struct{ source, id string }
		before := map[key]bool{}
		for _, golden := range []string{"greenhouse_acme", "lever_globex", "ashby_initech", "hn"} {
			data, err := os.ReadFile(filepath.Join(fixtures, "before", golden+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			var ps []jobpilot.Posting
			if err := json.Unmarshal(data, &ps); err != nil {
				t.Fatal(err)
			}
			for _, old := range ps {
				before[key{old.Source, old.ExternalID}] = true
			}
			if _, err := e.st.UpsertPostings(ctx, ps[0].Source, ps, true); err != nil {
				t.Fatal(err)
			}
		}
		e.automate(t)
		appsOf := func() map[key]int {
			n := map[key]int{}
			for _, a := range e.apps(t, p.ID) {
				post, err := e.st.Posting(ctx, a.PostingID)
				if err != nil {
					t.Fatal(err)
				}
				n[key{post.Source, post.ExternalID}]++
			}
			return n
		}
		was := appsOf()
		if len(was) != len(before) {
			t.Fatalf("fixture: %d applications for %d postings", len(was), len(before))
		}

		// The upgrade's first fetch and automation run.
		if err := e.sys.Apply.FetchPostings(ctx, jobpilot.Task{Kind: jobpilot.TaskFetchPostings}); err != nil {
			t.Fatal(err)
		}
		if run := e.lastRun(t, jobpilot.RunFetch); run.Status != jobpilot.RunSucceeded || run.Counts["failed_sources"] != 0 {
			t.Fatalf("fetch run: %+v", run)
		}
		e.automate(t)
		now := appsOf()
		for k := range before {
			if now[k] != 1 {
				t.Errorf("%v: %d applications after the re-fetch, want still 1", k, now[k])
			}
		}
		for k, n := range now {
			if !before[k] && n != 1 {
				t.Errorf("new posting %v: %d applications", k, n)
			}
		}
	})
}
