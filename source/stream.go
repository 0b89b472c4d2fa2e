package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jobpilot/jobpilot"
)

// Streamer is a Source that hands its postings over one at a time as it
// reads them, so that fetching a board holds one posting in memory, not the
// board. Every source of this package is one; FetchAll uses it to store a
// board in batches.
type Streamer interface {
	jobpilot.Source
	// FetchEach reads the board and calls yield with each posting that is
	// valid and passes the source's filter, normalised, in the board's
	// order. A request retried after a failure midway reads its part of the
	// board again, so yield may see a posting twice. An error of yield
	// stops the fetch and is returned as it is.
	FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error
}

// collect is Fetch on top of FetchEach.
func collect(ctx context.Context, fetchEach func(context.Context, func(jobpilot.Posting) error) error) ([]jobpilot.Posting, error) {
	var ps []jobpilot.Posting
	seen := map[string]int{}
	err := fetchEach(ctx, func(p jobpilot.Posting) error {
		if i, ok := seen[p.ExternalID]; ok {
			ps[i] = p // read again by a retried request
			return nil
		}
		seen[p.ExternalID] = len(ps)
		ps = append(ps, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// emit finishes one posting (finishOne) and hands it to yield; a posting
// that is invalid or filtered out is dropped. yield's error is marked as
// the consumer's (see consumerError).
func (b *base) emit(p jobpilot.Posting, yield func(jobpilot.Posting) error) error {
	if !b.finishOne(&p) {
		return nil
	}
	return consumer(yield(p))
}

// errNotBoard is a JSON document whose shape is not the board's.
var errNotBoard = errors.New("unexpected JSON shape")

// eachElement reads the JSON array found at path in r (the object keys to
// descend, e.g. "jobs"; none for a top-level array) and calls fn with each
// element, still encoded. Other values are skipped token by token, so
// nothing but one element is held at a time; what follows the array is not
// read. A null array is an empty one; a missing key or another shape is
// errNotBoard.
func eachElement(r io.Reader, path []string, fn func(i int, raw json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	for _, key := range path {
		if err := findKey(dec, key); err != nil {
			return err
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("%w: want an array, got %v", errNotBoard, tok)
	}
	return eachRest(dec, fn)
}

// eachRest reads the elements of an array whose '[' was read, and its ']'.
func eachRest(dec *json.Decoder, fn func(i int, raw json.RawMessage) error) error {
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(i, raw); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing ']': a document cut before it is cut short
	return err
}

// findKey reads an object up to key's value.
func findKey(dec *json.Decoder, key string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("%w: want an object with %q, got %v", errNotBoard, key, tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if k, _ := tok.(string); k == key {
			return nil
		}
		if err := skipValue(dec); err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: no %q", errNotBoard, key)
}

// skipValue reads one value token by token, holding no more than a token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// decodeEntry decodes one element into v; a malformed element (a string
// for a number, an object for a list) is logged and skipped, never fatal:
// one bad job must not hide a board.
func (b *base) decodeEntry(i int, raw json.RawMessage, v any) bool {
	if err := json.Unmarshal(raw, v); err != nil {
		b.log.Warn("posting skipped", "index", i, "reason", err.Error())
		return false
	}
	return true
}
