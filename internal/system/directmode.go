package system

import (
	"context"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// CheckDirectMode refuses direct mode (the service-wide APPLY_MODE or a
// profile's own apply_mode) for a profile whose preferences do not say what
// the candidate looks for: such a profile would email employers on the
// resume's word alone. The error (EINVALID) names every such profile and
// the way out; callers let the candidate override it (--force).
func CheckDirectMode(ctx context.Context, st jobpilot.Store, serviceMode jobpilot.ApplyMode) error {
	profiles, err := st.Profiles(ctx)
	if err != nil {
		return err
	}
	var bad []string
	for _, p := range profiles {
		mode := p.Preferences.ApplyMode
		if mode == "" {
			mode = serviceMode
		}
		if mode == jobpilot.ApplyDirect && !p.Preferences.SaysWhatIsSought() {
			bad = append(bad, fmt.Sprintf("profile %d (%s)", p.ID, p.Resume.Basics.Name))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return jobpilot.Errorf(jobpilot.EINVALID, "direct mode sends applications without review, and %s %s no preferences saying what you look for "+
		"(preferences.target_titles, target_families or keywords): add them with `jobpilot profile import`, use APPLY_MODE=review, or start with --force",
		strings.Join(bad, ", "), map[bool]string{true: "has", false: "have"}[len(bad) == 1])
}
