package redact

import (
	"cmp"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// MinSecretLength is the shortest secret a Scrubber replaces: a shorter
// one would turn every occurrence of its letters in every log line into
// Marker.
const MinSecretLength = 4

// Scrubber replaces known secrets, and the credentials of any URL, in
// text. The zero value and nil only redact URLs. A Scrubber is safe for
// concurrent use.
type Scrubber struct {
	r     *strings.Replacer
	forms []string // every form of every secret, the longest first
}

// NewScrubber returns a Scrubber of secrets: each is replaced by Marker as
// written and in the encoded forms it takes in a URL or a JSON string.
// Empty secrets and those shorter than MinSecretLength are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if len(s) < MinSecretLength {
			continue
		}
		js, _ := json.Marshal(s)
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), string(js[1 : len(js)-1])} {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return &Scrubber{}
	}
	// The longest first, so a secret that contains another is replaced whole.
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Marker)
	}
	return &Scrubber{r: strings.NewReplacer(pairs...), forms: forms}
}

// String returns s without the secrets and without URL credentials. A
// text cut short in the middle of a secret (a message truncated for the
// record, perhaps followed by "…" or "...") loses the part it kept too.
func (s *Scrubber) String(text string) string {
	text = Text(text) // first, so a URL still parses with its password
	if s != nil && s.r != nil {
		text = s.cutTail(s.r.Replace(text))
	}
	return text
}

// cutTail replaces the start of a secret that ends text (before an
// ellipsis) with Marker.
func (s *Scrubber) cutTail(text string) string {
	body, ellipsis := text, ""
	for _, e := range []string{"…", "..."} {
		if strings.HasSuffix(body, e) {
			body, ellipsis = strings.TrimSuffix(body, e), e
			break
		}
	}
	for _, f := range s.forms {
		for n := len(f) - 1; n >= MinSecretLength; n-- {
			if strings.HasSuffix(body, f[:n]) {
				return body[:len(body)-n] + Marker + ellipsis
			}
		}
	}
	return text
}

// Error returns err with a scrubbed message; errors.Is and errors.As still
// see err and its chain. nil stays nil, and an error with nothing to scrub
// is returned as it is.
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.String(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

// Error returns err with the credentials of the URLs in its message
// redacted (Text), its chain intact: (*Scrubber)(nil).Error.
func Error(err error) error { return (*Scrubber)(nil).Error(err) }

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
