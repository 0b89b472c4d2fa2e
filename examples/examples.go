// Package examples embeds the fictional candidate and job postings that
// jobpilot loads on an empty database (unless JOBPILOT_EXAMPLES=off), so the
// service does something useful on a fresh machine with no configuration.
//
// Everything here is invented: the candidate, the companies and the
// addresses, which all use the example.com and example.org domains reserved
// for documentation (RFC 2606), so nothing is ever sent to a real employer.
// ex-001 and ex-012 are the same job in two cities: they share a fingerprint
// and lead to one application. Globex Gambling is on the profile's exclusion
// list.
package examples

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

//go:embed profile.json
var profileJSON []byte

//go:embed postings.json
var postingsJSON []byte

// SourceName is the source the example postings are imported under.
const SourceName = "example"

// Profile returns a fresh copy of the example profile, marked as an example.
func Profile() (*jobpilot.Profile, error) {
	var p jobpilot.Profile
	if err := json.Unmarshal(profileJSON, &p); err != nil {
		return nil, fmt.Errorf("examples: profile.json: %w", err)
	}
	p.Example = true
	return &p, p.Validate()
}

// Postings returns fresh copies of the example postings, marked as examples.
func Postings() ([]jobpilot.Posting, error) {
	var feed struct {
		Postings []jobpilot.Posting `json:"postings"`
	}
	if err := json.Unmarshal(postingsJSON, &feed); err != nil {
		return nil, fmt.Errorf("examples: postings.json: %w", err)
	}
	for i := range feed.Postings {
		feed.Postings[i].Example = true
		if err := feed.Postings[i].Validate(); err != nil {
			return nil, fmt.Errorf("examples: posting %d: %w", i, err)
		}
	}
	return feed.Postings, nil
}

// Load loads the example profile and postings into st when it has no
// profile yet, so a fresh installation does something useful with no
// configuration. It reports whether it loaded anything. Everything it loads
// is marked as an example, and the UI and the logs say so.
func Load(ctx context.Context, st jobpilot.Store) (bool, error) {
	profiles, err := st.Profiles(ctx)
	if err != nil {
		return false, err
	}
	if len(profiles) > 0 {
		return false, nil
	}
	p, err := Profile()
	if err != nil {
		return false, err
	}
	postings, err := Postings()
	if err != nil {
		return false, err
	}
	if err := st.CreateProfile(ctx, p); err != nil {
		return false, fmt.Errorf("loading the example profile: %w", err)
	}
	if _, err := st.UpsertPostings(ctx, SourceName, postings, false); err != nil {
		return false, fmt.Errorf("loading the example postings: %w", err)
	}
	return true, nil
}
