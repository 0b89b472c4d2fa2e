package document_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/internal/pdftext"
)

var writeDocs = flag.String("docs", "", "write the example resume and cover letter PDFs to this directory")

var fixed = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// extract returns the number of pages and the text of a PDF.
func extract(t testing.TB, b []byte) (pages int, text string) {
	t.Helper()
	ps, err := pdftext.Pages(b)
	if err != nil {
		t.Fatalf("extract text: %v", err)
	}
	return len(ps), strings.Join(ps, "\n")
}

func render(t testing.TB, r *jobpilot.Resume) []byte {
	t.Helper()
	b, err := document.New(document.WithCreationDate(fixed)).RenderResume(r)
	if err != nil {
		t.Fatalf("RenderResume: %v", err)
	}
	return b
}

func TestRenderResumeText(t *testing.T) {
	res := exampleResume()
	b := render(t, res)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	pages, text := extract(t, b)
	if pages != 1 {
		t.Errorf("pages = %d, want 1 for the example resume", pages)
	}
	want := []string{
		"Zoë Ångström", "Senior Backend Engineer", "zoe.angstrom@example.com", "Göteborg",
		"Nordlys Payments", "Кибер Софт", "Café Müller GmbH", "Москва",
		"Jan 2021 – present", "Mar 2017 – Dec 2020",
		"Разработал систему мониторинга", "PostgreSQL", "Kubernetes", "Distributed systems",
		"Chalmers tekniska högskola", "Master of Science, Computer Science",
		"Certified Kubernetes Administrator", "Русский", "SUMMARY", "EXPERIENCE", "PROJECTS",
		"EDUCATION", "CERTIFICATES", "SKILLS", "LANGUAGES",
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if strings.Contains(text, "Page 1") {
		t.Errorf("a one-page resume has a page number")
	}
	if *writeDocs != "" {
		if err := os.WriteFile(filepath.Join(*writeDocs, "resume-example.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRenderResumeOmitsEmptySections(t *testing.T) {
	res := &jobpilot.Resume{
		Basics: jobpilot.Basics{Name: "Дмитрий Иванов", Email: "d@example.com"},
		Work:   []jobpilot.Work{{Name: "Acme", Position: "Engineer", StartDate: "2020"}},
		// Blank entries render nothing, so they must not produce a heading.
		Skills:    []jobpilot.Skill{{Name: " ", Keywords: []string{" "}}},
		Languages: []jobpilot.Language{{Language: " "}},
	}
	_, text := extract(t, render(t, res))
	for _, w := range []string{"Дмитрий Иванов", "EXPERIENCE", "Acme", "2020 – present"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	for _, h := range []string{"SUMMARY", "PROJECTS", "EDUCATION", "CERTIFICATES", "SKILLS", "LANGUAGES"} {
		if strings.Contains(text, h) {
			t.Errorf("empty section %s has a heading:\n%s", h, text)
		}
	}
}

func TestRenderResumeLongFitsTwoPages(t *testing.T) {
	res := longResume()
	before := *res
	beforeWork := append([]jobpilot.Work(nil), res.Work...)
	b := render(t, res)
	pages, text := extract(t, b)
	if pages != 2 {
		t.Fatalf("pages = %d, want 2", pages)
	}
	// The most important content survives the trimming ...
	for _, w := range []string{"Zoë Ångström", "Nordlys Payments 1", "Backend engineer with nine years",
		"EDUCATION", "SKILLS", "Kubernetes", "LANGUAGES", "Page 1 of 2", "Page 2 of 2"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	// ... and the lowest-priority content went first.
	if strings.Contains(text, "Project 10") {
		t.Errorf("projects kept although experience had to be shortened")
	}
	// The caller's resume is untouched.
	if !reflect.DeepEqual(*res, before) || !reflect.DeepEqual(res.Work, beforeWork) || len(res.Work[0].Highlights) != 8 {
		t.Errorf("RenderResume modified its input")
	}
}

func TestRenderResumeAbsurdInputStillTwoPages(t *testing.T) {
	res := longResume()
	res.Basics.Summary = strings.Repeat("An extremely long summary sentence that goes on. ", 400)
	pages, text := extract(t, render(t, res))
	if pages != 2 {
		t.Fatalf("pages = %d, want 2", pages)
	}
	if !strings.Contains(text, "Zoë Ångström") {
		t.Errorf("header lost")
	}
	// Beyond every fitting step, what does not fit on page two is cut.
	if strings.Contains(text, "LANGUAGES") {
		t.Errorf("the last section survived; this input should have hit the cut")
	}
}

func TestRenderResumeTwoPagesWhenNeeded(t *testing.T) {
	pages, text := extract(t, render(t, twoPageResume()))
	if pages != 2 {
		t.Fatalf("pages = %d, want 2", pages)
	}
	if n := strings.Count(text, "Owned a service end to end"); n != 18 {
		t.Errorf("%d of 18 highlights rendered; nothing should be trimmed", n)
	}
	if !strings.Contains(text, "Tool D") {
		t.Errorf("a project was dropped although two pages suffice")
	}
}

// TestRenderResumeNoNearlyEmptySecondPage grows the second position line by
// line: a resume that would spill a few lines onto a second page is fitted
// to one by dropping its least relevant highlights (the last ones of the
// position with the most), and a two-page resume has a well-used second
// page.
func TestRenderResumeNoNearlyEmptySecondPage(t *testing.T) {
	fitted, twoPages := 0, 0
	for extra := 0; extra <= 30; extra += 2 {
		res := exampleResume()
		for j := 0; j < extra; j++ {
			res.Work[1].Highlights = append(res.Work[1].Highlights, fmt.Sprintf("Kept service %d running through the peak season.", j+1))
		}
		given := append([]string(nil), res.Work[1].Highlights...)
		ps, err := pdftext.Pages(render(t, res))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Work[1].Highlights, given) {
			t.Fatalf("+%d: RenderResume modified its input", extra)
		}
		text := strings.Join(ps, "\n")
		kept := 0
		for _, h := range given {
			if strings.Contains(text, strings.TrimSuffix(h, ".")) {
				kept++
			}
		}
		switch len(ps) {
		case 1:
			if kept < len(given) {
				fitted++
			}
			// What is dropped is the end of the list: the least relevant.
			for i, h := range given {
				if in := strings.Contains(text, strings.TrimSuffix(h, ".")); in != (i < kept) {
					t.Errorf("+%d: highlight %d (%q) kept=%v, but %d of %d are kept; only the last ones may go", extra, i, h, in, kept, len(given))
				}
			}
			if kept < 2 {
				t.Errorf("+%d: only %d highlights kept", extra, kept)
			}
		case 2:
			twoPages++
			if n := len(strings.Split(strings.TrimSpace(ps[1]), "\n")) - 1; n < 12 {
				t.Errorf("+%d: the second page holds only %d lines:\n%s", extra, n, ps[1])
			}
		default:
			t.Errorf("+%d: %d pages", extra, len(ps))
		}
	}
	if fitted == 0 || twoPages == 0 {
		t.Fatalf("%d resumes fitted to one page, %d on two: the test does not reach both cases", fitted, twoPages)
	}
}

func TestRenderResumeDeterministic(t *testing.T) {
	a, b := render(t, exampleResume()), render(t, exampleResume())
	if !bytes.Equal(a, b) {
		t.Fatal("same input, different bytes")
	}
	// The creation date is the only thing that varies.
	c, err := document.New(document.WithCreationDate(fixed.Add(time.Hour))).RenderResume(exampleResume())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("creation date not written into the PDF")
	}
	if !bytes.Contains(a, []byte("D:20261128100000")) {
		t.Errorf("fixed creation date missing from the PDF info")
	}
}

func TestRenderResumeOddText(t *testing.T) {
	res := exampleResume()
	// Emoji (beyond U+FFFF), CJK (not in the font), a decomposed "é", control
	// characters: none may panic or vanish silently.
	res.Basics.Label = "Engineer 🚀 工程师\x07 Cafe\u0301"
	res.Work[0].Highlights = append(res.Work[0].Highlights, "Tabs\tand\r\nnewlines")
	_, text := extract(t, render(t, res))
	for _, w := range []string{"Engineer ? ???", "Café", "Tabs and newlines"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestRenderResumeInvalid(t *testing.T) {
	r := document.New()
	for name, res := range map[string]*jobpilot.Resume{
		"nil":      nil,
		"no name":  {Basics: jobpilot.Basics{Name: " "}},
		"bad date": {Basics: jobpilot.Basics{Name: "A"}, Work: []jobpilot.Work{{Name: "X", StartDate: "last year"}}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := r.RenderResume(res)
			if b != nil || err == nil {
				t.Fatalf("got %d bytes, err %v; want an error", len(b), err)
			}
			if !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.EINVALID {
				t.Errorf("err = %v (code %q); want a Permanent EINVALID error", err, jobpilot.ErrorCode(err))
			}
		})
	}
}

// twoPageResume is a realistic senior profile: more than one page at
// normal spacing, with a well-used second page, and no trimming needed.
func twoPageResume() *jobpilot.Resume {
	res := exampleResume()
	for i := range res.Work {
		for j := 0; j < 6; j++ {
			res.Work[i].Highlights = append(res.Work[i].Highlights, "Owned a service end to end, from design reviews to on-call, and documented it for the next team.")
		}
	}
	for i := 0; i < 4; i++ {
		res.Projects = append(res.Projects, jobpilot.Project{Name: "Tool " + string(rune('A'+i)),
			Description: "A small open-source tool.", Highlights: []string{"Used in production by a few companies.", "Written in Go."}})
	}
	return res
}

func BenchmarkRenderResume2Pages(b *testing.B) {
	res := twoPageResume()
	r := document.New(document.WithCreationDate(fixed))
	out, err := r.RenderResume(res)
	if err != nil {
		b.Fatal(err)
	}
	if n, _ := extract(b, out); n != 2 {
		b.Fatalf("benchmark resume has %d pages, want 2", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderResume(res); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRenderResumeNoOrphans moves the page break through the document by
// growing the summary line by line, and checks that page one never ends with
// a section heading or an entry's title line.
func TestRenderResumeNoOrphans(t *testing.T) {
	headings := map[string]bool{"SUMMARY": true, "EXPERIENCE": true, "PROJECTS": true, "EDUCATION": true,
		"CERTIFICATES": true, "SKILLS": true, "LANGUAGES": true}
	titleLine := regexp.MustCompile(`(present|\d{4})$`) // entry titles end with their dates
	sentence := "This sentence only moves the page break down the page by about one line each time. "
	breaks := map[string]bool{}
	for n := 0; n < 24; n += 3 {
		res := exampleResume()
		// Enough content for a well-used second page: a nearly empty one
		// is fitted to one page instead.
		for i := range res.Work {
			for j := 0; j < 9; j++ {
				res.Work[i].Highlights = append(res.Work[i].Highlights, fmt.Sprintf("Owned service %d-%d end to end, from design reviews to on-call.", i, j))
			}
		}
		res.Basics.Summary += " " + strings.Repeat(sentence, n)
		ps, err := pdftext.Pages(render(t, res))
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 {
			continue
		}
		lines := strings.Split(ps[0], "\n")
		last := strings.TrimSpace(lines[len(lines)-1])
		breaks[last] = true
		if headings[last] {
			t.Errorf("summary +%d lines: page 1 ends with the heading %q", n, last)
		}
		// An entry's title (or its title and location) at the end of page
		// one, with its highlights on page two, is an orphan too. Page two
		// starts with its footer, then content.
		endsWithTitle := titleLine.MatchString(last) ||
			len(lines) > 1 && !strings.HasPrefix(last, "•") && titleLine.MatchString(strings.TrimSpace(lines[len(lines)-2]))
		next := strings.Split(ps[1], "\n")
		if len(next) > 1 && endsWithTitle && strings.HasPrefix(next[1], "•") {
			t.Errorf("summary +%d lines: entry title %q ends page 1, its highlight %q starts page 2", n, last, next[1])
		}
	}
	if len(breaks) < 4 {
		t.Fatalf("the page break moved through only %d places; the test does not exercise pagination", len(breaks))
	}
}

// One Renderer serves concurrent workers; each call builds its own document.
func TestRendererConcurrent(t *testing.T) {
	r := document.New(document.WithCreationDate(fixed))
	want := render(t, exampleResume())
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			b, err := r.RenderResume(exampleResume())
			if err == nil && !bytes.Equal(b, want) {
				err = errors.New("concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkRenderResumeFittedToOnePage renders a resume that spills a few
// lines onto a second page and is fitted back to one: the layouts that
// measure each dropped highlight are the cost of the one-page rule.
//
//	go test -run '^$' -bench RenderResume -benchmem -benchtime 30x ./document
func BenchmarkRenderResumeFittedToOnePage(b *testing.B) {
	res := exampleResume()
	for j := 0; j < 12; j++ {
		res.Work[1].Highlights = append(res.Work[1].Highlights, fmt.Sprintf("Kept service %d running through the peak season.", j+1))
	}
	r := document.New(document.WithCreationDate(fixed))
	out, err := r.RenderResume(res)
	if err != nil {
		b.Fatal(err)
	}
	if n, text := extract(b, out); n != 1 || strings.Contains(text, "Kept service 12 ") {
		b.Fatalf("benchmark resume has %d pages and all its highlights; want one page, fitted", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderResume(res); err != nil {
			b.Fatal(err)
		}
	}
}
