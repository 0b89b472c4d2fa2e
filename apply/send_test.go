package apply_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

// refusingStore refuses the first approved → sending move as if another
// attempt held the application, leaving it approved.
type refusingStore struct {
	jobpilot.Store
	refused atomic.Bool
}

func (s *refusingStore) Transition(ctx context.Context, id int64, to jobpilot.Status, c jobpilot.Change) (*jobpilot.Application, error) {
	if to == jobpilot.StatusSending && s.refused.CompareAndSwap(false, true) {
		return nil, jobpilot.ErrInvalidTransition(id, jobpilot.StatusSending, to)
	}
	return s.Store.Transition(ctx, id, to, c)
}

// countingMailer records sends.
type countingMailer struct{ sent atomic.Int32 }

func (m *countingMailer) Send(context.Context, *jobpilot.Message) error {
	m.sent.Add(1)
	return nil
}

// An attempt that finds its application not approved (an earlier attempt
// abandoned by its timeout was still finishing) sends nothing and does not
// fail the application: the job is retried later, and then it is sent once.
func TestSendNotApprovedIsRetriedNotFailed(t *testing.T) {
	t.Parallel()
	mailer := &countingMailer{}
	e := newEnv(t, dbtest.SQLite(), map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"},
		system.Options{Mailer: mailer})
	app := approvedApplication(t, e)

	svc := *e.sys.Apply
	svc.Store = &refusingStore{Store: e.st}
	task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}
	err := svc.SendApplication(context.Background(), task)
	if !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("first run returned %v, want a transient error so the engine retries", err)
	}
	if got := e.app(t, app.ID); got.Status != jobpilot.StatusApproved || mailer.sent.Load() != 0 {
		t.Fatalf("after the refused attempt: status %s, %d sent; want approved and nothing sent", got.Status, mailer.sent.Load())
	}
	if err := svc.SendApplication(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if got := e.app(t, app.ID); got.Status != jobpilot.StatusSent || mailer.sent.Load() != 1 {
		t.Fatalf("after the retry: status %s, %d sent; want sent once", got.Status, mailer.sent.Load())
	}
}

// flakyDocsStore fails the first read of an application's documents the way
// a database that is briefly unreachable does.
type flakyDocsStore struct {
	jobpilot.Store
	failed atomic.Bool
}

func (s *flakyDocsStore) Documents(ctx context.Context, id int64) (*jobpilot.Documents, error) {
	if s.failed.CompareAndSwap(false, true) {
		return nil, jobpilot.Transient(errors.New("store: connection reset"))
	}
	return s.Store.Documents(ctx, id)
}

// A transient failure while building the message (the store, not the mail
// server) is not a verdict on the application: it stays approved, the job
// is retried, and the retry sends it once.
func TestSendTransientStoreErrorIsRetriedNotFailed(t *testing.T) {
	t.Parallel()
	mailer := &countingMailer{}
	e := newEnv(t, dbtest.SQLite(), map[string]string{"JOBPILOT_EXAMPLES": "true", "JOBPILOT_WRITER": "template"},
		system.Options{Mailer: mailer})
	app := approvedApplication(t, e)

	svc := *e.sys.Apply
	svc.Store = &flakyDocsStore{Store: e.st}
	task := jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: app.ID}
	if err := svc.SendApplication(context.Background(), task); !errors.Is(err, jobpilot.ErrTransient) {
		t.Fatalf("first run returned %v, want the transient error so the engine retries", err)
	}
	if got := e.app(t, app.ID); got.Status != jobpilot.StatusApproved || mailer.sent.Load() != 0 {
		t.Fatalf("after the store error: status %s (%s), %d sent; want approved and nothing sent", got.Status, got.Error, mailer.sent.Load())
	}
	if err := svc.SendApplication(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if got := e.app(t, app.ID); got.Status != jobpilot.StatusSent || mailer.sent.Load() != 1 {
		t.Fatalf("after the retry: status %s, %d sent; want sent once", got.Status, mailer.sent.Load())
	}
}

// approvedApplication prepares and approves one of the examples' applications
// that has a contact email.
func approvedApplication(t *testing.T, e *env) *jobpilot.Application {
	t.Helper()
	e.automate(t)
	for _, a := range e.apps(t, 1) {
		if a.Status != jobpilot.StatusMatched || a.ApplyVia != jobpilot.ApplyViaEmail {
			continue
		}
		if err := e.process(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sys.Apply.Approve(context.Background(), a.ID); err != nil {
			t.Fatal(err)
		}
		return a
	}
	t.Fatal("no matched application with a contact email among the examples")
	return nil
}
