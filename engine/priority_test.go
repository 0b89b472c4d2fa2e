package engine

import (
	"testing"

	"github.com/jobpilot/jobpilot"
)

// A ready application's send is fetched before older drafting work.
func TestSendsOutrankDrafting(t *testing.T) {
	send, err := argsFor(jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1})
	must(t, err)
	process, err := argsFor(jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 1})
	must(t, err)
	sp := send.(SendApplicationArgs).InsertOpts().Priority
	pp := process.(ProcessPostingArgs).InsertOpts().Priority
	if sp >= pp {
		t.Fatalf("send priority %d, process priority %d: sends must come first (lower is higher)", sp, pp)
	}
}
