package guard

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReplyBytes bounds a model reply: anything longer is refused before it
// is parsed. A faithful tailoring plan or letter is a few kilobytes.
const MaxReplyBytes = 64 << 10

var (
	scriptBlock = regexp.MustCompile(`(?is)<\s*(script|style|iframe|object|svg|math|template)\b.*?(<\s*/\s*(script|style|iframe|object|svg|math|template)\s*>|$)`)
	breakTag    = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr)\s*/?\s*>`)
	anyTag      = regexp.MustCompile(`<[^<>]{0,500}>`)
	mdImage     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdFence     = regexp.MustCompile("(?m)^\\s*(```|~~~).*$")
	mdHeading   = regexp.MustCompile(`(?m)^\s{0,3}#{1,6}\s+`)
	mdQuote     = regexp.MustCompile(`(?m)^\s{0,3}>+\s?`)
	mdBullet    = regexp.MustCompile(`(?m)^\s*([-*+•]|\d{1,3}[.)])\s+`)
	mdRule      = regexp.MustCompile(`(?m)^\s*([-*_=]\s*){3,}$`)
)

// Plain turns generated text into plain text before it is checked and
// rendered: HTML entities are decoded, script-like elements dropped with
// their content, every other tag removed (line-breaking ones become line
// breaks), Markdown markup (headings, emphasis, code, links, images, lists,
// quotes, rules) reduced to its words, control and invisible format
// characters (zero-width, bidirectional overrides) removed, and whitespace
// tidied. What is left holds no '<' or '>': nothing a PDF or an email could
// take for markup.
func Plain(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for range 3 { // "&amp;lt;script&amp;gt;" takes two rounds
		u := html.UnescapeString(s)
		if u == s {
			break
		}
		s = u
	}
	s = scriptBlock.ReplaceAllString(s, " ")
	s = breakTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, " ")
	s = mdImage.ReplaceAllString(s, " ")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdFence.ReplaceAllString(s, "")
	s = mdRule.ReplaceAllString(s, "")
	s = mdHeading.ReplaceAllString(s, "")
	s = mdQuote.ReplaceAllString(s, "")
	s = mdBullet.ReplaceAllString(s, "")
	s = stripMarks(s)
	return tidy(s)
}

// stripMarks removes control and format characters and the characters that
// are only markup in generated prose; '_' and '*' are kept inside a word
// ("snake_case"), '#' and '+' after a letter ("C#", "C++").
func stripMarks(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		prev, next := rune(0), rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == '\n':
			b.WriteRune('\n')
		case r == '\t', r == '\u00a0', r == '\u2028', r == '\u2029':
			b.WriteRune(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\ufffd':
			// dropped
		case r == '<' || r == '>' || r == '`' || r == '|' || r == '\\' || r == '{' || r == '}' ||
			r == '[' || r == ']' || r == '~' || r == '^':
			b.WriteRune(' ')
		case r == '*' || r == '_':
			if isAlnum(prev) && isAlnum(next) {
				b.WriteRune(r)
			}
		case r == '#':
			if unicode.IsLetter(prev) {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// tidy collapses runs of spaces, trims every line and keeps at most one
// blank line between paragraphs.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	s = strings.Join(lines, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s)
}

// WordCount counts the whitespace-separated words of s.
func WordCount(s string) int { return len(strings.Fields(s)) }

// Sentences cuts text after '.', '!' or '?' followed by whitespace, and at
// line breaks. Joining the pieces gives the text back unchanged.
func Sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		end := -1
		switch {
		case r == '\n':
			end = next
		case r == '.' || r == '!' || r == '?':
			if next >= len(text) {
				end = next
			} else if nr, _ := utf8.DecodeRuneInString(text[next:]); unicode.IsSpace(nr) {
				end = next
			}
		}
		if end < 0 {
			i = next
			continue
		}
		for end < len(text) { // the whitespace after it, up to a line break
			nr, ns := utf8.DecodeRuneInString(text[end:])
			if nr == '\n' || !unicode.IsSpace(nr) {
				if nr == '\n' && r != '\n' {
					end += ns
				}
				break
			}
			end += ns
		}
		out = append(out, text[start:end])
		start, i = end, end
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// quoteShort quotes s for a removal's reason, cut to 120 characters.
func quoteShort(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return `"` + strings.ReplaceAll(s, `"`, `'`) + `"`
}
