package jobpilot_test

import (
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Every status that went out counts in the funnel, up to the furthest stage
// it shows: a reply the mailbox found (replied) is a reply, a bounce was
// still sent, and what never went out (ready, dismissed) is not counted.
func TestFunnelCountsEveryStatusThatWentOut(t *testing.T) {
	sent := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	app := func(s jobpilot.Status) *jobpilot.Application {
		return &jobpilot.Application{Status: s, SentAt: &sent}
	}
	apps := []*jobpilot.Application{
		app(jobpilot.StatusSent), app(jobpilot.StatusFollowedUp), app(jobpilot.StatusBounced), app(jobpilot.StatusApplied),
		app(jobpilot.StatusReplied), app(jobpilot.StatusRejected), app(jobpilot.StatusInterviewing), app(jobpilot.StatusOffered),
		{Status: jobpilot.StatusReady}, {Status: jobpilot.StatusDismissed},
	}
	f := jobpilot.FunnelOf(apps)
	want := map[string]int{jobpilot.StageSent: 8, jobpilot.StageReplied: 4, jobpilot.StageInterviewing: 2, jobpilot.StageOffered: 1}
	for _, st := range f.Stages {
		if st.Count != want[st.Name] {
			t.Errorf("stage %s: %d, want %d", st.Name, st.Count, want[st.Name])
		}
	}
	if f.Stages[1].Conversion != 0.5 {
		t.Errorf("sent → replied conversion %v, want 0.5", f.Stages[1].Conversion)
	}
	if len(f.Weeks) != 1 || f.Weeks[0].Week != "2026-03-02" || f.Weeks[0].Stages[0].Count != 8 {
		t.Errorf("weeks %+v, want one week of Monday 2026-03-02 with 8 sent", f.Weeks)
	}
	if f.Statuses[jobpilot.StatusReady] != 1 || f.Statuses[jobpilot.StatusBounced] != 1 {
		t.Errorf("status counts %v", f.Statuses)
	}
}
