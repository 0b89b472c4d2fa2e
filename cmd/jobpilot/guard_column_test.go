package main

import (
	"testing"

	"github.com/jobpilot/jobpilot"
)

// `jobpilot applications` shows what the guard removed and whether the
// application is held.
func TestGuardColumn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		g    jobpilot.GuardReport
		want string
	}{
		{jobpilot.GuardReport{}, "-"},
		{jobpilot.GuardReport{Removed: 2, Phrases: []string{"MIT", "phd"}}, "2 removed: MIT, phd"},
		{jobpilot.GuardReport{Removed: 12, Phrases: []string{"MIT", "phd", "Acme", "Globex", "forty"}, Hold: "the writer invented 12 facts; 12 removed"},
			"12 removed: MIT, phd, Acme, Globex, … (held)"},
		{jobpilot.GuardReport{Hold: "documents written by the template writer instead"}, "0 removed (held)"},
	} {
		if got := guardColumn(c.g); got != c.want {
			t.Errorf("guardColumn(%+v) = %q, want %q", c.g, got, c.want)
		}
	}
}
