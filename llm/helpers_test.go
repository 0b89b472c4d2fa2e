package llm

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// loadProfile reads the test candidate (a copy of the example profile, so
// these tests do not move when the example does).
func loadProfile(t testing.TB) *jobpilot.Profile {
	t.Helper()
	b, err := os.ReadFile("testdata/profile.json")
	if err != nil {
		t.Fatal(err)
	}
	var p jobpilot.Profile
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return &p
}

func loadPosting(t testing.TB) *jobpilot.Posting {
	t.Helper()
	b, err := os.ReadFile("testdata/posting.json")
	if err != nil {
		t.Fatal(err)
	}
	var p jobpilot.Posting
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}
