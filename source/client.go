package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// DefaultMaxBody bounds one response body. A Hacker News thread with every
// reply is a few MB; anything far beyond that is not a job board.
const DefaultMaxBody = 32 << 20

// once is the executor used when a source has none: one attempt, no timeout.
type once struct{}

func (once) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// ClientOptions configure a Client. The zero value works: one attempt per
// request, http.DefaultClient's transport, a 32 MiB body limit.
type ClientOptions struct {
	// HTTP is the client used for requests; nil means a client without its
	// own timeout (the policy's per-attempt timeout bounds each request).
	HTTP *http.Client
	// Policies returns the executor of one source's resilience policy, by
	// the source's Name ("greenhouse:acme"). internal/system wires it to
	// the resilience set, which gives each source its own retry policy, its
	// own per-attempt timeout and its own breaker "source:<type>:<name>".
	// nil means one attempt and no timeout.
	Policies func(name string) jobpilot.Executor
	// MaxBody bounds a response body in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// UserAgent overrides the default "jobpilot/<version> (+https://github.com/jobpilot/jobpilot)".
	UserAgent string
	Logger    *slog.Logger // nil = slog.Default()
}

// Client fetches job-board APIs politely and classifies their failures.
//
//   - One request at a time per host: every source of one board host (say,
//     ten Greenhouse boards) queues behind the others, which is what the
//     boards ask of API clients. The host is held for a whole request
//     including its retries, so a host that said "slow down" (429) is not
//     hit by another source meanwhile.
//   - Every request goes through its source's executor (Policies), so it is retried,
//     counted by the source's breaker and cut off by the per-attempt timeout.
//   - Failures are classified: network errors and timeouts are
//     jobpilot.Transient; statuses follow resilience.ClassifyHTTPStatus
//     (429 and 5xx but 501 transient, TransientAfter when a 429 or 503 sent
//     Retry-After, in seconds or as an HTTP date; 400, 401, 403, 404 …
//     permanent); bodies that are not what the board documents are
//     jobpilot.Permanent. Messages name the URL and the status.
//
// A Client is safe for concurrent use.
type Client struct {
	http      *http.Client
	policies  func(string) jobpilot.Executor
	maxBody   int64
	userAgent string
	log       *slog.Logger

	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	c := &Client{http: o.HTTP, policies: o.Policies, maxBody: o.MaxBody, userAgent: o.UserAgent, log: o.Logger,
		hosts: map[string]chan struct{}{}}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.userAgent == "" {
		c.userAgent = UserAgent()
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c
}

// UserAgent is the User-Agent jobpilot sends: it names the program and where
// to find its owners, as the boards' etiquette asks.
func UserAgent() string {
	return "jobpilot/" + jobpilot.Version + " (+https://github.com/jobpilot/jobpilot)"
}

func (c *Client) policy(name string) jobpilot.Executor {
	if c.policies == nil {
		return once{}
	}
	if p := c.policies(name); p != nil {
		return p
	}
	return once{}
}

// acquire takes the host's single slot, or gives up when ctx ends.
func (c *Client) acquire(ctx context.Context, host string) (release func(), err error) {
	c.mu.Lock()
	sem, ok := c.hosts[host]
	if !ok {
		sem = make(chan struct{}, 1)
		c.hosts[host] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return func() {}, ctx.Err()
	}
}

// StatusError is an HTTP answer other than 2xx. It is wrapped as transient
// (429, 5xx) or permanent (other 4xx); errors.As gives the details.
type StatusError struct {
	URL    string
	Status int
	Reason string // what the status means for a job board, in words
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// Get fetches rawURL for the source called name (its Name, which selects
// the policy) and returns the body. The context's cancellation stops the
// request, the retries and the wait for the host.
func (c *Client) Get(ctx context.Context, name, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.EINVALID, Message: fmt.Sprintf("source %s: bad URL %q", name, rawURL), Err: err})
	}
	release, err := c.acquire(ctx, u.Host)
	defer release()
	if err != nil {
		return nil, fmt.Errorf("source %s: waiting for %s: %w", name, u.Host, err)
	}
	var body []byte
	start := time.Now()
	err = c.policy(name).Do(ctx, func(ctx context.Context) error {
		b, err := c.get(ctx, rawURL)
		body = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", name, err)
	}
	c.log.Debug("source request", "source", name, "url", rawURL, "bytes", len(body), "elapsed", time.Since(start))
	return body, nil
}

// GetJSON fetches rawURL and decodes its JSON body into v. A body that is
// not valid JSON is a permanent error: the board would answer the same again.
func (c *Client) GetJSON(ctx context.Context, name, rawURL string, v any) error {
	body, err := c.Get(ctx, name, rawURL)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jobpilot.Permanent(fmt.Errorf("source %s: GET %s: the response is not the board's JSON: %w", name, rawURL, err))
	}
	return nil
}

// get is one attempt.
func (c *Client) get(ctx context.Context, rawURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, jobpilot.Permanent(err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classifyNetErr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, classifyStatus(rawURL, resp, time.Now())
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, classifyNetErr(ctx, fmt.Errorf("GET %s: reading the body: %w", rawURL, err))
	}
	if int64(len(body)) > c.maxBody {
		return nil, jobpilot.Permanent(fmt.Errorf("GET %s: the response is larger than %d bytes", rawURL, c.maxBody))
	}
	return body, nil
}

// classifyNetErr marks transport failures transient, except our own
// cancellation, which is returned as is: it is a shutdown, not a failure of
// the board, and must not be retried or counted by the breaker.
func classifyNetErr(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err
	}
	return jobpilot.Transient(err)
}

func classifyStatus(rawURL string, resp *http.Response, now time.Time) error {
	e := &StatusError{URL: rawURL, Status: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		e.Reason = "rate limited"
	case code == http.StatusNotFound || code == http.StatusGone:
		e.Reason = "no such board: check the source's token, site, org or URL"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Reason = "access denied: the board is private or blocks this client"
	case code == http.StatusBadRequest:
		e.Reason = "the board rejected the request"
	}
	return resilience.ClassifyHTTPStatus(resp.StatusCode, resp.Header, e, now)
}
