package apply_test

import (
	"encoding/json"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
)

// jobArgs is what the engine needs of a kind's arguments (engine.Args and
// its pointer's FromTask).
type jobArgs interface {
	Kind() string
	Task() jobpilot.Task
}

// Every kind's arguments keep a task through FromTask and Task, store the
// JSON fields River's queued jobs already carry, and refuse a task without
// the ids their kind needs.
func TestJobArgs(t *testing.T) {
	t.Parallel()
	full := jobpilot.Task{ProfileID: 1, PostingID: 2, ApplicationID: 3, RunID: 4, Source: "greenhouse:acme"}
	for _, c := range []struct {
		args interface {
			jobArgs
			FromTask(jobpilot.Task) error
		}
		kind jobpilot.TaskKind
		keep jobpilot.Task // the fields of full the kind keeps
		json string
	}{
		{new(apply.ProcessPostingArgs), jobpilot.TaskProcessPosting, jobpilot.Task{ProfileID: 1, PostingID: 2, ApplicationID: 3, RunID: 4}, `{"profile_id":1,"posting_id":2,"application_id":3,"run_id":4}`},
		{new(apply.SendApplicationArgs), jobpilot.TaskSendApplication, jobpilot.Task{ApplicationID: 3}, `{"application_id":3}`},
		{new(apply.AutomationRunArgs), jobpilot.TaskAutomationRun, jobpilot.Task{RunID: 4}, `{"run_id":4}`},
		{new(apply.FetchPostingsArgs), jobpilot.TaskFetchPostings, jobpilot.Task{Source: "greenhouse:acme"}, `{"source":"greenhouse:acme"}`},
		{new(apply.FollowUpsArgs), jobpilot.TaskFollowUps, jobpilot.Task{}, `{}`},
		{new(apply.CleanupArgs), jobpilot.TaskCleanup, jobpilot.Task{}, `{}`},
	} {
		task := full
		task.Kind = c.kind
		if err := c.args.FromTask(task); err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		want := c.keep
		want.Kind = c.kind
		if got := c.args.Task(); got != want || c.args.Kind() != string(c.kind) {
			t.Errorf("%s: Task() = %+v, Kind() = %s; want %+v", c.kind, got, c.args.Kind(), want)
		}
		if b, _ := json.Marshal(c.args); string(b) != c.json {
			t.Errorf("%s: stored as %s, want %s", c.kind, b, c.json)
		}
	}
	if err := new(apply.ProcessPostingArgs).FromTask(jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("process_posting without a posting: %v, want EINVALID", err)
	}
	if err := new(apply.SendApplicationArgs).FromTask(jobpilot.Task{Kind: jobpilot.TaskSendApplication}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("send_application without an application: %v, want EINVALID", err)
	}
}
