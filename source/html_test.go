package source_test

import (
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/source"
)

func TestHTMLToText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text keeps lines", "Line one\nLine two\n\n\n\nPara &amp; more", "Line one\nLine two\n\nPara & more"},
		{"paragraphs", "<p>One</p><p>Two <b>bold</b></p>", "One\n\nTwo bold"},
		{"entity-escaped markup", "&lt;p&gt;A &amp;amp; B&lt;/p&gt;&lt;p&gt;C&lt;/p&gt;", "A & B\n\nC"},
		{"scripts and styles dropped", "<p>Hi</p><script>alert(1)</script><style>p{x:y}</style><p onclick=\"x()\">There</p>", "Hi\n\nThere"},
		{"lists", "<p>Need:</p><ul><li>Go</li><li>SQL<ul><li>PostgreSQL</li></ul></li></ul><ol><li>a</li><li>b</li></ol>",
			"Need:\n\n- Go\n- SQL\n  - PostgreSQL\n\n1. a\n2. b"},
		{"paragraphs inside items", "<ul><li><p>One</p></li><li><p>Two</p></li></ul>", "- One\n- Two"},
		{"br", "a<br>b<br><br>c", "a\nb\n\nc"},
		{"spaces collapsed", "<p>  lots   of \t space </p>", "lots of space"},
		{"line breaks in text are kept as in plain text", "<p>  lots   of\n\n space\nhere </p>", "lots of\n\nspace\nhere"},
		{"inline spacing kept", "<p>Go<b> and </b>Rust</p>", "Go and Rust"},
		{"accents and scripts", "<p>Crème brûlée – Ünïcödé, 日本語, العربية</p>", "Crème brûlée – Ünïcödé, 日本語, العربية"},
		{"links keep their target", `<p>See <a href="https://x.y/jobs">our jobs</a>.</p>`, "See our jobs (https://x.y/jobs)."},
		{"bare URL not repeated", `<p><a href="https://x.y/jobs/">https://x.y/jobs</a> or <a href="https://x.y/a/very/long/path">https://x.y/a/very/...</a></p>`,
			"https://x.y/jobs or https://x.y/a/very/..."},
		{"mailto", `<p>Mail <a href="mailto:jobs@x.y?subject=Hi">our team</a> or <a href="mailto:jobs@x.y">jobs@x.y</a></p>`, "Mail our team (jobs@x.y) or jobs@x.y"},
		{"relative and script links reduced to text", `<p><a href="/apply">Apply</a> <a href="javascript:alert(1)">now</a></p>`, "Apply now"},
		{"link first in a list item", `<ul><li><a href="https://x.y">https://x.y</a></li></ul>`, "- https://x.y"},
		{"headings", "<h2>About</h2><div>Text</div><h3>Req</h3><ul><li>x</li></ul>", "About\n\nText\n\nReq\n\n- x"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := source.HTMLToText(tc.in); got != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Issue 14, finding 1: a non-breaking space next to a tag was dropped,
// gluing words ("See alsoEEO Policyand", "requiresaccommodation").
func TestHTMLToTextNonBreakingSpaceBesideTag(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>See also&nbsp;<a href='x'>EEO Policy</a>&nbsp;and</p>", "See also EEO Policy and"},
		{"<p>See also&nbsp;<a href='https://acme.example/eeo'>EEO Policy</a>&nbsp;and</p>", "See also EEO Policy (https://acme.example/eeo) and"},
		{"<p>This role requires&nbsp;<strong>accommodation</strong>&#160;requests</p>", "This role requires accommodation requests"},
		// Greenhouse sends the whole content entity-escaped.
		{"&lt;p&gt;requires&amp;nbsp;&lt;a href=&quot;#&quot;&gt;accommodation&lt;/a&gt;&lt;/p&gt;", "requires accommodation"},
		// Ashby's HTML: a narrow no-break space before a tag.
		{"<p>Salary:\u202f<b>80\u00a0000\u00a0€</b></p>", "Salary: 80 000 €"},
	} {
		if got := source.HTMLToText(tc.in); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// Issue 14, finding 4: line breaks were handled one way in comments with
// tags and another without; the same text now gives the same lines.
func TestHTMLToTextOneLineBreakModel(t *testing.T) {
	plain := "Acme | Backend Engineer | Berlin\nWe build robots.\n- Go\n- PostgreSQL\n\nApply: jobs@acme.example"
	want := "Acme | Backend Engineer | Berlin\nWe build robots.\n- Go\n- PostgreSQL\n\nApply: jobs@acme.example"
	for _, in := range []string{
		plain,
		strings.Replace(plain, "robots", "<i>robots</i>", 1),
		strings.Replace(plain, "jobs@acme.example", `<a href="mailto:jobs@acme.example">jobs@acme.example</a>`, 1),
		strings.Replace(plain, "\n\n", "<p>", 1),
	} {
		if got := source.HTMLToText(in); got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}
