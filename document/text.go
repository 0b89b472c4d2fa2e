package document

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// cleaner makes untrusted text safe to hand to fpdf: NFC-normalised (so a
// decomposed "ë" becomes the single glyph the font has), without control
// characters, and with every rune the embedded font lacks replaced by "?".
// fpdf indexes its width table by rune and would panic beyond U+FFFF, and
// would draw nothing for a missing glyph.
type cleaner struct {
	has func(r rune) bool
}

// line cleans a single-line field: newlines and tabs become spaces and runs
// of spaces collapse.
func (c cleaner) line(s string) string {
	return strings.Join(strings.Fields(c.text(s)), " ")
}

// text cleans a multi-line field, keeping its newlines.
func (c cleaner) text(s string) string {
	if s == "" {
		return ""
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r':
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			// zero-width joiners, BOMs and the like: invisible anyway
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case r > 0xFFFF || !c.has(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paragraphs splits text into paragraphs at blank lines; single newlines
// inside a paragraph are kept as line breaks.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			flush()
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// formatDate renders a JSON Resume date: "2021" stays "2021", "2021-01" and
// "2021-01-15" become "Jan 2021". Anything else is shown as given.
func formatDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			return months[t.Month()-1] + " " + t.Format("2006")
		}
	}
	return s
}

// dateRange renders "Jan 2021 – Mar 2023", "Jan 2021 – present" when only the
// start is known, the end alone when only it is known, and a single date when
// both are the same.
func dateRange(start, end string) string {
	s, e := formatDate(start), formatDate(end)
	switch {
	case s == "" && e == "":
		return ""
	case s == "":
		return e
	case e == "":
		return s + " – present"
	case s == e:
		return s
	}
	return s + " – " + e
}

// joinNonEmpty joins the non-blank parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			keep = append(keep, strings.TrimSpace(p))
		}
	}
	return strings.Join(keep, sep)
}

// shortURL drops the scheme and a trailing slash: "https://zoe.dev/" → "zoe.dev".
func shortURL(u string) string {
	u = strings.TrimSpace(u)
	for _, p := range []string{"https://", "http://"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.TrimPrefix(u, "www.")
	return strings.TrimSuffix(u, "/")
}
