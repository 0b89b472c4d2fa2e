package source_test

import (
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
		{"whitespace collapsed", "<p>  lots   of\n\n space </p>", "lots of space"},
		{"inline spacing kept", "<p>Go<b> and </b>Rust</p>", "Go and Rust"},
		{"accents and scripts", "<p>Crème brûlée – Ünïcödé, 日本語, العربية</p>", "Crème brûlée – Ünïcödé, 日本語, العربية"},
		{"links become text", `<p>See <a href="https://x.y/jobs">our jobs</a>.</p>`, "See our jobs."},
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
