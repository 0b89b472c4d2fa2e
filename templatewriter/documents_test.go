package templatewriter_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/examples"
	"github.com/jobpilot/jobpilot/guard"
	"github.com/jobpilot/jobpilot/internal/pdftext"
	"github.com/jobpilot/jobpilot/templatewriter"
)

// The tests in this file read the template writer's documents as a
// recruiter would, on every example candidate and every example posting:
// the text extracted from the rendered resume and letter PDFs, not the
// structs behind them (docs/design-notes.md, "A template letter reads as a
// recruiter would").

// written is one candidate's documents for one posting.
type written struct {
	name      string // candidate/posting, for messages
	profile   *jobpilot.Profile
	posting   *jobpilot.Posting
	tailored  *jobpilot.Tailored
	letter    *jobpilot.CoverLetter
	resume    []string // text of each resume page
	sentences []string // the letter's body as rendered, sentence by sentence
}

var (
	writeOnce sync.Once
	allDocs   []written
	writeErr  error
)

// documents writes and renders the documents of every example candidate
// for every example posting, once per test binary.
func documents(t *testing.T) []written {
	t.Helper()
	writeOnce.Do(func() { allDocs, writeErr = writeAll() })
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	return allDocs
}

func writeAll() ([]written, error) {
	profiles, err := examples.Candidates()
	if err != nil {
		return nil, err
	}
	posts, err := examples.Postings()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	w := templatewriter.New()
	rd := document.New(document.WithCreationDate(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)))
	var out []written
	for _, p := range profiles {
		for i := range posts {
			post := &posts[i]
			d := written{name: p.Name() + "/" + post.ExternalID, profile: p, posting: post}
			if d.tailored, err = w.TailorResume(ctx, p, post); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			if d.letter, err = w.WriteCoverLetter(ctx, p, post, d.tailored); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			pdf, err := rd.RenderResume(&d.tailored.Resume)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			if d.resume, err = pdftext.Pages(pdf); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			if pdf, err = rd.RenderCoverLetter(p, post, d.letter.Text); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			pages, err := pdftext.Pages(pdf)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			if d.sentences, err = letterBody(pages); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// letterBody returns the sentences between the salutation and the closing
// of a rendered letter. Lines are joined with spaces: the renderer wraps at
// spaces and never hyphenates.
func letterBody(pages []string) ([]string, error) {
	var lines []string
	for _, pg := range pages {
		for _, l := range strings.Split(pg, "\n") {
			if !strings.Contains(l, "Page ") { // footers of a long letter
				lines = append(lines, strings.TrimSpace(l))
			}
		}
	}
	text := strings.Join(lines, " ")
	_, body, ok := strings.Cut(text, guard.Salutation)
	if !ok {
		return nil, fmt.Errorf("no salutation in the letter:\n%s", text)
	}
	body, _, ok = strings.Cut(body, guard.Closing)
	if !ok {
		return nil, fmt.Errorf("no closing in the letter:\n%s", text)
	}
	var out []string
	for _, s := range guard.Sentences(body) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func (d written) letterText() string { return strings.Join(d.sentences, "\n") }

// Every candidate and posting gives documents the guard leaves untouched:
// the template writer never needs correcting.
func TestDocumentsPassTheGuardUntouched(t *testing.T) {
	for _, d := range documents(t) {
		if len(d.tailored.Removals) > 0 || len(d.letter.Removals) > 0 {
			t.Errorf("%s: the guard removed %+v from the resume and %+v from the letter", d.name, d.tailored.Removals, d.letter.Removals)
		}
		// The pipeline checks the letter once more just before rendering it.
		if _, rs := guard.New(d.profile).VerifyLetter(d.posting, d.letter.Text); len(rs) > 0 {
			t.Errorf("%s: the last check before rendering removed %+v", d.name, rs)
		}
		if n := guard.WordCount(d.letter.Text); n < guard.LetterMinWords || n > guard.LetterMaxWords {
			t.Errorf("%s: the letter has %d words", d.name, n)
		}
	}
}

// dateLine is an entry's date range as the resume prints it.
var dateLine = regexp.MustCompile(`(?:\b([A-Z][a-z]{2}) )?\b(\d{4}) – (?:present|(?:([A-Z][a-z]{2}) )?(\d{4}))$`)

// monthKey turns "Mar 2021" (as month and year) into 202103, "2021" into 202100.
func monthKey(month, year string) int {
	y, _ := strconv.Atoi(year)
	m := 0
	if month != "" {
		if t, err := time.Parse("Jan", month); err == nil {
			m = int(t.Month())
		}
	}
	return y*100 + m
}

// experience returns the date lines of the resume's Experience section.
func experience(pages []string) []string {
	var out []string
	in := false
	for _, pg := range pages {
		for _, l := range strings.Split(pg, "\n") {
			l = strings.TrimSpace(l)
			switch l {
			case "EXPERIENCE":
				in = true
				continue
			case "PROJECTS", "EDUCATION", "CERTIFICATES", "SKILLS", "LANGUAGES":
				in = false
			}
			if in && dateLine.MatchString(l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// The resume lists every current job, as "present", before the others,
// and the others by date, most recent first.
func TestResumeListsJobsMostRecentFirst(t *testing.T) {
	for _, d := range documents(t) {
		current := 0
		for _, w := range d.profile.Resume.Work {
			if w.EndDate == "" {
				current++
			}
		}
		lines := experience(d.resume)
		if len(lines) == 0 {
			t.Fatalf("%s: no dated job in the resume:\n%s", d.name, strings.Join(d.resume, "\n"))
		}
		present, last := 0, 1<<30
		for i, l := range lines {
			m := dateLine.FindStringSubmatch(l)
			if strings.HasSuffix(l, "present") {
				present++
				if i >= current {
					t.Errorf("%s: the current job %q comes after an ended one: %q", d.name, l, lines)
				}
				continue
			}
			end := monthKey(m[3], m[4])
			if end > last {
				t.Errorf("%s: jobs are not listed most recent first: %q", d.name, lines)
			}
			last = end
		}
		if present != current {
			t.Errorf("%s: %d jobs marked present, the profile has %d current jobs: %q", d.name, present, current, lines)
		}
	}
}

// The letter calls the current job current, never calls an ended job
// current or "most recent", and speaks of the jobs in date order.
func TestLetterSpeaksOfJobsInTimeOrder(t *testing.T) {
	nowWords := regexp.MustCompile(`(?i)\b(current|currently|most recent)\b`)
	for _, d := range documents(t) {
		work := append([]jobpilot.Work(nil), d.profile.Resume.Work...)
		lastAt := -1
		for _, w := range byDateForTest(work) {
			at := -1
			for i, s := range d.sentences {
				if strings.Contains(strings.ToLower(s), strings.ToLower(w.Name)) {
					at = i
					break
				}
			}
			if at < 0 {
				continue // not every job makes it into a letter
			}
			s := d.sentences[at]
			switch {
			case w.EndDate == "" && !nowWords.MatchString(s):
				t.Errorf("%s: the current job at %s is not called current: %q", d.name, w.Name, s)
			case w.EndDate != "" && nowWords.MatchString(s):
				t.Errorf("%s: the job at %s ended in %s but the letter says %q", d.name, w.Name, w.EndDate, s)
			}
			if at < lastAt {
				t.Errorf("%s: the letter speaks of %s before a more recent job:\n%s", d.name, w.Name, d.letterText())
			}
			lastAt = at
		}
		if lastAt < 0 {
			t.Errorf("%s: the letter names no employer:\n%s", d.name, d.letterText())
		}
	}
}

// byDateForTest orders jobs as a recruiter expects, written independently
// of the writer: current jobs first, then by end date, later first.
func byDateForTest(work []jobpilot.Work) []jobpilot.Work {
	key := func(w jobpilot.Work) string {
		if w.EndDate == "" {
			return "9999" + w.StartDate
		}
		return w.EndDate + w.StartDate
	}
	for i := 1; i < len(work); i++ {
		for j := i; j > 0 && key(work[j]) > key(work[j-1]); j-- {
			work[j], work[j-1] = work[j-1], work[j]
		}
	}
	return work
}

// named reports whether phrase occurs in text as whole words, ignoring case
// and taking a hyphen or a slash for a space: a recruiter reads "docs as
// code" in a posting that says "docs-as-code".
func named(phrase, text string) bool {
	words := strings.Fields(phrase)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?i)(^|[^\pL\pN])` + strings.Join(words, `[\s/-]+`) + `($|[^\pL\pN+#])`).MatchString(text)
}

// No sentence says the posting lacks a skill it names, and what the
// letter says the posting emphasises, the posting names.
func TestLetterSkillClaimsMatchThePosting(t *testing.T) {
	contrast := regexp.MustCompile(`(?i)\b(beyond|besides|other than|apart from|not)\b`)
	for _, d := range documents(t) {
		postText := d.posting.Title + "\n" + d.posting.Description
		for _, s := range d.sentences {
			if !strings.Contains(strings.ToLower(s), "your posting") {
				continue
			}
			for _, skill := range d.profile.Resume.SkillList() {
				if !named(skill, s) {
					continue
				}
				if contrast.MatchString(s) && named(skill, postText) {
					t.Errorf("%s: %q sets %s apart from the posting's skills, but the posting names it", d.name, s, skill)
				}
				if strings.Contains(s, "emphasis on") && !named(skill, postText) {
					t.Errorf("%s: %q says the posting emphasises %s; it does not name it", d.name, s, skill)
				}
			}
		}
	}
}

// opener is a sentence's first two words, folded.
func opener(s string) string {
	ws := strings.Fields(strings.ToLower(s))
	for i := range ws {
		ws[i] = strings.Trim(ws[i], ",;.!?'\"")
	}
	return strings.Join(ws[:min(2, len(ws))], " ")
}

// No two sentences of a letter open with the same two words: not in a row
// (what a recruiter notices first) and not anywhere in the letter.
func TestLetterNeverRepeatsAnOpener(t *testing.T) {
	for _, d := range documents(t) {
		seen := map[string]string{}
		for _, s := range d.sentences {
			o := opener(s)
			if prev, ok := seen[o]; ok {
				t.Errorf("%s: %q and %q open alike", d.name, prev, s)
			}
			seen[o] = s
		}
	}
}

// fragment returns why s is not a whole sentence of a letter, or "". The
// rule, which a recruiter's eye applies without thinking:
//   - it starts with a capital letter and ends with '.', '!' or '?';
//   - it has at least four words;
//   - it has a subject: the letter is in the first person, so every
//     sentence has "I", "my" or "me", or speaks to the reader ("you",
//     "your");
//   - it does not open with a bare verb in the past tense, the shape of a
//     resume highlight pasted without its subject ("Rebuilt the flow.");
//   - it has no colon: in these letters a colon only ever introduced a
//     pasted highlight ("my work is directly relevant: Rebuilt …").
func fragment(s string) string {
	ws := strings.Fields(s)
	first := strings.ToLower(strings.Trim(ws[0], ",;"))
	person := regexp.MustCompile(`(?i)\b(i|my|me|you|your)\b`)
	switch {
	case !regexp.MustCompile(`^\p{Lu}`).MatchString(s):
		return "does not start with a capital letter"
	case !strings.ContainsAny(s[len(s)-1:], ".!?"):
		return "does not end with a full stop"
	case len(ws) < 4:
		return "has fewer than four words"
	case !person.MatchString(s):
		return "has no subject"
	case strings.HasSuffix(first, "ed") || first == "built" || first == "led" || first == "wrote" || first == "ran":
		return "opens with a verb without its subject"
	case strings.Contains(s, ":"):
		return "has a colon-introduced clause"
	}
	return ""
}

func TestFragmentRule(t *testing.T) {
	for s, bad := range map[string]bool{
		"In my current role at Acme, my work is directly relevant: Rebuilt the booking flow.": true,
		"Rebuilt the booking flow in React.":                                                  true,
		"Go services for 30 teams.":                                                           true,
		"I also cut p99 latency":                                                              true,
		"I also cut p99 latency by half.":                                                     false,
		"Thank you for your time and consideration.":                                          false,
	} {
		if got := fragment(s); (got != "") != bad {
			t.Errorf("fragment(%q) = %q", s, got)
		}
	}
}

// Every sentence of a letter is a whole sentence (see fragment).
func TestLetterHasNoFragments(t *testing.T) {
	for _, d := range documents(t) {
		for _, s := range d.sentences {
			if why := fragment(s); why != "" {
				t.Errorf("%s: %q %s", d.name, s, why)
			}
		}
	}
}

// minSecondPage is the fewest lines a second resume page may hold: a
// resume that would leave less is fitted to one page.
const minSecondPage = 12

// A resume is one page, or its second page is well used: never a few
// lines spilled onto a second sheet.
func TestResumeHasNoNearlyEmptySecondPage(t *testing.T) {
	onePage := 0
	for _, d := range documents(t) {
		switch len(d.resume) {
		case 1:
			onePage++
		case 2:
			lines := strings.Split(strings.TrimSpace(d.resume[1]), "\n")
			if n := len(lines) - 1; n < minSecondPage { // less its footer
				t.Errorf("%s: the second page holds only %d lines:\n%s", d.name, n, d.resume[1])
			}
		default:
			t.Errorf("%s: %d pages", d.name, len(d.resume))
		}
	}
	t.Logf("%d of %d resumes are one page", onePage, len(documents(t)))
}
