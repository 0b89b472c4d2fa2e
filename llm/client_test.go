package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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
		reply     fakellm.Reply
		transient bool
		after     bool
	}{
		{fakellm.Reply{Status: 429, RetryAfter: date}, true, true},
		{fakellm.Reply{Status: 429}, true, false},
		{fakellm.Reply{Status: 500}, true, false},
		{fakellm.Reply{Status: 503}, true, false},
		{fakellm.Reply{Status: 400}, false, false},
		{fakellm.Reply{Status: 401}, false, false},
		{fakellm.Reply{Status: 403}, false, false},
		{fakellm.Reply{Status: 404}, false, false},
	}
	for _, tc := range tests {
		fake.Script(tc.reply)
		before := fake.Calls()
		_, err := c.Complete(context.Background(), Request{Purpose: "test", Messages: []Message{{Role: "user", Content: "hi"}}})
		if fake.Calls()-before != 1 {
			t.Errorf("%d: %d HTTP requests, want 1 (SDK retries must be off)", tc.reply.Status, fake.Calls()-before)
		}
		if errors.Is(err, jobpilot.ErrTransient) != tc.transient || errors.Is(err, jobpilot.ErrPermanent) == tc.transient {
			t.Errorf("%d: err = %v, transient want %v", tc.reply.Status, err, tc.transient)
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
