package guard

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// The test candidate's facts: 0 basics, 1 Brightline Payments, 2 Northwind
// Logistics, 3 Pixelcraft Studio, 4 the pgqueue-lite project, 5 the master's
// degree, 6 the bachelor's, 7 the Kubernetes certificate, 8 the skills.
const (
	factBasics = iota
	factBrightline
	factNorthwind
	factPixelcraft
	factProject
	factMaster
	factBachelor
	factCert
	factSkills
)

func loadProfile(t testing.TB) *jobpilot.Profile {
	t.Helper()
	var p jobpilot.Profile
	readJSON(t, "testdata/profile.json", &p)
	return &p
}

func loadPosting(t testing.TB) *jobpilot.Posting {
	t.Helper()
	var p jobpilot.Posting
	readJSON(t, "testdata/posting.json", &p)
	return &p
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// flagged checks text citing ids and returns the words it flags.
func flagged(f *Facts, text string, ids ...int) []string {
	var out []string
	for _, v := range f.check(text, ids, nil, "") {
		out = append(out, v.value)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}
