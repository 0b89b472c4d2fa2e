package examples

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"

	"github.com/jobpilot/jobpilot"
)

//go:embed candidates/*.json
var candidateFiles embed.FS

// Candidates returns the example profile (Profile) followed by more
// fictional candidates of other shapes: a data engineer whose jobs are
// listed oldest first and whose highlights are not all written as
// sentences, a frontend engineer whose last job ended years ago and whose
// resume is long, and a sparse profile with summaries but no highlights.
// Load loads only Profile; the others are for tests and demos of the
// documents (each document rule is checked on every candidate and every
// example posting).
func Candidates() ([]*jobpilot.Profile, error) {
	p, err := Profile()
	if err != nil {
		return nil, err
	}
	out := []*jobpilot.Profile{p}
	names, err := candidateFiles.ReadDir("candidates")
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(a, b int) bool { return names[a].Name() < names[b].Name() })
	for _, n := range names {
		b, err := candidateFiles.ReadFile(path.Join("candidates", n.Name()))
		if err != nil {
			return nil, err
		}
		var c jobpilot.Profile
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("examples: %s: %w", n.Name(), err)
		}
		c.Example = true
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("examples: %s: %w", n.Name(), err)
		}
		out = append(out, &c)
	}
	return out, nil
}
