package system_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/resilience"
)

// A wrong OPENAI_API_KEY pauses drafting, as a refused SMTP password pauses
// sending: the endpoint's 401 is met once, never retried, and the "openai"
// breaker is held open with the endpoint's answer as its reason (in
// /health). The drafting jobs snooze behind it without a call, the
// applications stay drafting (not failed), and once the key is fixed and
// the service restarted each is drafted by the model and sent. Before, the
// 401 was permanent and failed every application it met.
func TestLLMKeyRefusedPausesDrafting(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		const (
			n     = 3
			right = "sk-right-not-a-secret"
		)
		fake := fakellm.New(fakellm.Options{APIKey: right})
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		h := newHarness(t, harnessOpts{db: b, postings: n, env: map[string]string{
			"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-wrong-not-a-secret", "OPENAI_MODEL": "fake-gpt",
			// 30 s per attempt and 300 s per job once scaled: a loaded
			// machine under -race never times a call out.
			"RESUME_TIMEOUT": "3000", "COVER_LETTER_TIMEOUT": "3000", "JOB_TIMEOUT": "30000",
		}})
		h.automate()
		ctx := context.Background()
		h.waitFor("the openai breaker paused (or an application failed)", 90*time.Second, func() bool {
			return h.sys.Health(ctx).CircuitBreakers[resilience.BreakerOpenAI].Reason != "" || h.counts()[jobpilot.StatusFailed] > 0
		})
		if c := h.counts(); c[jobpilot.StatusFailed] != 0 {
			t.Fatalf("status counts %v: a refused key failed applications", c)
		}
		// Two snoozes each: the pause outlasted a recovery time without a
		// probe.
		h.waitFor("every drafting job woken and snoozed again while paused", 90*time.Second, func() bool {
			js := h.jobsOf(jobpilot.TaskProcessPosting)
			if len(js) != n {
				return false
			}
			for _, j := range js {
				if j.Snoozes < 2 {
					return false
				}
			}
			return true
		})
		if c := h.counts(); c[jobpilot.StatusDrafting] != n || c[jobpilot.StatusFailed] != 0 {
			t.Fatalf("status counts %v, want all %d drafting and none failed", c, n)
		}
		for _, j := range h.jobsOf(jobpilot.TaskProcessPosting) {
			if j.State == "cancelled" || j.State == "discarded" || j.State == "completed" || j.Errors != 0 {
				t.Errorf("drafting job %d is %s with %d errors while paused, want it waiting with no attempt burned", j.ID, j.State, j.Errors)
			}
		}
		health := h.sys.Health(ctx)
		openai := health.CircuitBreakers[resilience.BreakerOpenAI]
		if health.Status != jobpilot.HealthDegraded || openai.State != jobpilot.BreakerOpen ||
			!strings.Contains(openai.Reason, "HTTP 401") || !strings.Contains(openai.Reason, llm.KeyRefused) || !strings.Contains(openai.Reason, "OPENAI_API_KEY") {
			t.Errorf("health %s, openai breaker %+v; want degraded, open, the reason naming the 401 and OPENAI_API_KEY", health.Status, openai)
		}
		for _, app := range h.apps() {
			if !strings.Contains(app.Error, "HTTP 401") {
				t.Errorf("application %d records %q, want the paused breaker's reason", app.ID, app.Error)
			}
		}
		// At most one call per application: those already on their way
		// when the first 401 paused the breaker.
		calls := fake.Calls()
		if calls < 1 || calls > n || fake.Accepted() != 0 {
			t.Errorf("%d calls (%d accepted) with the wrong key, want between 1 and %d, none accepted", calls, fake.Accepted(), n)
		}
		for _, service := range []string{resilience.ServiceResume, resilience.ServiceCoverLetter} {
			if r := h.resEvents(service, resilience.KindRetry); len(r) != 0 {
				t.Errorf("a refused key was retried: %+v", r)
			}
		}

		// The key is fixed and the service restarted.
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := h.sys.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		h.sys.Close()
		if c := fake.Calls(); c != calls {
			t.Errorf("%d calls while paused, want none after the first %d", c-calls, calls)
		}
		fixed := *h.cfg
		fixed.OpenAI.APIKey = right
		sys, err := system.Open(ctx, &fixed, system.Options{Logger: quietLogger(), FastStart: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			sys.Stop(stopCtx)
			sys.Close()
		})
		if err := sys.Start(ctx); err != nil {
			t.Fatal(err)
		}
		h.sys = sys
		h.waitStatus(n, 120*time.Second, jobpilot.StatusSent)
		for _, app := range h.apps() {
			if !strings.HasPrefix(app.Writer, "llm:") || app.Error != "" {
				t.Errorf("application %d: writer %q, error %q; want the model's documents", app.ID, app.Writer, app.Error)
			}
			if got := messagesFor(h.smtp, msgID(app.ID)); len(got) != 1 {
				t.Errorf("application %d: %d messages arrived, want exactly one", app.ID, len(got))
			}
		}
	})
}
