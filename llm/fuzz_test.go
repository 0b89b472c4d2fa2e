package llm

import (
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/guard"
)

// FuzzModelReply decodes any reply a model (or whatever answers on its
// endpoint) sends as a tailoring plan and as a cover letter, and builds
// the resume from the plan: nothing panics, and every entry of the built
// resume is one of the profile's own (the model picks, it never adds).
// Run with go test -run '^$' -fuzz '^FuzzModelReply$' ./llm.
func FuzzModelReply(f *testing.F) {
	for _, s := range []string{
		`{"summary":[{"text":"Backend engineer.","facts":[0,1]}],"work":[{"index":0,"highlights":[{"index":0,"text":"x"}]}],"skills":["Go"],"education":[0],"certificates":[]}`,
		"```json\n{\"summary\":[{\"text\":\"a\",\"facts\":\"1\"}],\"work\":[{\"index\":-1},{\"index\":99},{\"index\":0},{\"index\":0}]}\n```",
		`{"summary":[{"text":"a","facts":[1.5,"[2]",null,{"x":1}]}],"work":[{"index":0,"highlights":[{"index":-3},{"index":1e9}]}]}`,
		`{"paragraphs":[[{"text":"I build Go services.","facts":[1],"need":"Go"}]]}`,
		`{"summary":[]} trailing`, `[]`, `null`, `{"summary":[{"text":"` + strings.Repeat("word ", 50) + `","facts":[0]}]}`,
	} {
		f.Add(s)
	}
	p := loadProfile(f)
	post := loadPosting(f)
	facts := guard.New(p)
	employers := map[string]bool{}
	for _, w := range p.Resume.Work {
		employers[w.Name] = true
	}
	f.Fuzz(func(t *testing.T, content string) {
		var pl plan
		if decodeJSON(content, &pl, func() error { return pl.validate(p) }) == nil {
			b := buildResume(facts, p, &pl)
			r := b.resume
			_, _ = facts.Resume(&r)
			for _, w := range r.Work {
				if !employers[w.Name] {
					t.Fatalf("the built resume names an employer the profile lacks: %q", w.Name)
				}
			}
			if len(r.Work) > len(p.Resume.Work) || len(r.Education) > len(p.Resume.Education) || len(r.Projects) > len(p.Resume.Projects) {
				t.Fatalf("more entries than the profile has: %+v", r)
			}
		}
		var l letterReply
		if decodeJSON(content, &l, l.validate) == nil {
			_ = l.guardParagraphs()
			_, _ = facts.VerifyLetter(post, l.text(p.Name()))
		}
	})
}
