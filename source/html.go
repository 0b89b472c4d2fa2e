package source

import (
	"html"
	"strconv"
	"strings"

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
// "1. item", nested lists indented), links reduced to their text. Non-Latin
// and accented text is kept as is.
//
// Markup that arrives entity-escaped as a whole ("&lt;p&gt;…", as Greenhouse
// sends it) is unescaped first. Plain text passes through with its lines
// kept.
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
	if !strings.Contains(s, "<") && strings.Contains(s, "&lt;") {
		s = html.UnescapeString(s)
	}
	if !strings.Contains(s, "<") {
		// Plain text: decode entities only, keep the lines.
		return tidy(html.UnescapeString(s)), nil
	}
	s = sanitizer.Sanitize(s)
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		// The sanitizer's output always parses; be safe anyway.
		return tidy(xhtml.UnescapeString(s)), nil
	}
	w := &textWriter{}
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
	w.b.WriteString(s)
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		w.write(s)
		return
	}
	lead := s != "" && isSpace(s[0])
	trail := s != "" && isSpace(s[len(s)-1])
	f := strings.Fields(s)
	if len(f) == 0 {
		if s != "" {
			w.space = true
		}
		return
	}
	if lead {
		w.space = true
	}
	w.write(strings.Join(f, " "))
	w.space = trail
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

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
		for _, a := range n.Attr {
			if a.Key == "href" && a.Val != "" {
				w.links = append(w.links, a.Val)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	if after > 0 {
		w.brk(after)
	}
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
