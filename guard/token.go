package guard

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot/vocab"
)

// token is one word of a sentence, as the guard sees it.
type token struct {
	text    string // as written, surrounding punctuation removed
	lower   string // lower case, possessive and apostrophes removed, dotted acronym collapsed
	start   bool   // first word of a sentence, or first after a colon
	capital bool   // first letter upper case
	acronym bool   // two or more capitals ("MIT") or dotted ("Ph.D.")
	mixed   bool   // a capital after the first letter ("GitHub", "iOS")
	tech    bool   // a multi-word alias joined into one token ("Amazon Web Services")
	link    bool   // a URL, a domain or an email address
}

var domainLike = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.(com|org|net|io|dev|ai|co|edu|gov|app|tech|me|info|biz|us|uk|de|eu|cz|fr|nl|se|no|fi|dk|pl|es|it|ch|at|be|ca|au|in|jp|cn|ru|br|xyz|cloud|so|sh|ly|gg|tv|page|site|online|example)(/\S*)?$`)

var quotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// tokenize splits text into sentences and words.
func tokenize(text string) []token {
	var out []token
	for _, s := range Sentences(text) {
		start := true
		for _, raw := range strings.Fields(s) {
			t, ok := newToken(raw)
			if ok {
				t.start = start
				out = append(out, t)
			}
			start = strings.HasSuffix(raw, ":") || (!ok && start)
		}
	}
	return joinAliases(out)
}

func newToken(raw string) (token, bool) {
	raw = quotes.Replace(raw)
	text := strings.TrimLeftFunc(raw, func(r rune) bool {
		return !isAlnum(r) && r != '$' && r != '€' && r != '£' && r != '.'
	})
	if strings.HasPrefix(text, ".") && !(len(text) > 1 && unicode.IsLetter(rune(text[1]))) {
		text = strings.TrimLeft(text, ".")
	}
	text = strings.TrimRightFunc(text, func(r rune) bool { return !isAlnum(r) && r != '+' && r != '#' && r != '%' })
	if text == "" {
		return token{}, false
	}
	t := token{text: text}
	lower := strings.ToLower(text)
	if strings.Contains(lower, "@") || strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.") ||
		strings.Contains(lower, ".") && domainLike.MatchString(lower) {
		t.lower, t.link = normLink(lower), true
		return t, true
	}
	for _, suf := range []string{"'s", "'"} {
		if b, ok := strings.CutSuffix(lower, suf); ok && b != "" {
			lower = b
			text = text[:len(b)]
			break
		}
	}
	t.text = text
	lower = strings.ReplaceAll(lower, "'", "")
	if c, ok := collapseDotted(lower); ok {
		lower = c
		t.acronym = c != "eg" && c != "ie" && c != "am" && c != "pm" && c != "etc" && c != "vs"
	}
	t.lower = lower
	letters, uppers := 0, 0
	for i, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.IsUpper(r) {
			uppers++
			if i == 0 || letters == 1 {
				t.capital = true
			} else {
				t.mixed = true
			}
		}
	}
	if letters >= 2 && uppers == letters {
		t.acronym, t.mixed = true, false
	}
	return t, true
}

// collapseDotted reads "ph.d", "m.sc", "u.s", "e.g" as "phd", "msc", "us",
// "eg": every part between dots one to three letters.
func collapseDotted(w string) (string, bool) {
	if !strings.Contains(w, ".") {
		return "", false
	}
	parts := strings.Split(strings.Trim(w, "."), ".")
	if len(parts) < 2 {
		return "", false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 3 {
			return "", false
		}
		for _, r := range p {
			if !unicode.IsLetter(r) {
				return "", false
			}
		}
	}
	return strings.Join(parts, ""), true
}

// normLink is the comparable form of a URL or address: no scheme, no
// "www.", no trailing slash or punctuation.
func normLink(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimPrefix(s, "mailto:")
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimRight(s, "/.,;:")
}

// joinAliases replaces multi-word alias spellings ("Amazon Web Services",
// "Google Cloud") by one token carrying the canonical name.
func joinAliases(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		joined := false
		for _, ph := range vocab.Phrases(toks[i].lower) {
			ws := strings.Fields(ph)
			if i+len(ws) > len(toks) {
				continue
			}
			match := true
			for k, w := range ws {
				match = match && toks[i+k].lower == w
			}
			if match {
				t := toks[i]
				t.text = joinText(toks[i : i+len(ws)])
				t.lower = vocab.Canonical(ph)
				t.tech = true
				out = append(out, t)
				i += len(ws) - 1
				joined = true
				break
			}
		}
		if !joined {
			out = append(out, toks[i])
		}
	}
	return out
}

// parts splits a compound on hyphens, dashes and slashes ("rust-based",
// "ex-Acme", "CI/CD", "2015–2020").
func parts(w string) []string {
	return strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '/' || r == '–' || r == '—' || r == '_' })
}

func hasDigit(s string) bool {
	for _, r := range s {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}
