package source

import (
	"bytes"
	"errors"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jobpilot/jobpilot"
)

// Fuzz targets for every decoder of third-party data: each source's JSON,
// the HN comment parser, HTML to text and email de-obfuscation. Run one
// with, e.g.:
//
//	go test -run '^$' -fuzz '^FuzzGreenhouseJSON$' -fuzztime 60s -fuzzminimizetime 100x ./source/
//
// (The default minimisation, up to a minute per new input, spends most of a
// run on the large board documents the JSON targets start from.)
//
// Crashers found are kept in testdata/fuzz as seed corpus.

func quietSource(t testing.TB, cfg Spec) jobpilot.Source {
	c := NewClient(ClientOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s, err := New(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func seedFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func yieldChecked(t *testing.T, name string) func(jobpilot.Posting) error {
	return func(p jobpilot.Posting) error {
		if err := p.Validate(); err != nil {
			t.Fatalf("invalid posting handed over: %v: %+v", err, p)
		}
		if p.Source != name || p.Fingerprint == "" || len(p.Title) > maxTitleBytes || len(p.Company) > maxTitleBytes ||
			strings.ContainsAny(p.Title+p.Company+p.Location, "\r\n") {
			t.Fatalf("posting not normalised: %+v", p)
		}
		return nil
	}
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if c := decodeErr(err); !errors.Is(c, jobpilot.ErrTransient) && !errors.Is(c, jobpilot.ErrPermanent) {
		t.Fatalf("unclassified error %v", err)
	}
}

func FuzzGreenhouseJSON(f *testing.F) {
	seedFiles(f, "greenhouse_acme.json")
	f.Add([]byte(`{"jobs":[{"id":1,"title":"x","content":"&lt;p&gt;a&amp;nbsp;&lt;a href=&quot;https://x.y&quot;&gt;b&lt;/a&gt;","offices":[{"name":"A","location":null}]}]}`))
	f.Add([]byte(`{"meta":{"total":1},"jobs":null}`))
	s := quietSource(f, Spec{Type: GreenhouseType.Name, Name: "acme", Keys: map[string]string{"token": "acme"}}).(*Greenhouse)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

func FuzzLeverJSON(f *testing.F) {
	seedFiles(f, "lever_globex.json")
	f.Add([]byte(`[{"id":"a","text":"x","salaryRange":{"min":5,"max":1,"currency":"usd","interval":"per-hour-wage"},"categories":{"allLocations":["a","a"]}}]`))
	s := quietSource(f, Spec{Type: LeverType.Name, Name: "globex", Keys: map[string]string{"site": "globex"}}).(*Lever)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, err := s.decodePage(bytes.NewReader(body), map[string]bool{}, yieldChecked(t, s.Name()))
		checkErr(t, err)
	})
}

func FuzzAshbyJSON(f *testing.F) {
	seedFiles(f, "ashby_initech.json")
	f.Add([]byte(`{"jobs":[{"id":"1","title":"x","compensation":{"summaryComponents":[{"compensationType":"Salary","minValue":-1,"maxValue":1e300,"currencyCode":"usd"}]}}]}`))
	s := quietSource(f, Spec{Type: AshbyType.Name, Name: "initech", Keys: map[string]string{"org": "initech"}}).(*Ashby)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

func FuzzHNThreadJSON(f *testing.F) {
	seedFiles(f, "hn_thread.json", "hn_thread_styles.json")
	s := quietSource(f, Spec{Type: HNType.Name, Name: "hn"}).(*HN)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, err := s.decodeThread(bytes.NewReader(body), yieldChecked(t, s.Name()))
		checkErr(t, err)
	})
}

func FuzzJSONFeed(f *testing.F) {
	seedFiles(f, "feed.json")
	f.Add([]byte(`[{"company":"a","title":"b","url":"u","example":true,"pay":{"min":1e400}}]`))
	s := quietSource(f, Spec{Type: JSONType.Name, Name: "feed", Keys: map[string]string{"url": "https://feed.example/f.json"}}).(*JSONFeed)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := s.read(bytes.NewReader(body), func(p jobpilot.Posting) error {
			if p.Example {
				t.Fatal("a feed set example")
			}
			return yieldChecked(t, s.Name())(p)
		})
		checkErr(t, err)
	})
}

// FuzzHNComment parses one comment: a posting, when there is one, is
// bounded and valid, and its contact address is made only of what the
// comment says.
func FuzzHNComment(f *testing.F) {
	for _, s := range []string{
		"Acme | Senior Backend Engineer | Berlin | REMOTE (EU) | €90k–€120k<p>Email jane [at] acme [dot] com",
		"Founding Engineer @ Hooli (San Francisco, ONSITE)<p>hiring [at] hooli dot ai",
		"Initech | Founding Engineer<p>Reach out to me directly at first dot last at initech dot com",
		"Tyrell Labs, a team\nSenior Engineer | Berlin\n- Go\n- <i>SQL</i>",
		"Soylent | Multiple roles | Amsterdam | Hybrid<p>- Backend Engineer<p>- Data Scientist",
		"Aperture Science is hiring a Test Engineer (Remote, US)",
	} {
		f.Add(s)
	}
	b := &base{name: "hn:hn", log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.Fuzz(func(t *testing.T, text string) {
		p, ok := hnPosting(&hnItem{ID: 1, Text: text})
		if !ok {
			return
		}
		if len(p.Company) > maxCompany || len(p.Title) > maxTitle || len(p.Roles) > maxRoles {
			t.Fatalf("unbounded: company %d, title %d, roles %d", len(p.Company), len(p.Title), len(p.Roles))
		}
		if p.ContactEmail != "" {
			checkAddressFromText(t, p.ContactEmail, p.Description+" "+html.UnescapeString(text))
		}
		if b.finishOne(&p) {
			if err := p.Validate(); err != nil {
				t.Fatalf("kept an invalid posting: %v", err)
			}
		}
	})
}

// FuzzHTMLToText converts any input: no markup or script left, tidy lines,
// output bounded by the input, and plain text read the same with or
// without a paragraph around it.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{
		"<p>See also&nbsp;<a href='https://x.y/eeo'>EEO Policy</a>&nbsp;and</p>",
		"&lt;p&gt;A &amp;amp; B&lt;/p&gt;",
		"<ul><li>Go<ul><li>SQL</li></ul></li></ul><ol><li>a</li></ol><script>x()</script>",
		"Line one\nLine two\n\n\nPara",
		"<pre>  keep\n  this</pre>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := HTMLToText(in)
		if strings.Contains(strings.ToLower(out), "<script") && !strings.Contains(strings.ToLower(html.UnescapeString(in)), "<script") {
			t.Fatalf("a script appeared: %q", out)
		}
		if len(out) > 2*len(in)+64 {
			t.Fatalf("output %d bytes from %d", len(out), len(in))
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t") {
				t.Fatalf("trailing space in %q", out)
			}
		}
		if strings.Contains(out, "\n\n\n") || strings.Contains(out, "\r") {
			t.Fatalf("untidy lines: %q", out)
		}
		plain := !strings.ContainsAny(in, "<>&\r") && utf8.ValidString(in)
		if plain {
			if wrapped := HTMLToText("<p>" + in + "</p>"); wrapped != out {
				t.Fatalf("line model differs with tags:\n plain %q\nin <p> %q", out, wrapped)
			}
		}
	})
}

// FuzzFindEmail: an address, when one is found, is valid and made only of
// what the text says.
func FuzzFindEmail(f *testing.F) {
	for _, s := range []string{
		"jane [at] acme [dot] com", "name at company.dev", "Acme | x\nEmail jane at acme dot com",
		"reach out to me directly at first dot last at company dot com", "jobs(at)acme.com", "x@y.z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if addr := findEmail(text, nil); addr != "" {
			if validAddr(addr) != addr {
				t.Fatalf("invalid address %q", addr)
			}
			checkAddressFromText(t, addr, text)
		}
	})
}

// checkAddressFromText fails unless each label of addr's domain and its
// local part's words appear in text (any case).
func checkAddressFromText(t *testing.T, addr, text string) {
	t.Helper()
	lower := strings.ToLower(text)
	local, domain, _ := strings.Cut(strings.ToLower(addr), "@")
	for _, part := range append(strings.Split(domain, "."), strings.Split(local, ".")...) {
		if part != "" && !strings.Contains(lower, part) {
			t.Fatalf("address %q has %q, which the text does not: %q", addr, part, text)
		}
	}
}
