package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/redact"
)

// TimeoutError is a request a board did not answer in time: no response
// headers within the connect limit, or a silence longer than the idle limit
// while its body was read. It is transient, and errors.Is(err,
// context.DeadlineExceeded) is true.
type TimeoutError struct {
	URL   string
	Phase string // "first byte" or "idle"
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	if e.Phase == phaseIdle {
		return fmt.Sprintf("GET %s: no data for %s while reading the response", e.URL, e.Limit)
	}
	return fmt.Sprintf("GET %s: no response within %s", e.URL, e.Limit)
}

// Is matches context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout makes TimeoutError a net.Error-style timeout for generic code.
func (e *TimeoutError) Timeout() bool { return true }

const (
	phaseFirstByte = "first byte"
	phaseIdle      = "idle"
)

var (
	errFirstByte = errors.New("first byte timeout")
	errIdle      = errors.New("idle timeout")
)

// consumerError is a failure of the code the body is handed to (storing
// postings), not of the board: it stops the request without a retry and
// without counting against the board's breaker, and Stream returns the
// original error.
type consumerError struct{ err error }

func (e *consumerError) Error() string { return e.err.Error() }
func (e *consumerError) Unwrap() error { return e.err }

// Stream fetches rawURL for the source called name and hands the body to
// read as it arrives, under the source's policy: read runs once per
// attempt, so a retried request reads the body again from its start. The
// host's slot is held from the first attempt to the end of the last.
//
// read's errors are classified (decodeErr for JSON): a body cut short or a
// broken connection is transient, a body that is not what the board
// documents is permanent, and an error read returns from its own work (a
// store that failed: wrap it with consumer) ends the request at once and is
// returned as it is.
func (c *Client) Stream(ctx context.Context, name, rawURL string, read func(ctx context.Context, body io.Reader) error) error {
	return c.stream(ctx, name, rawURL, acceptJSON, read)
}

// Accept headers: what a JSON API or an XML feed answers with.
const (
	acceptJSON = "application/json"
	acceptXML  = "application/xml, text/xml;q=0.9, application/rss+xml;q=0.9, application/atom+xml;q=0.9, */*;q=0.5"
)

// stream is Stream with the Accept header to send.
func (c *Client) stream(ctx context.Context, name, rawURL, accept string, read func(ctx context.Context, body io.Reader) error) error {
	// A URL may carry a password (https://user:pass@host/feed.json) or a
	// token (?token=…): every message shows it redacted, and the errors of
	// the transport, which may quote it, pass through redact.Error before
	// the policy logs them as retries or the caller stores them.
	shown := redact.URL(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.EINVALID, Message: fmt.Sprintf("source %s: bad URL %q", name, shown), Err: redact.Error(err)})
	}
	release, err := c.hosts.acquire(ctx, u.Host)
	if err != nil {
		return fmt.Errorf("source %s: waiting for %s: %w", name, u.Host, err)
	}
	defer release()
	if c.gate != nil {
		if err := c.gate(u.Host); err != nil {
			return fmt.Errorf("source %s: %w", name, err)
		}
	}
	start := time.Now()
	var n int64
	err = c.policy(name).Do(ctx, func(ctx context.Context) error {
		var err error
		n, err = c.attempt(ctx, rawURL, shown, accept, read)
		return redact.Error(err)
	})
	var ce *consumerError
	if errors.As(err, &ce) {
		return ce.err
	}
	if err != nil {
		return fmt.Errorf("source %s: %w", name, err)
	}
	c.log.Debug("source request", "source", name, "url", shown, "bytes", n, "elapsed", time.Since(start))
	return nil
}

// consumer marks err as the reader's own failure (see consumerError).
func consumer(err error) error {
	if err == nil {
		return nil
	}
	return jobpilot.Permanent(&consumerError{err: err})
}

// attempt is one request: headers within connectTimeout, then the body,
// each read within idleTimeout, at most maxBody bytes. Its messages name
// the URL as shown (redacted).
func (c *Client) attempt(ctx context.Context, rawURL, shown, accept string, read func(ctx context.Context, body io.Reader) error) (int64, error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, jobpilot.Permanent(err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", accept)
	firstByte := time.AfterFunc(c.connectTimeout, func() { cancel(errFirstByte) })
	resp, err := c.http.Do(req)
	firstByte.Stop()
	if err != nil {
		if context.Cause(reqCtx) == errFirstByte {
			return 0, jobpilot.Transient(&TimeoutError{URL: shown, Phase: phaseFirstByte, Limit: c.connectTimeout})
		}
		if errors.Is(err, jobpilot.ErrPermanent) {
			return 0, err // a redirect the policy refused
		}
		return 0, classifyNetErr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return 0, classifyStatus(shown, resp, time.Now())
	}
	body := &bodyReader{r: resp.Body, max: c.maxBody, url: shown, idle: c.idleTimeout, ctx: ctx, reqCtx: reqCtx}
	body.timer = time.AfterFunc(c.idleTimeout, func() { cancel(errIdle) })
	body.timer.Stop()
	defer body.timer.Stop()
	err = read(reqCtx, body)
	if err == nil {
		return body.n, nil
	}
	var ce *consumerError
	if errors.As(err, &ce) || ctx.Err() != nil {
		return body.n, err
	}
	return body.n, decodeErr(err)
}

// bodyReader counts, bounds and times the reads of a response body, and
// classifies their failures.
type bodyReader struct {
	r           io.Reader
	n, max      int64
	url         string
	idle        time.Duration
	timer       *time.Timer
	ctx, reqCtx context.Context
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.n > b.max {
		return 0, b.tooLarge()
	}
	if rest := b.max - b.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	b.timer.Reset(b.idle)
	n, err := b.r.Read(p)
	b.timer.Stop()
	b.n += int64(n)
	switch {
	case b.n > b.max:
		return n, b.tooLarge()
	case err == nil, err == io.EOF:
		return n, err
	case context.Cause(b.reqCtx) == errIdle:
		return n, jobpilot.Transient(&TimeoutError{URL: b.url, Phase: phaseIdle, Limit: b.idle})
	case errors.Is(err, context.Canceled) && b.ctx.Err() != nil:
		return n, err // our own shutdown, not the board's failure
	}
	// A dropped connection, a body shorter than its Content-Length.
	return n, jobpilot.Transient(fmt.Errorf("GET %s: reading the body: %w", b.url, err))
}

func (b *bodyReader) tooLarge() error {
	return jobpilot.Permanent(fmt.Errorf("GET %s: the response is larger than %d bytes (SOURCE_MAX_BYTES)", b.url, b.max))
}

// decodeErr classifies a failure to decode a board's JSON: already
// classified errors (the body reader's) as they are; a document that ends
// too early (cut short, even with a matching Content-Length) transient, as
// a dropped connection is; a document that is not JSON, or not the shape
// the board documents, permanent.
func decodeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jobpilot.ErrTransient), errors.Is(err, jobpilot.ErrPermanent), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return jobpilot.Transient(fmt.Errorf("the response was cut short: %w", io.ErrUnexpectedEOF))
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) || errors.Is(err, errNotBoard) {
		return jobpilot.Permanent(fmt.Errorf("the response is not the board's JSON: %w", err))
	}
	return jobpilot.Transient(err)
}
