package apply

import (
	"context"
	"fmt"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/examples"
)

// LoadExamples loads the fictional example profile and postings when the
// database has no profile yet, so a fresh installation does something useful
// with no configuration. It reports whether it loaded anything. Everything it
// loads is marked as an example, and the UI and the logs say so.
func LoadExamples(ctx context.Context, st jobpilot.Store) (bool, error) {
	profiles, err := st.Profiles(ctx)
	if err != nil {
		return false, err
	}
	if len(profiles) > 0 {
		return false, nil
	}
	p, err := examples.Profile()
	if err != nil {
		return false, err
	}
	postings, err := examples.Postings()
	if err != nil {
		return false, err
	}
	if err := st.CreateProfile(ctx, p); err != nil {
		return false, fmt.Errorf("loading the example profile: %w", err)
	}
	if _, err := st.UpsertPostings(ctx, examples.SourceName, postings, false); err != nil {
		return false, fmt.Errorf("loading the example postings: %w", err)
	}
	return true, nil
}
