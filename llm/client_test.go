package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
)

// One Complete is one HTTP request, classified by status.
func TestClientClassifiesErrors(t *testing.T) {
	fake := fakellm.New(fakellm.Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := NewClient(Config{BaseURL: srv.URL + "/v1", Model: "m"})
	date := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		reply fakellm.Reply
		class error // jobpilot.ErrTransient, ErrPermanent or ErrMisconfigured
		after bool
	}{
		{fakellm.Reply{Status: 429, RetryAfter: date}, jobpilot.ErrTransient, true},
		{fakellm.Reply{Status: 429}, jobpilot.ErrTransient, false},
		{fakellm.Reply{Status: 500}, jobpilot.ErrTransient, false},
		{fakellm.Reply{Status: 503}, jobpilot.ErrTransient, false},
		{fakellm.Reply{Status: 400}, jobpilot.ErrPermanent, false},
		// A refused key is our configuration: neither retried nor the
		// application's fault (the breaker is paused).
		{fakellm.Reply{Status: 401}, jobpilot.ErrMisconfigured, false},
		{fakellm.Reply{Status: 403}, jobpilot.ErrMisconfigured, false},
		{fakellm.Reply{Status: 404}, jobpilot.ErrPermanent, false},
	}
	for _, tc := range tests {
		fake.Script(tc.reply)
		before := fake.Calls()
		_, err := c.Complete(context.Background(), Request{Purpose: "test", Messages: []Message{{Role: "user", Content: "hi"}}})
		if fake.Calls()-before != 1 {
			t.Errorf("%d: %d HTTP requests, want 1 (SDK retries must be off)", tc.reply.Status, fake.Calls()-before)
		}
		for _, class := range []error{jobpilot.ErrTransient, jobpilot.ErrPermanent, jobpilot.ErrMisconfigured} {
			if errors.Is(err, class) != (class == tc.class) {
				t.Errorf("%d: err = %v, want it %v only", tc.reply.Status, err, tc.class)
			}
		}
		if tc.class == jobpilot.ErrMisconfigured && (!strings.Contains(err.Error(), KeyRefused) || !strings.Contains(err.Error(), "OPENAI_API_KEY")) {
			t.Errorf("%d: err = %v, want it to say the key was refused and name OPENAI_API_KEY", tc.reply.Status, err)
		}
		d, ok := jobpilot.RetryAfter(err)
		if ok != tc.after || (ok && (d <= 3*time.Second || d > 5*time.Second)) {
			t.Errorf("%d: RetryAfter = %v, %v", tc.reply.Status, d, ok)
		}
	}

	// A refused connection is transient; our own cancellation is not classified.
	dead := NewClient(Config{BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
	if _, err := dead.Complete(context.Background(), Request{}); !errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("refused connection: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Complete(ctx, Request{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestClientJSONModes(t *testing.T) {
	fake := fakellm.New(fakellm.Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, mode := range []string{JSONObject, JSONSchema} {
		c := NewClient(Config{BaseURL: srv.URL + "/v1", Model: "m"}, WithJSONMode(mode))
		if _, err := c.Complete(context.Background(), Request{JSON: true, SchemaName: "s", Schema: tailoringSchema(),
			Messages: []Message{{Role: "user", Content: "x"}}}); err != nil {
			t.Fatal(err)
		}
		rs := fake.Requests()
		if got := rs[len(rs)-1].Format; got != mode {
			t.Errorf("response_format = %q, want %q", got, mode)
		}
	}
}
