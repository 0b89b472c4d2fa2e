package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// Issue 4, "Matching" through the pipeline, on the examples (min_score 45):
// below the threshold an application is skipped with its explanation
// stored; it is not scored again until its posting or its profile changes;
// then it is re-scored and matched when it now passes. Excluded companies
// are skipped whatever the threshold. Every application carries its score's
// explanation.
func TestMatchingThroughThePipeline(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b, map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"}, system.Options{})
		profiles, err := e.st.Profiles(ctx)
		if err != nil || len(profiles) != 1 {
			t.Fatalf("profiles: %v %v", profiles, err)
		}
		prof := profiles[0]
		minScore := prof.Preferences.EffectiveMinScore()
		e.automate(t)

		appOf := func(ext string) *jobpilot.Application { return e.appFor(t, prof.ID, examples.SourceName, ext) }
		checkExplained := func(when string) {
			for _, a := range e.apps(t, prof.ID) {
				if a.Explanation.Score != a.Score {
					t.Errorf("%s: application %d: score %d but explanation says %d", when, a.ID, a.Score, a.Explanation.Score)
				}
				if len(a.Explanation.For)+len(a.Explanation.Against) == 0 {
					t.Errorf("%s: application %d (score %d) has no explanation", when, a.ID, a.Score)
				}
				switch {
				case a.Explanation.Excluded && a.Status != jobpilot.StatusSkipped:
					t.Errorf("%s: excluded application %d is %s", when, a.ID, a.Status)
				case a.Status == jobpilot.StatusSkipped && !a.Explanation.Excluded && a.Score >= currentMin(t, e, prof.ID):
					t.Errorf("%s: application %d skipped at score %d", when, a.ID, a.Score)
				case a.Status == jobpilot.StatusMatched && a.Score < currentMin(t, e, prof.ID):
					t.Errorf("%s: application %d matched at score %d", when, a.ID, a.Score)
				}
			}
		}
		checkExplained("first run")

		// Below the threshold: skipped, with the reasons against stored.
		java := appOf("ex-007") // Senior Java Developer: none of the skills
		if java.Status != jobpilot.StatusSkipped || java.Score >= minScore {
			t.Fatalf("ex-007: %s at %d, want skipped below %d", java.Status, java.Score, minScore)
		}
		if !containsAny(java.Explanation.Against, "none of your skills") {
			t.Errorf("ex-007's explanation lacks the reason against: %+v", java.Explanation)
		}
		gambling := appOf("ex-008")
		if gambling.Status != jobpilot.StatusSkipped || !gambling.Explanation.Excluded ||
			!containsAny(gambling.Explanation.Against, "Globex Gambling") {
			t.Fatalf("ex-008 (excluded company): %s %+v", gambling.Status, gambling.Explanation)
		}
		writer := appOf("ex-013")
		if writer.Status != jobpilot.StatusSkipped {
			t.Fatalf("ex-013: %s at %d", writer.Status, writer.Score)
		}

		// A second run with nothing changed scores nothing again: the
		// skipped applications are untouched, row and history.
		before := map[int64]*jobpilot.Application{}
		history := map[int64]int{}
		for _, a := range e.apps(t, prof.ID) {
			before[a.ID] = a
			history[a.ID] = len(e.events(t, a.ID))
		}
		run2 := e.automate(t)
		if run2.Counts["matched"]+run2.Counts["skipped"]+run2.Counts["requeued"] != 0 {
			t.Errorf("a run with nothing changed did work: %v", run2.Counts)
		}
		for _, a := range e.apps(t, prof.ID) {
			b := before[a.ID]
			if b == nil {
				t.Errorf("a run with nothing changed created application %d", a.ID)
				continue
			}
			if !a.UpdatedAt.Equal(b.UpdatedAt) || a.Score != b.Score || a.Status != b.Status {
				t.Errorf("application %d was touched by a run with nothing changed", a.ID)
			}
			if n := len(e.events(t, a.ID)); n != history[a.ID] {
				t.Errorf("application %d got %d new events", a.ID, n-history[a.ID])
			}
		}

		// The posting changes: Harbor Insurance now wants Go and PostgreSQL.
		// Re-scored, above the threshold, matched and queued; Saltmarsh's
		// writer post changes too but stays below: re-scored, still skipped.
		// The excluded company's posting changes in the same way as the
		// first and is still skipped.
		all, err := examples.Postings()
		if err != nil {
			t.Fatal(err)
		}
		var changed []jobpilot.Posting
		for _, p := range all {
			switch p.ExternalID {
			case "ex-007", "ex-008":
				p.Description += "\n\nWe are moving our payment services to Go, PostgreSQL and Kubernetes: distributed systems experience is a plus."
				changed = append(changed, p)
			case "ex-013":
				p.Description += "\n\nYou will also document our public style guide."
				changed = append(changed, p)
			}
		}
		res, err := e.st.UpsertPostings(ctx, examples.SourceName, changed, false)
		if err != nil || res.Updated != 3 {
			t.Fatalf("upsert changed postings: %+v %v", res, err)
		}
		run3 := e.automate(t)
		if run3.Counts["matched"] != 1 || run3.Counts["skipped"] != 0 {
			t.Errorf("after the postings changed: counts %v, want 1 re-scored into matched and no new application", run3.Counts)
		}
		if n := len(e.apps(t, prof.ID)); n != len(before) {
			t.Errorf("after the postings changed: %d applications, want the same %d (re-scored, not duplicated)", n, len(before))
		}
		java2 := e.app(t, java.ID)
		if java2.Status != jobpilot.StatusMatched || java2.Score < minScore || java2.Score <= java.Score {
			t.Errorf("ex-007 after its posting changed: %s at %d (was %d)", java2.Status, java2.Score, java.Score)
		}
		if java2.PostingHash == java.PostingHash {
			t.Error("ex-007's application does not record the posting version it was scored on")
		}
		if !containsAny(e.statusEvents(t, java.ID), "re-scored") {
			t.Errorf("ex-007: no re-scored status event in %q", e.statusEvents(t, java.ID))
		}
		writer2 := e.app(t, writer.ID)
		if writer2.Status != jobpilot.StatusSkipped || writer2.PostingHash == writer.PostingHash {
			t.Errorf("ex-013 after its posting changed: %s, hash %s (was %s): want re-scored and still skipped",
				writer2.Status, writer2.PostingHash, writer.PostingHash)
		}
		if g := e.app(t, gambling.ID); g.Status != jobpilot.StatusSkipped || !g.Explanation.Excluded {
			t.Errorf("the excluded company's changed posting: %s %+v", g.Status, g.Explanation)
		}
		checkExplained("after the postings changed")

		// The profile changes: min_score drops to 30. Skipped applications
		// at or above 30 are matched, the rest re-scored and kept skipped,
		// and the excluded company stays skipped even at min_score 0.
		prof, err = e.st.Profile(ctx, prof.ID)
		if err != nil {
			t.Fatal(err)
		}
		oldVersion := prof.Version
		prof.Preferences.MinScore = new(30)
		if err := e.st.ReplaceProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		if prof.Version <= oldVersion {
			t.Fatalf("ReplaceProfile kept version %d", prof.Version)
		}
		var wantMatched int
		for _, a := range e.apps(t, prof.ID) {
			if a.Status == jobpilot.StatusSkipped && !a.Explanation.Excluded && a.Score >= 30 {
				wantMatched++
			}
		}
		if wantMatched == 0 {
			t.Fatal("fixture: no skipped application scores between 30 and the old threshold")
		}
		run4 := e.automate(t)
		if run4.Counts["matched"] != wantMatched {
			t.Errorf("after min_score 30: %d matched, want %d (counts %v)", run4.Counts["matched"], wantMatched, run4.Counts)
		}
		for _, a := range e.apps(t, prof.ID) {
			if a.Status == jobpilot.StatusSkipped && a.ProfileVersion != prof.Version {
				t.Errorf("skipped application %d was not re-scored against profile version %d", a.ID, prof.Version)
			}
		}
		if w := e.app(t, writer.ID); w.Status != jobpilot.StatusMatched {
			t.Errorf("ex-013 at %d after min_score 30: %s, want matched", w.Score, w.Status)
		}
		checkExplained("after min_score 30")

		prof.Preferences.MinScore = new(0)
		if err := e.st.ReplaceProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		for _, a := range e.apps(t, prof.ID) {
			if a.Explanation.Excluded != (a.ID == gambling.ID) {
				t.Errorf("application %d: excluded=%v", a.ID, a.Explanation.Excluded)
			}
			if a.Status == jobpilot.StatusSkipped && a.ID != gambling.ID {
				t.Errorf("application %d still skipped at min_score 0 (score %d)", a.ID, a.Score)
			}
		}
		if g := e.app(t, gambling.ID); g.Status != jobpilot.StatusSkipped {
			t.Errorf("the excluded company at min_score 0: %s", g.Status)
		}
		checkExplained("after min_score 0")
	})
}

// Issue 4: a posting that disappeared from its board is closed, not
// deleted, and is not scored again, even when the profile changes; the
// postings still listed are.
func TestClosedPostingIsNotScoredAgain(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b, map[string]string{"JOBPILOT_WRITER": "template"}, system.Options{})
		prof := exampleProfile(t)
		if err := e.st.CreateProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		all, err := examples.Postings()
		if err != nil {
			t.Fatal(err)
		}
		pick := func(ids ...string) []jobpilot.Posting {
			var out []jobpilot.Posting
			for _, p := range all {
				for _, id := range ids {
					if p.ExternalID == id {
						p.Source, p.Example = "board", false
						out = append(out, p)
					}
				}
			}
			return out
		}
		// The board lists three jobs, two below the threshold.
		if _, err := e.st.UpsertPostings(ctx, "board", pick("ex-002", "ex-007", "ex-013"), true); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		gone := e.appFor(t, prof.ID, "board", "ex-007")
		kept := e.appFor(t, prof.ID, "board", "ex-013")
		if gone.Status != jobpilot.StatusSkipped || kept.Status != jobpilot.StatusSkipped {
			t.Fatalf("fixture: ex-007 %s, ex-013 %s; want both skipped", gone.Status, kept.Status)
		}

		// The next fetch of the board no longer lists ex-007.
		res, err := e.st.UpsertPostings(ctx, "board", pick("ex-002", "ex-013"), true)
		if err != nil || res.Closed != 1 || res.Unchanged != 2 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		closed, err := e.st.Posting(ctx, gone.PostingID)
		if err != nil {
			t.Fatalf("the closed posting was deleted: %v", err)
		}
		if closed.ClosedAt == nil {
			t.Fatal("the missing posting is not marked closed")
		}

		// The profile changes (min_score 30): ex-013 is re-scored and now
		// matched; the closed ex-007 is left as it was.
		prof.Preferences.MinScore = new(30)
		if err := e.st.ReplaceProfile(ctx, prof); err != nil {
			t.Fatal(err)
		}
		run := e.automate(t)
		if run.Counts["postings"] != 2 {
			t.Errorf("the run saw %d open postings, want 2", run.Counts["postings"])
		}
		if k := e.app(t, kept.ID); k.Status != jobpilot.StatusMatched || k.ProfileVersion != prof.Version {
			t.Errorf("open ex-013 after the profile changed: %s, version %d", k.Status, k.ProfileVersion)
		}
		g := e.app(t, gone.ID)
		if g.Status != jobpilot.StatusSkipped || g.ProfileVersion == prof.Version || !g.UpdatedAt.Equal(gone.UpdatedAt) {
			t.Errorf("closed ex-007 was scored again: %s, version %d (profile %d)", g.Status, g.ProfileVersion, prof.Version)
		}
	})
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func currentMin(t *testing.T, e *env, profileID int64) int {
	t.Helper()
	p, err := e.st.Profile(context.Background(), profileID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Preferences.EffectiveMinScore()
}
