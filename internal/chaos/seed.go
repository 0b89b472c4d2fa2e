package chaos

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for CREATE/DROP DATABASE

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
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
	p.Preferences.MinScore = 0
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
	f := jobpilot.PostingFilter{Source: SourceName, Limit: 500}
	for {
		page, err := db.Postings(ctx, f)
		if err != nil {
			return 0, nil, err
		}
		for _, post := range page {
			postingIDs = append(postingIDs, post.ID)
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	if len(postingIDs) != len(postings) {
		return 0, nil, fmt.Errorf("chaos: seeded %d postings but the store holds %d", len(postings), len(postingIDs))
	}
	return p.ID, postingIDs, nil
}

// FreshPostgres creates a new, empty database on the server of serverURL
// (any database on it that we may connect to) and returns its URL and a
// function that drops it. Every run gets its own database, so runs never
// collide and never touch existing data.
func FreshPostgres(ctx context.Context, serverURL, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, jobpilot.FieldError("database_url", "want a postgres:// URL")
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, jobpilot.FieldError("database_url", "%v", err)
	}
	name := fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano(), rand.IntN(1_000_000))
	name = strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, name))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, jobpilot.Transient(fmt.Errorf("chaos: create database %s: %w", name, err))
	}
	u.Path = "/" + name
	drop = func(ctx context.Context) error {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("chaos: drop database %s: %w", name, err)
		}
		return nil
	}
	return u.String(), drop, nil
}
