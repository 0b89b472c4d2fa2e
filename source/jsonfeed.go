package source

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/redact"
)

// JSONType is the "json" source: a file or http(s) URL in jobpilot's own
// feed format. It has no API root of its own: base_url is not used.
var JSONType = Type{
	Name: "json",
	Keys: []Key{{Name: "url", Required: true, Doc: "file path or http(s) URL of the feed"}},
	New:  func(b base) jobpilot.Source { return &JSONFeed{base: b} },
}

// JSONFeed reads postings in jobpilot's own normalised format from a file or
// an http(s) URL; see the package documentation for the format. A URL is
// fetched through the Client like any board (its policy, its host's slot);
// a file is read directly, and a missing or unreadable file is a permanent
// error.
type JSONFeed struct {
	base
}

// Fetch reads the feed.
func (f *JSONFeed) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, f.FetchEach)
}

// FetchEach streams the feed, one entry at a time. Entries that do not
// decode or fail validation are logged and left out; a document that is not
// a JSON array or {"postings": [...]} fails the fetch permanently.
func (f *JSONFeed) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	u := strings.TrimSpace(f.cfg.Keys["url"])
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return f.client.Stream(ctx, f.name, u, func(_ context.Context, body io.Reader) error {
			return f.read(body, yield)
		})
	}
	path := strings.TrimPrefix(u, "file://")
	file, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.ENOTFOUND, Message: fmt.Sprintf("source %s: no feed file %s", f.name, path), Err: err})
		}
		return jobpilot.Permanent(fmt.Errorf("source %s: %w", f.name, err))
	}
	defer file.Close()
	body := &limitedFile{r: file, max: f.client.maxBody, path: path}
	err = f.read(body, yield)
	var ce *consumerError
	switch {
	case errors.As(err, &ce):
		return ce.err
	case err != nil && jobpilot.ErrorCode(err) == jobpilot.EINVALID:
		return err
	case err != nil:
		return jobpilot.Permanent(fmt.Errorf("source %s: reading %s: %w", f.name, path, err))
	}
	return nil
}

// read decodes a feed document entry by entry.
func (f *JSONFeed) read(r io.Reader, yield func(jobpilot.Posting) error) error {
	br := bufio.NewReader(r)
	var path []string
	if b, err := firstByte(br); err == nil && b != '[' {
		path = []string{"postings"}
	}
	err := eachElement(br, path, func(i int, raw json.RawMessage) error {
		var p jobpilot.Posting
		if !f.decodeEntry(i, raw, &p) {
			return nil
		}
		// The feed states its fields as they are: a company or title with
		// line breaks is invalid (README), not tidied into one line as the
		// HTML of the boards is.
		if strings.ContainsAny(p.Company+p.Title, "\r\n") {
			f.log.Warn("posting skipped", "external_id", p.ExternalID, "reason", "company and title must be a single line")
			return nil
		}
		return f.emit(feedPosting(p), yield)
	})
	if errors.Is(err, errNotBoard) {
		return jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.EINVALID,
			Message: fmt.Sprintf("source %s: %s is not a JSON array of postings nor {\"postings\": [...]}", f.name, redact.URL(f.cfg.Keys["url"])), Err: err})
	}
	return err
}

// feedPosting tidies an entry: the URL is the id of a feed without ids,
// HTML descriptions become text, and the fields the store owns are not the
// feed's to set, nor is Example: it marks jobpilot's own fictional data,
// which the dashboard and the automation treat apart.
func feedPosting(p jobpilot.Posting) jobpilot.Posting {
	if p.ExternalID == "" {
		p.ExternalID = p.URL
	}
	if strings.Contains(p.Description, "</") || strings.Contains(p.Description, "<br") {
		p.Description = HTMLToText(p.Description)
	} else {
		p.Description = strings.TrimSpace(p.Description)
	}
	p.ID, p.ClosedAt, p.Fingerprint, p.ContentHash = 0, nil, "", ""
	p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
	p.Example = false
	return p
}

// firstByte peeks at the first byte that is not white space.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		if b[0] != ' ' && b[0] != '\t' && b[0] != '\n' && b[0] != '\r' {
			return b[0], nil
		}
		_, _ = br.ReadByte()
	}
}

// limitedFile bounds a feed file as a body is bounded.
type limitedFile struct {
	r    io.Reader
	n    int64
	max  int64
	path string
}

func (l *limitedFile) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, jobpilot.Permanent(fmt.Errorf("%s is larger than %d bytes", l.path, l.max))
	}
	return n, err
}
