package source

import (
	"bytes"
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

type jsonEnvelope struct {
	Postings []json.RawMessage `json:"postings"`
}

// Fetch reads the feed. Entries that do not decode or fail validation are
// logged and left out; a document that is not a JSON array or
// {"postings": [...]} fails the fetch permanently.
func (f *JSONFeed) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	body, err := f.read(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := decodeFeed(body)
	if err != nil {
		return nil, jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.EINVALID,
			Message: fmt.Sprintf("source %s: %s is not a JSON array of postings nor {\"postings\": [...]}", f.name, f.cfg.Keys["url"]), Err: err})
	}
	// Entries are decoded one by one: a malformed field in one entry (a
	// published_at that is not RFC 3339, a string for remote) leaves that
	// entry out, not the whole feed.
	ps := make([]jobpilot.Posting, 0, len(raw))
	for i, r := range raw {
		var p jobpilot.Posting
		if err := json.Unmarshal(r, &p); err != nil {
			f.log.Warn("posting skipped", "index", i, "reason", err.Error())
			continue
		}
		// The feed states its fields as they are: a company or title with
		// line breaks is invalid (README), not tidied into one line as the
		// HTML of the boards is.
		if strings.ContainsAny(p.Company+p.Title, "\r\n") {
			f.log.Warn("posting skipped", "external_id", p.ExternalID, "reason", "company and title must be a single line")
			continue
		}
		ps = append(ps, p)
	}
	for i := range ps {
		p := &ps[i]
		if p.ExternalID == "" {
			// A feed without ids still works: the URL identifies the job.
			p.ExternalID = p.URL
		}
		if strings.Contains(p.Description, "</") || strings.Contains(p.Description, "<br") {
			p.Description = HTMLToText(p.Description)
		} else {
			p.Description = strings.TrimSpace(p.Description)
		}
		// Store-owned fields are not the feed's to set.
		p.ID, p.ClosedAt, p.Fingerprint, p.ContentHash = 0, nil, "", ""
		p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
	}
	return f.finish(ps), nil
}

func (f *JSONFeed) read(ctx context.Context) ([]byte, error) {
	u := strings.TrimSpace(f.cfg.Keys["url"])
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return f.client.Get(ctx, f.name, u)
	}
	path := strings.TrimPrefix(u, "file://")
	file, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.ENOTFOUND, Message: fmt.Sprintf("source %s: no feed file %s", f.name, path), Err: err})
		}
		return nil, jobpilot.Permanent(fmt.Errorf("source %s: %w", f.name, err))
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, f.client.maxBody+1))
	if err != nil {
		return nil, jobpilot.Permanent(fmt.Errorf("source %s: reading %s: %w", f.name, path, err))
	}
	if int64(len(body)) > f.client.maxBody {
		return nil, jobpilot.Permanent(fmt.Errorf("source %s: %s is larger than %d bytes", f.name, path, f.client.maxBody))
	}
	return body, nil
}

// decodeFeed returns the feed's entries, still undecoded.
func decodeFeed(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var ps []json.RawMessage
		err := json.Unmarshal(body, &ps)
		return ps, err
	}
	var env jsonEnvelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return nil, err
	}
	if env.Postings == nil {
		return nil, errors.New(`no "postings" array`)
	}
	return env.Postings, nil
}
