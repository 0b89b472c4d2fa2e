package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/resilience"
)

// Resetting an open breaker closes it (TestAPI only resets a closed one,
// which would pass with a reset that did nothing), and the API shows the
// open breaker's time to half-open before that.
func TestResetOpenBreaker(t *testing.T) {
	e := newEnv(t)
	// A service without retries on the shared "email" breaker: five refused
	// attempts open it, as five 421s would.
	trip := e.sys.Resilience.Breakers.Service(resilience.Settings{Name: "trip", Breaker: resilience.BreakerEmail},
		resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute})
	refused := jobpilot.Transient(errors.New("421 service not available"))
	for range 5 {
		_ = trip.Do(context.Background(), func(context.Context) error { return refused })
	}
	email := func() httpapi.BreakerView {
		var list httpapi.Page[httpapi.BreakerView]
		e.api(t, "GET", "/api/v1/breakers", nil, 200, &list)
		for _, v := range list.Items {
			if v.Name == resilience.BreakerEmail {
				return v
			}
		}
		t.Fatalf("no email breaker in %+v", list.Items)
		return httpapi.BreakerView{}
	}
	if v := email(); v.State != "open" || v.RetryInSeconds <= 0 || v.RetryInSeconds > v.RecoverySeconds {
		t.Fatalf("after 5 failures: %+v, want open with a time to half-open", v)
	}
	var v httpapi.BreakerView
	e.api(t, "POST", "/api/v1/breakers/email/reset", nil, 200, &v)
	if v.State != "closed" || v.Failures != 0 {
		t.Fatalf("reset answered %+v, want closed with no failures", v)
	}
	if v := email(); v.State != "closed" {
		t.Fatalf("after reset the list says %+v", v)
	}
	if err := trip.Do(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatalf("a call after the reset: %v", err)
	}
}

// Re-opening a needs_review application with "send again" approves it and
// queues the send, which then goes out (TestAPI covers "mark sent").
func TestReopenSendAgain(t *testing.T) {
	e := newEnv(t)
	app := e.readyByEmail(t)
	ctx := context.Background()
	for _, to := range []jobpilot.Status{jobpilot.StatusSending, jobpilot.StatusNeedsReview} {
		if _, err := e.sys.Store.Transition(ctx, app.ID, to, jobpilot.Change{Reason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/api/v1/applications/%d/reopen", app.ID)
	var reopened jobpilot.Application
	e.api(t, "POST", path, map[string]string{"action": "send_again"}, 200, &reopened)
	if reopened.Status != jobpilot.StatusApproved {
		t.Fatalf("reopen send_again: %s, want approved", reopened.Status)
	}
	waitFor(t, 20*time.Second, "the re-opened application to be sent", func() bool { return e.status(t, app.ID) == jobpilot.StatusSent })
	e.wantError(t, "POST", path, map[string]string{"action": "send_again"}, 409, "conflict", "")
}
