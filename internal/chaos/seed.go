package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/internal/freshpg"
	"github.com/jobpilot/jobpilot/store"
)

// SourceName is the source the harness's postings are imported under.
const SourceName = "chaos"

var (
	companies = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Wonka"}
	titles    = []string{"Backend Engineer", "Senior Go Engineer", "Platform Engineer", "Site Reliability Engineer", "Data Engineer", "Staff Engineer"}
	stacks    = []string{"Go and PostgreSQL", "Kubernetes and Prometheus", "Kafka, Redis and gRPC", "payments and ledgers", "distributed systems"}
)

// Postings returns n distinct postings, each with its own contact email at a
// reserved example domain, deterministic for a seed. Distinct means distinct
// fingerprints: each posting leads to its own application.
func Postings(n int, seed int64) []jobpilot.Posting {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a6f6270696c6f74))
	out := make([]jobpilot.Posting, n)
	for i := range out {
		company := fmt.Sprintf("%s %d", companies[rng.IntN(len(companies))], i)
		p := jobpilot.Posting{
			Source:       SourceName,
			ExternalID:   fmt.Sprintf("c-%05d", i),
			Company:      company,
			Title:        titles[rng.IntN(len(titles))],
			Location:     "Remote",
			Remote:       true,
			Description:  fmt.Sprintf("%s builds things with %s. Posting %d of the chaos run.", company, stacks[rng.IntN(len(stacks))], i),
			URL:          fmt.Sprintf("https://jobs.example.org/chaos/%d", i),
			ContactEmail: fmt.Sprintf("jobs-%d@chaos.example.org", i),
			PublishedAt:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		}
		p.Normalize()
		out[i] = p
	}
	return out
}

// Profile returns the example candidate tuned so that every posting is
// applied to in direct mode: minimum score 0, no exclusions, a daily cap
// above the number of postings (a hit cap would leave applications ready,
// which the harness would count as lost).
func Profile(postings int) (*jobpilot.Profile, error) {
	p, err := examples.Profile()
	if err != nil {
		return nil, err
	}
	p.Example = false
	p.Preferences.MinScore = new(0)
	p.Preferences.ExcludedCompanies = nil
	p.Preferences.ExcludedKeywords = nil
	p.Preferences.Locations = nil
	p.Preferences.Remote = jobpilot.RemoteAny
	p.Preferences.DailyCap = postings*2 + 10
	p.Preferences.ApplyMode = jobpilot.ApplyDirect
	return p, nil
}

// Seed migrates the database at dbURL and loads the profile and postings.
// It returns the profile's id and the postings' ids.
func Seed(ctx context.Context, dbURL string, p *jobpilot.Profile, postings []jobpilot.Posting) (profileID int64, postingIDs []int64, err error) {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return 0, nil, err
	}
	if err := db.CreateProfile(ctx, p); err != nil {
		return 0, nil, fmt.Errorf("chaos: seeding the profile: %w", err)
	}
	if _, err := db.UpsertPostings(ctx, SourceName, postings, false); err != nil {
		return 0, nil, fmt.Errorf("chaos: seeding %d postings: %w", len(postings), err)
	}
	for post, err := range store.AllPostings(ctx, db, jobpilot.PostingFilter{Source: SourceName}) {
		if err != nil {
			return 0, nil, err
		}
		postingIDs = append(postingIDs, post.ID)
	}
	if len(postingIDs) != len(postings) {
		return 0, nil, fmt.Errorf("chaos: seeded %d postings but the store holds %d", len(postings), len(postingIDs))
	}
	return p.ID, postingIDs, nil
}

// FreshPostgres creates a new, empty database on the server of serverURL and
// returns its URL and a function that drops it (see freshpg.Create): every
// run gets its own database, so runs never collide or touch existing data.
func FreshPostgres(ctx context.Context, serverURL, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	return freshpg.Create(ctx, serverURL, prefix)
}
