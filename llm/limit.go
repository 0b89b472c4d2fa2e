package llm

import (
	"errors"
	"io"
	"net/http"

	"github.com/jobpilot/jobpilot/guard"
)

// ErrReplyTooLarge is wrapped (as a permanent error) when a reply is larger
// than guard.MaxReplyBytes, or its HTTP body larger than maxBodyBytes: it is
// refused before it is parsed, and the pipeline falls back to the template
// writer rather than ask again for something as large.
var ErrReplyTooLarge = errors.New("the model's reply is too large")

// maxBodyBytes bounds an HTTP response body: a reply of guard.MaxReplyBytes
// in its JSON envelope, with room for escaping.
const maxBodyBytes = 8 * guard.MaxReplyBytes

// limitTransport cuts every response body at maxBodyBytes: reading past it
// fails with ErrReplyTooLarge, so a 2 MB reply is never read whole.
type limitTransport struct{ base http.RoundTripper }

func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxBodyBytes}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, ErrReplyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
