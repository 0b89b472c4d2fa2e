package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
)

// Defaults of ClientOptions' zero values.
const (
	// DefaultMaxBody bounds one response body. Boards are read as a stream,
	// so the bound protects against a response that never ends rather than
	// against memory: at about 14 KB a job, 1 GiB is 75,000 jobs.
	DefaultMaxBody = 1 << 30
	// DefaultConnectTimeout bounds a request's connection and first byte.
	DefaultConnectTimeout = 30 * time.Second
	// DefaultIdleTimeout bounds a silence while a body is read.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultHostConcurrency is how many requests run at once to one host.
	DefaultHostConcurrency = 2
	// DefaultHostDelay is the politeness delay the configuration asks for by
	// default (SOURCE_HOST_DELAY); a Client whose HostDelay is 0 waits none.
	DefaultHostDelay = 250 * time.Millisecond
)

// once is the executor used when a source has none: one attempt, no timeout.
type once struct{}

func (once) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// ClientOptions configure a Client. The zero value works: one attempt per
// request, http.DefaultClient's transport, the defaults above, no delay
// between requests.
type ClientOptions struct {
	// HTTP is the client used for requests; nil means a client without a
	// timeout of its own (ConnectTimeout and IdleTimeout bound each
	// request). Its redirects are checked by the Client's policy (see
	// RedirectHosts) before its own CheckRedirect.
	HTTP *http.Client
	// Policies returns the executor of one source's resilience policy, by
	// the source's Name ("greenhouse:acme"). internal/system wires it to
	// the resilience set, which gives each source its own retry policy, its
	// own per-attempt timeout and its own breaker "source:<type>:<name>".
	// nil means one attempt and no timeout.
	Policies func(name string) jobpilot.Executor
	// MaxBody bounds a response body in bytes (SOURCE_MAX_BYTES); 0 means
	// DefaultMaxBody. A larger body fails the request permanently.
	MaxBody int64
	// ConnectTimeout bounds a request from its start to the response's
	// headers (SOURCE_TIMEOUT); IdleTimeout bounds each silence while the
	// body is read (SOURCE_IDLE_TIMEOUT). Both are transient failures. A
	// whole download has no limit of its own, so a large board on a slow
	// link finishes as long as it keeps sending. 0 means the defaults.
	ConnectTimeout, IdleTimeout time.Duration
	// HostConcurrency is how many requests run at once to one host, across
	// sources (SOURCE_HOST_CONCURRENCY); 0 means DefaultHostConcurrency.
	// HostDelay is the least time between the starts of two requests to
	// one host (SOURCE_HOST_DELAY); 0 means none.
	HostConcurrency int
	HostDelay       time.Duration
	// RedirectHosts are the hosts a request may be redirected to besides its
	// own (SOURCE_REDIRECT_HOSTS): "careers.acme.com", or ".acme.com" for
	// every subdomain. See Client.
	RedirectHosts []string
	// UserAgent overrides the default "jobpilot/<version> (+https://github.com/jobpilot/jobpilot)".
	UserAgent string
	Logger    *slog.Logger // nil = slog.Default()
}

// Client fetches job-board APIs politely and classifies their failures.
//
//   - At most HostConcurrency requests at a time per host, their starts
//     HostDelay apart: the sources of one board host (say, ten Greenhouse
//     boards) share it, which is what the boards ask of API clients, and one
//     slow board does not hold up the others. A slot is held for a whole
//     request including its retries, so a host that said "slow down" (429)
//     gets no more traffic from that request meanwhile.
//   - Bodies are read as streams (Stream): no more than one job is held,
//     whatever the board's size; a body over MaxBody fails permanently.
//   - Redirects are followed only to the request's own host (https never to
//     http) or to RedirectHosts: a board cannot send jobpilot to loopback or
//     another service.
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
	http           *http.Client
	policies       func(string) jobpilot.Executor
	maxBody        int64
	connectTimeout time.Duration
	idleTimeout    time.Duration
	userAgent      string
	log            *slog.Logger
	hosts          *hostPool
	redirects      redirectPolicy
	// gate, when set, is asked after a host's slot is taken and before the
	// request is sent; its error cancels the request (see Discover).
	gate func(host string) error
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	c := &Client{policies: o.Policies, maxBody: o.MaxBody, connectTimeout: o.ConnectTimeout, idleTimeout: o.IdleTimeout,
		userAgent: o.UserAgent, log: o.Logger, hosts: newHostPool(o.HostConcurrency, o.HostDelay),
		redirects: newRedirectPolicy(o.RedirectHosts)}
	c.http = c.redirects.client(o.HTTP)
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.connectTimeout <= 0 {
		c.connectTimeout = DefaultConnectTimeout
	}
	if c.idleTimeout <= 0 {
		c.idleTimeout = DefaultIdleTimeout
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
// to find its owners, as the boards' etiquette asks. A development build's
// version ("(devel) 0123abcd…") is not a valid product token, so it is
// sent as "devel".
func UserAgent() string {
	v := jobpilot.Version
	if v == "" || strings.ContainsAny(v, "() ") {
		v = "devel"
	}
	return "jobpilot/" + v + " (+https://github.com/jobpilot/jobpilot)"
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
// the policy) and returns the body, for small documents; boards are read
// with Stream. The context's cancellation stops the request, the retries
// and the wait for the host.
func (c *Client) Get(ctx context.Context, name, rawURL string) ([]byte, error) {
	var body []byte
	err := c.Stream(ctx, name, rawURL, func(_ context.Context, r io.Reader) error {
		b, err := io.ReadAll(r)
		body = b
		return err
	})
	if err != nil {
		return nil, err
	}
	return body, nil
}

// GetJSON fetches rawURL and decodes its JSON body into v, for small
// documents (a search result, one page). A body that is not valid JSON is
// a permanent error: the board would answer the same again; one cut short
// is transient.
func (c *Client) GetJSON(ctx context.Context, name, rawURL string, v any) error {
	return c.Stream(ctx, name, rawURL, func(_ context.Context, r io.Reader) error {
		return decodeErr(json.NewDecoder(r).Decode(v))
	})
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
