package apply_test

import (
	"context"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// Issues 15 and 18: a profile without preferences has the default minimum
// score (60), not 0, so a pastry-chef posting never reaches drafting for a
// backend engineer, while a backend posting where she lives does.
func TestNoPreferencesPastryChefNeverDrafted(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b, map[string]string{"JOBPILOT_WRITER": "template"}, system.Options{})
		prof := &jobpilot.Profile{Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: "Maya Chen", Location: jobpilot.Location{City: "New York", CountryCode: "US"}},
			Work: []jobpilot.Work{{Name: "Ledgerly", Position: "Backend Engineer", StartDate: "2022-01",
				Highlights: []string{"Built payment APIs in Go on PostgreSQL"}}},
			Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "PostgreSQL", "Kafka"}}},
		}}
		if err := e.st.CreateProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		postings := []jobpilot.Posting{{
			ExternalID: "chef", Company: "Maison Rose", Title: "Pastry Chef", Location: "New York, NY",
			ContactEmail: "bonjour@maisonrose.example.org", URL: "https://maisonrose.example.org/jobs/chef",
			Description: "French bakery hiring a pastry chef: laminated doughs, viennoiserie, early mornings. 3+ years in a professional kitchen.",
		}, {
			ExternalID: "backend", Company: "Stackwise", Title: "Backend Engineer", Location: "New York, NY",
			ContactEmail: "jobs@stackwise.example.org", URL: "https://stackwise.example.org/jobs/backend",
			Description: "Build payroll APIs in Go and PostgreSQL.\n\nRequirements\n\n- 3+ years of backend development",
		}}
		if _, err := e.st.UpsertPostings(ctx, "board", postings, true); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		chef := e.appFor(t, prof.ID, "board", "chef")
		if chef.Status != jobpilot.StatusSkipped || chef.Score >= jobpilot.DefaultMinScore {
			t.Errorf("pastry chef: %s at %d, want skipped below %d (%+v)", chef.Status, chef.Score, jobpilot.DefaultMinScore, chef.Explanation)
		}
		if !containsAny(chef.Explanation.Against, "[family]") {
			t.Errorf("pastry chef skipped without the family reason: %+v", chef.Explanation)
		}
		if n := len(e.statusEvents(t, chef.ID)); n != 1 {
			t.Errorf("pastry chef went through %d status events, want only its creation: %q", n, e.statusEvents(t, chef.ID))
		}
		backend := e.appFor(t, prof.ID, "board", "backend")
		if backend.Status != jobpilot.StatusMatched || backend.Score < jobpilot.DefaultMinScore {
			t.Errorf("backend posting: %s at %d, want matched (%+v)", backend.Status, backend.Score, backend.Explanation)
		}
	})
}
