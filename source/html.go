package source

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitizer drops scripts, styles, event handlers and anything else a board
// might smuggle in, keeping the structural tags the text rendering needs.
var sanitizer = bluemonday.UGCPolicy()

// HTMLToText turns a job description in HTML into clean, readable plain text:
// scripts and styles are dropped, entities decoded, paragraphs and headings
// separated by a blank line, list items on lines of their own ("- item",
// "1. item", nested lists indented). A link keeps its target after its
// text, "EEO Policy (https://acme.example/eeo)", unless the text already is
// the address (a bare URL, or a mailto whose text is the address); relative
// links, which have no meaning outside their page, are reduced to their
// text. Non-Latin and accented text is kept as is.
//
// Whitespace follows one model, with tags or without: inside text, a run of
// spaces (any Unicode space, the non-breaking one included) is one space, a
// run holding one line break is a line break, and a run holding two or more
// is a paragraph break. So plain text keeps its lines, a comment whose
// lines carry a "Company | Role" header or "- item" bullets keeps them
// whether or not it also has a link or an <i>, and "requires&nbsp;<a>…</a>"
// keeps its space. Markup that arrives entity-escaped as a whole
// ("&lt;p&gt;…", as Greenhouse sends it) is unescaped first.
//
// It is written on golang.org/x/net/html after bluemonday rather than on
// jaytaylor/html2text because the latter does not build against the
// tablewriter version the CLI uses.
func HTMLToText(s string) string {
	t, _ := htmlText(s)
	return t
}

// htmlText is HTMLToText that also returns the links' targets, in order.
func htmlText(s string) (string, []string) {
	// NUL is no text (HTML parsers drop it; PostgreSQL refuses it).
	s = strings.ReplaceAll(s, "\x00", "")
	if !strings.Contains(s, "<") && strings.Contains(s, "&lt;") {
		s = html.UnescapeString(s)
	}
	if !strings.Contains(s, "<") {
		// Plain text: entities decoded, the same whitespace model as text
		// inside tags.
		w := &textWriter{linkText: -2}
		w.text(html.UnescapeString(s))
		return tidy(w.b.String()), nil
	}
	s = sanitizer.Sanitize(s)
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		// The sanitizer's output always parses; be safe anyway.
		return tidy(xhtml.UnescapeString(s)), nil
	}
	w := &textWriter{linkText: -2}
	for _, n := range nodes {
		w.node(n)
	}
	return tidy(w.b.String()), w.links
}

type textWriter struct {
	b      strings.Builder
	breaks int  // newlines owed before the next text (max of requests)
	space  bool // a space owed before the next text
	pre    int  // depth of <pre>
	lists  []int
	prefix string // a list marker owed before the next text
	inItem int    // depth of <li>
	links  []string
	// linkText is where the text of the link being written starts: -1
	// inside a link before its first text, -2 outside links.
	linkText int
}

// brk asks for n newlines before the next text; requests do not add up,
// so nested blocks give one blank line, not several.
func (w *textWriter) brk(n int) { w.breaks = max(w.breaks, n) }

func (w *textWriter) write(s string) {
	if s == "" {
		return
	}
	if w.b.Len() > 0 {
		if w.breaks > 0 {
			w.b.WriteString(strings.Repeat("\n", w.breaks))
		} else if w.space {
			w.b.WriteByte(' ')
		}
	}
	w.breaks, w.space = 0, false
	if w.prefix != "" {
		w.b.WriteString(w.prefix)
		w.prefix = ""
	}
	if w.linkText == -1 {
		w.linkText = w.b.Len()
	}
	w.b.WriteString(s)
}

// text writes a text node: words as they are, whitespace runs reduced to a
// space, a line break or a paragraph break (see HTMLToText).
func (w *textWriter) text(s string) {
	if w.pre > 0 {
		w.write(s)
		return
	}
	for s != "" {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			w.write(s)
			return
		}
		w.write(s[:i])
		s = s[i:]
		j := strings.IndexFunc(s, isNotSpace)
		if j < 0 {
			j = len(s)
		}
		switch newlines(s[:j]) {
		case 0:
			w.space = true
		case 1:
			w.brk(1)
		default:
			w.brk(2)
		}
		s = s[j:]
	}
}

func isNotSpace(r rune) bool { return !unicode.IsSpace(r) }

// newlines counts the line breaks of a whitespace run: "\n", "\r\n" and a
// lone "\r" are one each.
func newlines(ws string) int {
	return strings.Count(ws, "\n") + strings.Count(ws, "\r") - strings.Count(ws, "\r\n")
}

func (w *textWriter) node(n *xhtml.Node) {
	switch n.Type {
	case xhtml.TextNode:
		w.text(n.Data)
		return
	case xhtml.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.node(c)
		}
		return
	}
	after := 0
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Noscript, atom.Template:
		return
	case atom.Br:
		// A second <br> in a row makes a paragraph break.
		w.brk(min(w.breaks+1, 2))
		return
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Hr, atom.Dl:
		after = 2
		if w.inItem > 0 {
			// <li><p>…</p></li> (Ashby, many editors): keep the list tight.
			after = 1
		}
		w.brk(after)
	case atom.Ul, atom.Ol:
		if len(w.lists) == 0 {
			w.brk(2)
			after = 2
		} else {
			w.brk(1)
			after = 1
		}
		start := 0
		if n.DataAtom == atom.Ol {
			start = 1
		}
		w.lists = append(w.lists, start)
		defer func() { w.lists = w.lists[:len(w.lists)-1] }()
	case atom.Li:
		w.brk(1)
		after = 1
		prefix := "- "
		if d := len(w.lists); d > 0 {
			if w.lists[d-1] > 0 {
				prefix = strconv.Itoa(w.lists[d-1]) + ". "
				w.lists[d-1]++
			}
			prefix = strings.Repeat("  ", d-1) + prefix
		}
		// The item's text follows the marker directly; an empty item
		// writes nothing.
		w.prefix = prefix
		w.inItem++
		defer func() { w.inItem-- }()
	case atom.Pre:
		w.brk(2)
		after = 2
		w.pre++
		defer func() { w.pre-- }()
	case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Tr, atom.Dt, atom.Dd, atom.Caption:
		w.brk(1)
		after = 1
	case atom.Td, atom.Th:
		w.space = true
	case atom.A:
		w.link(n)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	if after > 0 {
		w.brk(after)
	}
}

// link writes a link's text followed by its target in parentheses, and
// records the target (HN reads contact addresses and apply links from them).
func (w *textWriter) link(n *xhtml.Node) {
	href := ""
	for _, a := range n.Attr {
		if a.Key == "href" {
			href = strings.TrimSpace(a.Val)
		}
	}
	if href != "" {
		w.links = append(w.links, href)
	}
	w.linkText = -1
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	text := ""
	if w.linkText >= 0 {
		text = w.b.String()[w.linkText:]
	}
	w.linkText = -2
	target := shownTarget(href)
	if target == "" || sameAddress(text, target) {
		return
	}
	if text != "" {
		w.space = true
	}
	w.write("(" + target + ")")
}

// maxShownURL bounds a link target written into the text; a longer one is
// left out (the link's text stays).
const maxShownURL = 300

// shownTarget is the part of href worth showing in text: an absolute http(s)
// URL, or the address of a mailto link; "" for anything else.
func shownTarget(href string) string {
	if len(href) > maxShownURL || strings.ContainsAny(href, " \t\r\n()") {
		return ""
	}
	lower := strings.ToLower(href)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return href
	case strings.HasPrefix(lower, "mailto:"):
		addr, _, _ := strings.Cut(href[len("mailto:"):], "?")
		if addr, err := url.PathUnescape(addr); err == nil && strings.Contains(addr, "@") {
			return addr
		}
	}
	return ""
}

// sameAddress reports whether a link's text already shows its target: the
// URL itself, without its scheme or trailing slash, or cut short with "..."
// as Hacker News shows long links.
func sameAddress(text, target string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"https://", "http://", "mailto:", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	t, u := norm(text), norm(target)
	if t == "" {
		return false
	}
	if short, ok := strings.CutSuffix(t, "..."); ok {
		return strings.HasPrefix(u, short)
	}
	if short, ok := strings.CutSuffix(t, "…"); ok {
		return strings.HasPrefix(u, short)
	}
	return t == u
}

// tidy trims every line's trailing spaces, keeps at most one blank line in a
// row and trims the whole.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
