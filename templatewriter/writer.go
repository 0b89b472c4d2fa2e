// Package templatewriter is the deterministic writer used when no LLM is
// configured, and the fallback when a model's output is unusable. It never
// invents anything: it selects and orders the profile's own work entries,
// highlights, projects and skills by their overlap with the posting's
// keywords, and fills a fixed, carefully written cover letter with the
// company, the role and the strongest matching facts, each sentence citing
// the facts it uses. The same profile and posting always give the same
// documents. Its output still passes the fabrication guard, as every
// writer's does.
package templatewriter

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// Name is the Name of the template writer, recorded on its documents.
const Name = "template"

// Writer is the template writer (jobpilot.Writer). The zero value is ready.
type Writer struct{}

// New returns the template writer.
func New() *Writer { return &Writer{} }

// Name returns "template".
func (*Writer) Name() string { return Name }

// Limits of the template resume.
const (
	maxWork       = 5
	minWork       = 2
	maxHighlights = 4
	maxProjects   = 3
)

type scored[T any] struct {
	item  T
	score int
	index int
}

// rank orders items by score, highest first, and by their profile order on
// ties, so the result is deterministic.
func rank[T any](items []T, score func(T) int) []scored[T] {
	out := make([]scored[T], len(items))
	for i, it := range items {
		out[i] = scored[T]{it, score(it), i}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out
}

// TailorResume selects and orders the profile's facts for the posting. Work
// entries that share keywords with the posting come first (at most five); at
// least two entries are kept, so a posting with no overlap still gets a
// sensible resume. Within an entry the matching highlights come first (at
// most four). Skills that the posting names lead their group, and groups
// with more matches come first. Education, certificates, awards,
// publications and languages are kept whole. It fails only when ctx is done
// or the profile is too thin for a coherent resume (a permanent error
// wrapping the guard's *Rejection).
func (w *Writer) TailorResume(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting) (*jobpilot.Tailored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src := &p.Resume
	kw := postingKeywords(post)
	r := jobpilot.Resume{Basics: src.Basics}
	if strings.TrimSpace(r.Basics.Summary) == "" {
		r.Basics.Summary = fallbackSummary(src)
	}
	r.Work = pickWork(src.Work, kw)
	for _, s := range rank(src.Projects, func(x jobpilot.Project) int {
		return overlap(x.Name+" "+x.Description+" "+strings.Join(x.Highlights, " ")+" "+strings.Join(x.Keywords, " "), kw)
	}) {
		if s.score > 0 && len(r.Projects) < maxProjects {
			r.Projects = append(r.Projects, s.item)
		}
	}
	r.Skills = orderSkills(src.Skills, normText(postingText(post)))
	r.Education = append(r.Education, src.Education...)
	r.Certificates = append(r.Certificates, src.Certificates...)
	r.Languages = append(r.Languages, src.Languages...)
	r.Awards = append(r.Awards, src.Awards...)
	r.Publications = append(r.Publications, src.Publications...)

	removals, err := guard.New(p).Resume(&r)
	if err != nil {
		return nil, jobpilot.Permanent(fmt.Errorf("template writer: %w", err))
	}
	return &jobpilot.Tailored{Resume: r, Writer: Name, Removals: removals}, nil
}

// pickWork keeps the current jobs and the entries that share keywords
// with the posting (the strongest, at most five, at least two), each with
// its matching highlights first, and lists them by date, most recent first:
// relevance chooses what a recruiter reads, but never the order of a
// career.
func pickWork(work []jobpilot.Work, kw map[string]int) []jobpilot.Work {
	var out []jobpilot.Work
	works := rank(work, func(x jobpilot.Work) int {
		score := overlap(x.Position+" "+x.Summary+" "+strings.Join(x.Highlights, " "), kw)
		if x.EndDate == "" {
			score += 1 << 20 // a current job is always shown
		}
		return score
	})
	for i, s := range works {
		if len(out) >= maxWork || (s.score == 0 && i >= minWork) {
			continue
		}
		e := s.item
		e.Highlights = nil
		for _, h := range rank(s.item.Highlights, func(h string) int { return overlap(h, kw) }) {
			if len(e.Highlights) < maxHighlights {
				e.Highlights = append(e.Highlights, h.item)
			}
		}
		out = append(out, e)
	}
	byDate(out)
	return out
}

// byDate orders jobs most recent first: current jobs (no end date) first,
// then by end date, then by start date, later first; ties keep their
// profile order. Dates are JSON Resume dates (YYYY, YYYY-MM, YYYY-MM-DD),
// which compare as strings.
func byDate(work []jobpilot.Work) {
	end := func(w jobpilot.Work) string {
		if w.EndDate == "" {
			return "9999" // present
		}
		return w.EndDate
	}
	sort.SliceStable(work, func(a, b int) bool {
		ea, eb := end(work[a]), end(work[b])
		if ea != eb {
			return ea > eb
		}
		return work[a].StartDate > work[b].StartDate
	})
}

// orderSkills puts the groups with more skills the posting names first,
// and those skills first in their group.
func orderSkills(skills []jobpilot.Skill, postText string) []jobpilot.Skill {
	var out []jobpilot.Skill
	for _, g := range rank(skills, func(x jobpilot.Skill) int { return matchedSkills(x.Keywords, postText) }) {
		s := g.item
		kws := rank(s.Keywords, func(k string) int {
			if phraseIn(k, postText) {
				return 1
			}
			return 0
		})
		s.Keywords = make([]string, len(kws))
		for i, k := range kws {
			s.Keywords[i] = k.item
		}
		out = append(out, s)
	}
	return out
}

// fallbackSummary writes a one-sentence summary from the profile's own label
// (or latest position) and skills, for profiles without one.
func fallbackSummary(src *jobpilot.Resume) string {
	role := src.Basics.Label
	if role == "" && len(src.Work) > 0 {
		work := append([]jobpilot.Work(nil), src.Work...)
		byDate(work)
		role = work[0].Position
	}
	skills := src.SkillList()
	if len(skills) > 4 {
		skills = skills[:4]
	}
	switch {
	case role != "" && len(skills) > 0:
		return role + " with experience in " + joinList(skills) + "."
	case role != "":
		return role + "."
	case len(skills) > 0:
		return "Experience in " + joinList(skills) + "."
	}
	return ""
}

// WriteCoverLetter fills the template letter (see composeLetter) and passes
// it through the guard. t may be nil (the letter then uses the profile as
// tailored by TailorResume).
func (w *Writer) WriteCoverLetter(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting, t *jobpilot.Tailored) (*jobpilot.CoverLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t == nil {
		var err error
		if t, err = w.TailorResume(ctx, p, post); err != nil {
			return nil, err
		}
	}
	facts := guard.New(p)
	text, removals, err := facts.Letter(post, composeLetter(facts, p, post, &t.Resume))
	if err != nil {
		return nil, jobpilot.Permanent(fmt.Errorf("template writer: %w", err))
	}
	return &jobpilot.CoverLetter{Text: text, Writer: Name, Removals: removals}, nil
}
