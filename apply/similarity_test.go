package apply_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/system"
)

func embeddingRequests(f *fakellm.Server) (calls, texts int) {
	for _, r := range f.Requests() {
		if r.Embeddings > 0 {
			calls++
			texts += r.Embeddings
		}
	}
	return calls, texts
}

// Issue 18: with OPENAI_EMBEDDINGS_MODEL the automation run blends the
// similarity of profile and posting into the score, with its reason; the
// vectors are cached in the database by content, so a second run (here,
// after the profile changed and everything is re-scored) embeds only what
// changed. With the endpoint down, the run scores without similarity.
func TestAutomationBlendsEmbeddingSimilarity(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		fake := fakellm.New(fakellm.Options{})
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		e := newEnv(t, b, map[string]string{
			"JOBPILOT_WRITER": "template", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_EMBEDDINGS_MODEL": "fake-embed",
		}, system.Options{})
		prof := exampleProfile(t)
		if err := e.st.CreateProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		postings := []jobpilot.Posting{relevantPosting(""), {
			ExternalID: "chef", Company: "Maison Rose", Title: "Pastry Chef", Location: "Prague",
			URL: "https://maisonrose.example.org/jobs/chef", Description: "Laminated doughs and viennoiserie, early mornings in our kitchen.",
		}}
		if _, err := e.st.UpsertPostings(ctx, "board", postings, true); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		if calls, texts := embeddingRequests(fake); calls != 1 || texts != 3 {
			t.Errorf("first run: %d embedding requests for %d texts, want 1 for 3 (profile and two postings)", calls, texts)
		}
		good := e.appFor(t, prof.ID, "board", "np-1")
		chef := e.appFor(t, prof.ID, "board", "chef")
		all := strings.Join(append(append(good.Explanation.For, good.Explanation.Against...), chef.Explanation.Against...), " | ")
		if !strings.Contains(all, "[similarity]") {
			t.Errorf("no similarity reason: %s", all)
		}
		if good.Status != jobpilot.StatusMatched || chef.Status != jobpilot.StatusSkipped {
			t.Errorf("good %s at %d, chef %s at %d", good.Status, good.Score, chef.Status, chef.Score)
		}

		// The profile changes: everything is re-scored, only the profile is
		// embedded again.
		prof.Preferences.Keywords = append(prof.Preferences.Keywords, "ledgers")
		prof.Resume.Basics.Summary += " Likes ledgers."
		if err := e.st.ReplaceProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		if calls, texts := embeddingRequests(fake); calls != 2 || texts != 4 {
			t.Errorf("after the profile changed: %d requests for %d texts, want 2 for 4 (the postings' vectors cached)", calls, texts)
		}
	})
}

func TestAutomationWithoutEmbeddingsWhenTheEndpointIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakellm.New(fakellm.Options{Down: []fakellm.Window{{From: 0, To: time.Hour}}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := newEnv(t, dbtest.SQLite(), map[string]string{
		"JOBPILOT_WRITER": "template", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_EMBEDDINGS_MODEL": "fake-embed",
		"OPENAI_FAILURE_THRESHOLD": "100",
	}, system.Options{})
	prof := exampleProfile(t)
	if err := e.st.CreateProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.UpsertPostings(ctx, "board", []jobpilot.Posting{relevantPosting("")}, true); err != nil {
		t.Fatal(err)
	}
	e.automate(t)
	app := e.appFor(t, prof.ID, "board", "np-1")
	if app.Status != jobpilot.StatusMatched || strings.Contains(strings.Join(app.Explanation.For, " "), "[similarity]") {
		t.Errorf("with the endpoint down: %s at %d %+v, want matched on the deterministic score", app.Status, app.Score, app.Explanation)
	}
	if calls, _ := embeddingRequests(fake); calls == 0 {
		t.Error("the embeddings endpoint was never tried")
	}
}
