package llm

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
)

// A reply over the size bound is refused before it is parsed, whether the
// content is too long (100 KiB) or the whole HTTP body (2 MB, cut at the
// transport): a permanent, unusable draft, with no retry and no document.
func TestOversizedReplyIsRefused(t *testing.T) {
	for name, size := range map[string]int{"content": 100 << 10, "body": 2 << 20} {
		t.Run(name, func(t *testing.T) {
			rg := newRig(t, fakellm.Options{}, nil)
			pad := strings.Repeat("Acme trusted me. ", size/17)
			rg.fake.Script(fakellm.Reply{Content: `{"summary":[{"text":"` + pad + `","facts":[0]}],"work":[{"index":0}]}`})
			tr, err := rg.writer.TailorResume(context.Background(), loadProfile(t), loadPosting(t))
			if tr != nil || !errors.Is(err, ErrReplyTooLarge) || !errors.Is(err, jobpilot.ErrUnusableDraft) || !errors.Is(err, jobpilot.ErrPermanent) {
				t.Fatalf("tr = %v, err = %v; want no document and a permanent ErrReplyTooLarge", tr, err)
			}
			if rg.fake.Calls() != 1 {
				t.Errorf("%d calls; a reply too large is not asked for again", rg.fake.Calls())
			}
		})
	}
}

// A letter over 350 words is cut at a sentence boundary after its one
// revision request; the cut is reported as a size cut, not an invention.
func TestLongLetterIsCutTo350Words(t *testing.T) {
	rg := newRig(t, fakellm.Options{}, nil)
	p, post := revisionFixture()
	long := fitLetter(post, 70)
	rg.fake.Script(fakellm.Reply{Content: long}, fakellm.Reply{Content: long})
	cl, err := rg.writer.WriteCoverLetter(context.Background(), p, post, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := guard.WordCount(cl.Text)
	if n > guard.LetterMaxWords || n < guard.LetterMinWords {
		t.Errorf("letter of %d words", n)
	}
	if !strings.HasSuffix(strings.TrimSpace(cl.Text), "Sincerely,\nAda") || !strings.HasPrefix(cl.Text, "Dear Hiring Manager,") {
		t.Errorf("the letter lost its frame:\n%s", cl.Text)
	}
	if guard.Invented(cl.Removals) != 0 || len(cl.Removals) == 0 || cl.Removals[0].Kind != guard.KindLength {
		t.Errorf("removals %+v, want size cuts only", cl.Removals)
	}
	if rg.fake.Calls() != 2 {
		t.Errorf("%d calls, want the letter and one revision", rg.fake.Calls())
	}
}

// A letter that loses too much to the guard is refused (the pipeline then
// uses the template writer): under 250 words once the invented sentences
// are gone.
func TestLetterTooShortAfterTheGuardIsRejected(t *testing.T) {
	rg := newRig(t, fakellm.Options{}, nil)
	p, post := revisionFixture()
	var ss []map[string]any
	for range 30 {
		ss = append(ss, map[string]any{"text": "At Acme I built reliable Go services for Globex and Hooli.", "facts": []int{1}})
	}
	b, _ := json.Marshal(map[string]any{"paragraphs": [][]map[string]any{ss}})
	rg.fake.Script(fakellm.Reply{Content: string(b)}, fakellm.Reply{Content: string(b)})
	_, err := rg.writer.WriteCoverLetter(context.Background(), p, post, nil)
	var rej *guard.Rejection
	if !errors.As(err, &rej) || !errors.Is(err, jobpilot.ErrUnusableDraft) || !errors.Is(err, jobpilot.ErrPermanent) {
		t.Fatalf("err = %v, want a permanent rejection", err)
	}
	if len(rej.Removals) == 0 || !strings.Contains(rej.Reason, "words") {
		t.Errorf("rejection %q with %d removals", rej.Reason, len(rej.Removals))
	}
}

// The summary keeps at most three sentences; a rephrased highlight longer
// than 1.5 times the original is dropped for the original; wrong,
// repeated and negative indexes name nothing.
func TestResumeCapsAndBadIndexes(t *testing.T) {
	rg := newRig(t, fakellm.Options{}, nil)
	p := loadProfile(t)
	src := p.Resume.Work[0].Highlights
	plan := map[string]any{
		"summary": []map[string]any{
			{"text": "Backend engineer with seven years of experience.", "facts": []int{0}},
			{"text": "I build reliable Go services.", "facts": []int{0}},
			{"text": "I work on payment pipelines.", "facts": []int{0}},
			{"text": "I also work on data platforms.", "facts": []int{0}},
		},
		"work": []map[string]any{
			{"index": 0, "highlights": []map[string]any{
				{"index": 0, "text": src[0] + ", and " + strings.ToLower(src[0]) + " once more for good measure"},
				{"index": 1, "text": ""}, {"index": 1, "text": "again"}, {"index": -1, "text": "Founded Acme."}}},
			{"index": 0}, {"index": -2}, {"index": 17},
		},
		"skills": []string{"Go", "Haskell"}, "education": []int{0, 0, -1, 9}, "certificates": []int{0, 3},
	}
	b, _ := json.Marshal(plan)
	rg.fake.Script(fakellm.Reply{Content: string(b)})
	tr, err := rg.writer.TailorResume(context.Background(), p, loadPosting(t))
	if err != nil {
		t.Fatal(err)
	}
	r := tr.Resume
	if n := len(guard.Sentences(r.Basics.Summary)); n != 3 {
		t.Errorf("summary of %d sentences: %q", n, r.Basics.Summary)
	}
	if len(r.Work) != 1 || len(r.Work[0].Highlights) != 2 || r.Work[0].Highlights[0] != src[0] || r.Work[0].Highlights[1] != src[1] {
		t.Errorf("work = %+v", r.Work)
	}
	if len(r.Education) != 1 || len(r.Certificates) != 1 || len(r.Skills) != 1 {
		t.Errorf("education %d, certificates %d, skills %+v", len(r.Education), len(r.Certificates), r.Skills)
	}
	kinds := map[string]int{}
	for _, rm := range tr.Removals {
		kinds[rm.Kind]++
	}
	if kinds[guard.KindLength] != 2 || kinds[guard.KindEntry] < 4 || kinds[guard.KindSkill] != 1 {
		t.Errorf("removals by kind %v: %+v", kinds, tr.Removals)
	}
}

// The liar at the writer: each document is either refused as unusable or
// comes back without a single invented fact.
func TestLiarAtTheWriter(t *testing.T) {
	rg := newRig(t, fakellm.Options{Mode: fakellm.ModeLiar}, nil)
	p, post := loadProfile(t), loadPosting(t)
	var lies []*regexp.Regexp
	for _, l := range fakellm.Lies {
		lies = append(lies, regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(l)+`\b`))
	}
	ctx := context.Background()
	check := func(what, text string) {
		for _, re := range lies {
			if m := re.FindString(text); m != "" {
				t.Errorf("%s contains %q", what, m)
			}
		}
	}
	tr, err := rg.writer.TailorResume(ctx, p, post)
	if err != nil && !errors.Is(err, jobpilot.ErrUnusableDraft) {
		t.Fatal(err)
	}
	if tr != nil {
		b, _ := json.Marshal(tr.Resume)
		check("resume", string(b))
	}
	cl, err := rg.writer.WriteCoverLetter(ctx, p, post, tr)
	if err != nil && !errors.Is(err, jobpilot.ErrUnusableDraft) {
		t.Fatal(err)
	}
	if cl != nil {
		check("letter", cl.Text)
		if len(cl.Removals) == 0 {
			t.Error("a liar's letter came back without removals")
		}
	}
}

// An honest model's letter passes the guard untouched: 250–350 words, the
// company and the role, the candidate's real employers.
func TestHonestModelLetter(t *testing.T) {
	rg := newRig(t, fakellm.Options{}, nil)
	p, post := loadProfile(t), loadPosting(t)
	tr, err := rg.writer.TailorResume(context.Background(), p, post)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := rg.writer.WriteCoverLetter(context.Background(), p, post, tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Removals) > 0 || len(cl.Removals) > 0 {
		t.Errorf("removals from an honest model: %+v %+v", tr.Removals, cl.Removals)
	}
	n := guard.WordCount(cl.Text)
	for _, want := range []string{post.Company, "Brightline Payments", "Northwind Logistics", p.Name()} {
		if !strings.Contains(cl.Text, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
	if n < guard.LetterMinWords || n > guard.LetterMaxWords {
		t.Errorf("letter of %d words", n)
	}
	t.Logf("honest lab model letter (%d words):\n%s", n, cl.Text)
}
