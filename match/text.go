package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a text, lower-cased. cased records whether the
// original spelling had an upper-case letter, which lets ambiguous skill
// names ("Go") ignore the everyday word ("go to market").
type token struct {
	s     string
	cased bool
}

// isWordRune reports whether r belongs to a word. '+' and '#' are kept so
// that C++ and C# stay words of their own; everything else (spaces,
// punctuation, '/', '.', '-') separates words, so "Node.js" is "node js" and
// "CI/CD" is "ci cd" on both sides of a comparison.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// asciiWord is isWordRune for ASCII, as a table: tokenising is the hot loop
// of scoring.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '#'
	}
	return t
}()

// appendTokens splits s into lower-cased words and appends them to dst.
// Words already in lower case are sub-strings of s (no allocation).
func appendTokens(dst []token, s string) []token {
	start := -1
	upper, ascii := false, true
	flush := func(end int) {
		w := s[start:end]
		// Trim '+' and '#' that are punctuation rather than part of a name
		// ("#1", "fast+reliable" stay apart from "c++").
		for w != "" && (w[0] == '+' || w[0] == '#') {
			w = w[1:]
		}
		if w == "" {
			return
		}
		t := token{s: w, cased: upper}
		if upper {
			if ascii {
				b := []byte(w)
				for i, c := range b {
					if 'A' <= c && c <= 'Z' {
						b[i] = c + 'a' - 'A'
					}
				}
				t.s = string(b)
			} else {
				t.s = strings.ToLower(w)
			}
		}
		dst = append(dst, t)
	}
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			if start < 0 {
				start, upper, ascii = i, false, true
			}
			if r >= utf8.RuneSelf {
				ascii = false
				if unicode.IsUpper(r) {
					upper = true
				}
			} else if 'A' <= r && r <= 'Z' {
				upper = true
			}
		} else if start >= 0 {
			flush(i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		flush(len(s))
	}
	return dst
}

// words returns the lower-cased words of s as plain strings.
func words(s string) []string {
	ts := appendTokens(nil, s)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.s
	}
	return out
}

// containsSeq reports whether the word sequence needle occurs in hay.
func containsSeq(hay, needle []string) bool {
	if len(needle) == 0 {
		return false
	}
outer:
	for i := 0; i+len(needle) <= len(hay); i++ {
		for j, w := range needle {
			if hay[i+j] != w {
				continue outer
			}
		}
		return true
	}
	return false
}

// joinList writes items as an English list: "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// orList is joinList with "or".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// maxQuoted bounds third-party text quoted in a reason (a location, a
// role): reasons are short sentences, whatever a board sends.
const maxQuoted = 80

// short returns s cut to maxQuoted bytes on a rune boundary, with "…" when
// it was cut.
func short(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
