package source_test

import (
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

// testdata/before holds the postings of each fixture exactly as the code at
// a7cba0a normalised them (its golden files). A re-fetch after an upgrade
// must give the same posting the same fingerprint, or it would become a
// second job to apply to: text conversion changes (spaces kept, link
// targets added, line breaks) must not move it.
func TestFingerprintsSurviveUpgrade(t *testing.T) {
	gh := newBoard(t, map[string]string{
		"/v1/boards/acme/jobs":           "greenhouse_acme.json",
		"/posting-api/job-board/initech": "ashby_initech.json",
		"/v0/postings/globex":            "lever_globex.json",
		"/api/v1/search_by_date":         "hn_search.json",
		"/api/v1/items/45800000":         "hn_thread.json",
	})
	for _, tc := range []struct {
		golden string
		cfg    source.Spec
	}{
		{"greenhouse_acme", source.Spec{Type: "greenhouse", Name: "acme", BaseURL: gh.srv.URL, Keys: map[string]string{"token": "acme"}}},
		{"ashby_initech", source.Spec{Type: "ashby", Name: "initech", BaseURL: gh.srv.URL, Keys: map[string]string{"org": "initech"}}},
		{"lever_globex", source.Spec{Type: "lever", Name: "globex", BaseURL: gh.srv.URL, Keys: map[string]string{"site": "globex"}}},
		{"hn", source.Spec{Type: "hn", Name: "hn", BaseURL: gh.srv.URL}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var before []jobpilot.Posting
			readJSON(t, "before/"+tc.golden+".golden.json", &before)
			now := map[string]string{}
			for _, p := range fetch(t, mustNew(t, tc.cfg, nil)) {
				now[p.ExternalID] = p.Fingerprint
			}
			for _, p := range before {
				if got, ok := now[p.ExternalID]; !ok || got != p.Fingerprint {
					t.Errorf("%s: fingerprint %q, was %q", p.ExternalID, got, p.Fingerprint)
				}
			}
		})
	}
}
