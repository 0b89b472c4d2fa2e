package templatewriter

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

func load(t testing.TB) (*jobpilot.Profile, *jobpilot.Posting) {
	t.Helper()
	var p jobpilot.Profile
	var post jobpilot.Posting
	for file, v := range map[string]any{"testdata/profile.json": &p, "testdata/posting.json": &post} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return &p, &post
}

func TestTemplateWriter(t *testing.T) {
	p, post := load(t)
	w := New()
	ctx := context.Background()
	tr, err := w.TailorResume(ctx, p, post)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Writer != "template" || len(tr.Removals) != 0 {
		t.Errorf("writer=%q removals=%+v", tr.Writer, tr.Removals)
	}
	r := tr.Resume
	if r.Basics.Name != p.Name() || r.Basics.Summary == "" {
		t.Errorf("basics = %+v", r.Basics)
	}
	// The posting is about Go, PostgreSQL, Kubernetes and payments: the
	// payments job, which mentions all of them, leads.
	if len(r.Work) < 2 || r.Work[0].Name != "Brightline Payments" {
		t.Fatalf("work order = %+v", r.Work)
	}
	if got := r.Skills[0].Keywords[0]; !phraseIn(got, normText(postingText(post))) {
		t.Errorf("first skill = %q", got)
	}
	top := TopSkills(p, post, 4)
	if len(top) < 3 {
		t.Fatalf("top skills = %q", top)
	}
	cl, err := w.WriteCoverLetter(ctx, p, post, tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Removals) != 0 {
		t.Errorf("the guard removed parts of the template letter: %+v", cl.Removals)
	}
	text := cl.Text
	if n := guard.WordCount(text); n < guard.LetterMinWords || n > guard.LetterMaxWords {
		t.Errorf("letter has %d words:\n%s", n, text)
	}
	for _, want := range []string{p.Name(), post.Company, post.Title, "Dear Hiring Manager,", "Brightline Payments"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q:\n%s", want, text)
		}
	}
	for _, skill := range top { // "distributed systems" is lower-cased inside a sentence
		if !strings.Contains(strings.ToLower(text), strings.ToLower(skill)) {
			t.Errorf("letter lacks the skill %q:\n%s", skill, text)
		}
	}
	for _, bad := range []string{"[", "]", "{", "Lorem", "TODO", "<"} {
		if strings.Contains(text, bad) {
			t.Errorf("letter contains placeholder-like %q:\n%s", bad, text)
		}
	}
	tr2, _ := w.TailorResume(ctx, p, post)
	cl2, _ := w.WriteCoverLetter(ctx, p, post, tr2)
	if !reflect.DeepEqual(tr, tr2) || cl.Text != cl2.Text {
		t.Error("template writer is not deterministic")
	}
	t.Logf("template letter (%d words):\n%s", guard.WordCount(text), text)
}

func TestTemplateWriterSparseProfile(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{
		Basics: jobpilot.Basics{Name: "Ana Ruiz"},
		Work:   []jobpilot.Work{{Name: "Acme", Position: "Developer", StartDate: "2022"}},
		Skills: []jobpilot.Skill{{Name: "Go"}},
	}}
	post := &jobpilot.Posting{Company: "Initech", Title: "Go Developer", Description: "We build Go services."}
	w := New()
	tr, err := w.TailorResume(context.Background(), p, post)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Resume.Basics.Summary != "Developer with experience in Go." {
		t.Errorf("summary = %q", tr.Resume.Basics.Summary)
	}
	cl, err := w.WriteCoverLetter(context.Background(), p, post, tr)
	if err != nil {
		t.Fatal(err)
	}
	if n := guard.WordCount(cl.Text); n < guard.LetterMinWords || n > guard.LetterMaxWords || len(cl.Removals) > 0 {
		t.Errorf("sparse letter has %d words, removals %+v:\n%s", n, cl.Removals, cl.Text)
	}
}

func TestClauseOf(t *testing.T) {
	for _, c := range []struct {
		h       string
		current bool
		want    string
	}{
		{"Built a tracking service.", false, "built a tracking service."},
		{"Designed an idempotent pipeline", true, "designed an idempotent pipeline."},
		{"Led the migration to Kubernetes.", false, "led the migration to Kubernetes."},
		{"Responsible for the billing stack.", true, "am responsible for the billing stack."},
		{"Responsible for the billing stack.", false, "was responsible for the billing stack."},
		{"Owns the settlement service.", true, "own the settlement service."},
		{"Owns the settlement service.", false, "owned the settlement service."},
		{"Go services for 30 teams.", false, ""},
		{"Developing the mobile app.", true, ""},
		{"Shipped two products: a CLI and an API.", false, ""},
	} {
		got, ok := clauseOf(c.h, c.current)
		if (c.want == "") == ok || got != c.want {
			t.Errorf("clauseOf(%q, %v) = %q, %v; want %q", c.h, c.current, got, ok, c.want)
		}
	}
}

// Two jobs held at once are both current, most recently started first;
// an old job listed first in the profile comes last, in the past tense.
func TestTemplateWriterTwoCurrentJobs(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{
		Basics: jobpilot.Basics{Name: "Ana Ruiz", Label: "Engineer"},
		Work: []jobpilot.Work{
			{Name: "Oldco", Position: "Developer", StartDate: "2012", EndDate: "2015", Highlights: []string{"Built the billing service in Go"}},
			{Name: "Acme", Position: "Engineer", StartDate: "2019-04", Highlights: []string{"Designed the Go ingestion pipeline"}},
			{Name: "Initech Labs", Position: "Advisor", StartDate: "2023-01", Summary: "Advises the platform team on Go services."},
		},
		Skills: []jobpilot.Skill{{Name: "Go"}},
	}}
	post := &jobpilot.Posting{Company: "Globex", Title: "Go Engineer", Description: "We build Go services and pipelines."}
	w := New()
	tr, err := w.TailorResume(context.Background(), p, post)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range tr.Resume.Work {
		order = append(order, e.Name)
	}
	if want := []string{"Initech Labs", "Acme", "Oldco"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("work order = %q, want %q", order, want)
	}
	cl, err := w.WriteCoverLetter(context.Background(), p, post, tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Removals) > 0 {
		t.Errorf("removals: %+v", cl.Removals)
	}
	for _, s := range guard.Sentences(cl.Text) {
		current := strings.Contains(s, "current")
		switch {
		case strings.Contains(s, "Initech Labs") && (!current || !strings.Contains(s, "I advise")),
			strings.Contains(s, "Acme") && !current,
			strings.Contains(s, "Oldco") && current:
			t.Errorf("sentence %q", s)
		}
	}
	if a, b, c := strings.Index(cl.Text, "Initech Labs"), strings.Index(cl.Text, "Acme"), strings.Index(cl.Text, "Oldco"); a < 0 || !(a < b && b < c) {
		t.Errorf("jobs out of order in the letter:\n%s", cl.Text)
	}
}
