package llm

import (
	"context"
	"errors"
	"fmt"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// plan is the model's tailoring reply.
type plan struct {
	Summary      []sentence  `json:"summary"`
	Work         []planEntry `json:"work"`
	Projects     []planEntry `json:"projects"`
	Skills       []string    `json:"skills"`
	Education    []int       `json:"education"`
	Certificates []int       `json:"certificates"`
}

type planEntry struct {
	Index      int             `json:"index"`
	Highlights []planHighlight `json:"highlights"`
}

type planHighlight struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
}

func (pl *plan) validate(p *jobpilot.Profile) error {
	if len(pl.Summary) == 0 {
		return errors.New(`"summary" is missing or empty`)
	}
	if len(p.Resume.Work) > 0 && len(pl.Work) == 0 {
		return errors.New(`"work" must list at least one work entry by index`)
	}
	return nil
}

// TailorResume writes the resume for post from p's facts. Errors: transient
// or circuit-open errors from the resume executor (after its retries), a
// permanent ErrMalformed or ErrReplyTooLarge, or a permanent error wrapping
// a *guard.Rejection when the draft invented more than guard.RejectAbove
// facts or lost its summary or every work entry.
func (w *Writer) TailorResume(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting) (*jobpilot.Tailored, error) {
	facts := guard.New(p)
	req := Request{Purpose: "resume", Messages: messages(resumeTask, p, facts, post), JSON: true,
		SchemaName: "tailored_resume", Schema: tailoringSchema()}
	var pl plan
	if _, err := w.ask(ctx, w.resume, req, &pl, func() error { return pl.validate(p) }); err != nil {
		return nil, fmt.Errorf("tailor resume: %w", err)
	}
	rep := buildResume(facts, p, &pl)
	r := rep.resume
	more, err := facts.Resume(&r)
	removals := append(rep.removals, more...)
	var rej *guard.Rejection
	switch {
	case errors.As(err, &rej):
		rej.Removals = removals
		return nil, w.reject("tailor resume", rej)
	case err != nil:
		return nil, fmt.Errorf("tailor resume: %w", err)
	case guard.Invented(removals) > guard.RejectAbove:
		return nil, w.reject("tailor resume", &guard.Rejection{
			Reason: fmt.Sprintf("the resume invented %d facts (more than %d)", guard.Invented(removals), guard.RejectAbove), Removals: removals})
	}
	w.count(removals)
	return &jobpilot.Tailored{Resume: r, Writer: w.Name(), Removals: removals}, nil
}

type built struct {
	resume   jobpilot.Resume
	removals []jobpilot.Removal
}

func (b *built) add(kind, field, value, reason string) {
	b.removals = append(b.removals, jobpilot.Removal{Kind: kind, Field: field, Value: value, Reason: reason})
}

// buildResume assembles the tailored resume from the profile entries the
// plan names. Wrong, repeated and negative indexes are reported and
// skipped; the model's own words are only the summary (checked sentence by
// sentence against its citations) and rephrasings (checked against the
// highlight they rephrase).
func buildResume(facts *guard.Facts, p *jobpilot.Profile, pl *plan) *built {
	src := &p.Resume
	b := &built{resume: jobpilot.Resume{Basics: src.Basics, Languages: src.Languages}}
	summary, rs := facts.Summary(toGuard(pl.Summary))
	b.resume.Basics.Summary = summary
	b.removals = append(b.removals, rs...)

	for _, e := range validEntries(b, "work", "work entry", pl.Work, len(src.Work)) {
		w := src.Work[e.Index]
		w.Highlights = b.highlights(facts, guard.SectionWork, fmt.Sprintf("work[%d]", e.Index), e.Index, w.Highlights, e.Highlights)
		b.resume.Work = append(b.resume.Work, w)
	}
	for _, e := range validEntries(b, "projects", "project", pl.Projects, len(src.Projects)) {
		pr := src.Projects[e.Index]
		pr.Highlights = b.highlights(facts, guard.SectionProject, fmt.Sprintf("projects[%d]", e.Index), e.Index, pr.Highlights, e.Highlights)
		b.resume.Projects = append(b.resume.Projects, pr)
	}
	for _, i := range validInts(b, guard.KindDegree, "education", "education entry", pl.Education, len(src.Education)) {
		b.resume.Education = append(b.resume.Education, src.Education[i])
	}
	for _, i := range validInts(b, guard.KindCertificate, "certificates", "certification", pl.Certificates, len(src.Certificates)) {
		b.resume.Certificates = append(b.resume.Certificates, src.Certificates[i])
	}
	b.resume.Skills = pickSkills(b, src, pl.Skills)
	return b
}

// validEntries keeps the plan's entries with a valid, first-seen index, in
// the plan's order, and reports the others.
func validEntries(b *built, field, what string, entries []planEntry, n int) []planEntry {
	var out []planEntry
	seen := map[int]bool{}
	for i, e := range entries {
		if e.Index < 0 || e.Index >= n || seen[e.Index] {
			b.add(guard.KindEntry, fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("index %d", e.Index), what+" not in profile")
			continue
		}
		seen[e.Index] = true
		out = append(out, e)
	}
	return out
}

func validInts(b *built, kind, field, what string, idx []int, n int) []int {
	var out []int
	seen := map[int]bool{}
	for _, i := range idx {
		if i < 0 || i >= n || seen[i] {
			b.add(kind, field, fmt.Sprintf("index %d", i), what+" not in profile")
			continue
		}
		seen[i] = true
		out = append(out, i)
	}
	return out
}

// highlights picks the highlights the plan names, in its order, each the
// profile's own sentence or a rephrasing the guard accepts.
func (b *built) highlights(facts *guard.Facts, section, field string, entry int, src []string, picks []planHighlight) []string {
	var out []string
	seen := map[int]bool{}
	for _, h := range picks {
		if h.Index < 0 || h.Index >= len(src) || seen[h.Index] {
			b.add(guard.KindEntry, field+".highlights", fmt.Sprintf("index %d", h.Index), "highlight not in profile")
			continue
		}
		seen[h.Index] = true
		text, rs := facts.Highlight(fmt.Sprintf("%s.highlights[%d]", field, h.Index), section, entry, h.Index, h.Text)
		b.removals = append(b.removals, rs...)
		out = append(out, text)
	}
	return out
}

// pickSkills groups the named skills under the profile's skill groups, in
// the order the model gave. Naming a group selects all its keywords.
func pickSkills(b *built, src *jobpilot.Resume, names []string) []jobpilot.Skill {
	picked := map[int][]string{}
	var order []int
	have := map[string]bool{}
	add := func(g int, kw string) {
		if have[kw] {
			return
		}
		have[kw] = true
		if _, ok := picked[g]; !ok {
			order = append(order, g)
		}
		picked[g] = append(picked[g], kw)
	}
	for i, name := range names {
		g, kws := findSkill(src, name)
		if g < 0 {
			b.add(guard.KindSkill, fmt.Sprintf("skills[%d]", i), name, "skill not in profile")
			continue
		}
		for _, kw := range kws {
			add(g, kw)
		}
	}
	var out []jobpilot.Skill
	for _, g := range order {
		s := src.Skills[g]
		if len(s.Keywords) == 0 {
			out = append(out, jobpilot.Skill{Name: s.Name, Level: s.Level})
			continue
		}
		out = append(out, jobpilot.Skill{Name: s.Name, Level: s.Level, Keywords: picked[g]})
	}
	return out
}

// findSkill returns the skill group a name belongs to and the keywords it
// selects (in the profile's spelling): a group's name selects all of them.
func findSkill(src *jobpilot.Resume, name string) (int, []string) {
	for g, s := range src.Skills {
		if samePhrase(s.Name, name) {
			if len(s.Keywords) == 0 {
				return g, []string{s.Name}
			}
			return g, s.Keywords
		}
		for _, kw := range s.Keywords {
			if samePhrase(kw, name) {
				return g, []string{kw}
			}
		}
	}
	return -1, nil
}
