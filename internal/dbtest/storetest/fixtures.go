package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Profile is a valid test candidate called name (a Go backend engineer,
// minimum score 40).
func Profile(name string) *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: name, Email: "ada@example.com"},
			Work:   []jobpilot.Work{{Name: "Analytical Engines Ltd", Position: "Engineer", StartDate: "2020-01"}},
			Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "PostgreSQL"}}},
		},
		Preferences: jobpilot.Preferences{Keywords: []string{"go"}, MinScore: new(40), Remote: jobpilot.RemoteAny},
	}
}

// Posting is a valid test posting.
func Posting(ext, company, title, location string) jobpilot.Posting {
	return jobpilot.Posting{
		ExternalID:  ext,
		Company:     company,
		Title:       title,
		Location:    location,
		Description: "We build " + title + " things in Go.",
		URL:         "https://jobs.example.com/" + ext,
	}
}

// Fixture is a stored profile and n stored postings of the source "test".
type Fixture struct {
	Profile  *jobpilot.Profile
	Postings []jobpilot.Posting
}

// NewFixture stores a profile and n postings.
func NewFixture(t testing.TB, st jobpilot.Store, n int) Fixture {
	t.Helper()
	ctx := context.Background()
	p := Profile("Ada Lovelace")
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("create profile: %v", err)
	}
	ps := make([]jobpilot.Posting, n)
	for i := range ps {
		ps[i] = Posting(fmt.Sprintf("job-%d", i), "Acme", fmt.Sprintf("Engineer %d", i), "Berlin")
	}
	if _, err := st.UpsertPostings(ctx, "test", ps, false); err != nil {
		t.Fatalf("upsert postings: %v", err)
	}
	return Fixture{Profile: p, Postings: ps}
}

// NewApp creates an application in status s for posting i of f with its
// own fingerprint fp.
func NewApp(t testing.TB, st jobpilot.Store, f Fixture, i int, s jobpilot.Status, fp string) *jobpilot.Application {
	t.Helper()
	a := &jobpilot.Application{ProfileID: f.Profile.ID, PostingID: f.Postings[i].ID, Status: s, Fingerprint: fp, Score: 70}
	created, err := st.CreateApplication(context.Background(), a)
	if err != nil || !created {
		t.Fatalf("create application (%s): created=%v err=%v", s, created, err)
	}
	return a
}

// WantCode fails t unless err carries the domain error code.
func WantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := jobpilot.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// SameTime compares two times at the stores' precision (microseconds).
func SameTime(a, b time.Time) bool {
	return a.UTC().Truncate(time.Microsecond).Equal(b.UTC().Truncate(time.Microsecond))
}

func ptr[T any](v T) *T { return &v }
