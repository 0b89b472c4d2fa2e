package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Each kind's registered options reach its jobs: attempts, priority and
// queue as River stores them; a kind without options gets the defaults.
func TestKindOptionsReachJobs(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		db := newTestDB(t, pg)
		cfg := testConfig("node-options")
		k := NewKinds()
		AddKind[processArgs](k, newRecorder().handle, KindOptions{MaxAttempts: 7, Priority: 3, Queue: "drafting"})
		AddKind[sendArgs](k, newRecorder().handle, KindOptions{})
		e, err := New(db, Options{Config: cfg.Config, Kinds: k, Logger: quietLogger(), FastStart: true})
		must(t, err)
		must(t, e.Enqueue(context.Background(),
			jobpilot.Task{Kind: jobpilot.TaskProcessPosting, ProfileID: 1, PostingID: 2},
			jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 3}))
		q := `SELECT kind, max_attempts, priority, queue FROM river_job ORDER BY id`
		rows, err := db.SQL().Query(q)
		must(t, err)
		defer rows.Close()
		var got []string
		for rows.Next() {
			var kind, queue string
			var attempts, priority int
			must(t, rows.Scan(&kind, &attempts, &priority, &queue))
			got = append(got, fmt.Sprintf("%s %d %d %s", kind, attempts, priority, queue))
		}
		must(t, rows.Err())
		want := []string{"process_posting 7 3 drafting", fmt.Sprintf("send_application %d 1 default", DefaultMaxAttempts)}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Fatalf("jobs %q, want %q", got, want)
		}
	})
}

// Registration mistakes are programming errors and panic, as River's
// AddWorker does; an engine needs a node id and at least one kind.
func TestKindRegistrationMistakes(t *testing.T) {
	t.Parallel()
	h := newRecorder().handle
	every := &Periodic{Schedule: Every(time.Hour)}
	for name, register := range map[string]func(){
		"twice": func() {
			k := NewKinds()
			AddKind[sendArgs](k, h, KindOptions{})
			AddKind[sendArgs](k, h, KindOptions{})
		},
		"no handler":            func() { AddKind[sendArgs](NewKinds(), nil, KindOptions{}) },
		"periodic, no schedule": func() { AddKind[cleanupArgs](NewKinds(), h, KindOptions{Periodic: &Periodic{}}) },
		// A periodic kind is enqueued from an empty task; send needs an id.
		"periodic, needs ids": func() { AddKind[sendArgs](NewKinds(), h, KindOptions{Periodic: every}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			register()
		}()
	}
	db := newTestDB(t, false)
	k := NewKinds()
	AddKind[cleanupArgs](k, h, KindOptions{Periodic: every})
	if _, err := New(db, Options{Kinds: k}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("no node id: %v, want EINVALID", err)
	}
	if _, err := New(db, Options{Config: Config{NodeID: "n"}, Kinds: NewKinds()}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("no kinds: %v, want EINVALID", err)
	}
	e, err := New(db, Options{Config: Config{NodeID: "n"}, Kinds: k, Logger: quietLogger()})
	must(t, err)
	if err := e.Enqueue(context.Background(), jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 1}); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("a kind not registered: %v, want EINVALID", err)
	}
	if err := e.Trigger(context.Background(), jobpilot.TaskSendApplication); jobpilot.ErrorCode(err) != jobpilot.EINVALID {
		t.Errorf("trigger of a kind not registered: %v, want EINVALID", err)
	}
}
