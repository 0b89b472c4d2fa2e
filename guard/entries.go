package guard

import (
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

func knownPosition(src *jobpilot.Resume, title string) bool {
	for _, w := range src.Work {
		if samePhrase(w.Position, title) {
			return true
		}
	}
	return false
}

// sameDate compares JSON Resume dates; an empty draft date is a date left
// out, which is allowed.
func sameDate(profile, draft string) bool {
	return draft == "" || strings.TrimSpace(profile) == strings.TrimSpace(draft)
}

// checkWork keeps the entries whose employer, title and dates are the
// profile's (as the profile's own entries) and checks their free text
// against that entry alone.
func (f *Facts) checkWork(rep *report, section string, draft, src []jobpilot.Work) []jobpilot.Work {
	var out []jobpilot.Work
	for i, w := range draft {
		field := fmt.Sprintf("%s[%d]", section, i)
		j, kind, reason := matchWork(src, w)
		if j < 0 {
			value := w.Name
			switch kind {
			case KindTitle:
				value = w.Position
			case KindDate:
				value = strings.Trim(w.StartDate+"–"+w.EndDate, "–")
			}
			rep.add(kind, field, value, reason)
			continue
		}
		m := src[j]
		ids := []int{f.ID(section, j)}
		kept := m
		kept.Summary = f.proseText(rep, field+".summary", w.Summary, []string{m.Summary}, ids)
		kept.Description = f.proseText(rep, field+".description", w.Description, []string{m.Description}, ids)
		kept.Highlights = nil
		for k, h := range w.Highlights {
			if c := f.proseText(rep, fmt.Sprintf("%s.highlights[%d]", field, k), h, m.Highlights, ids); c != "" {
				kept.Highlights = append(kept.Highlights, c)
			}
		}
		out = append(out, kept)
	}
	return out
}

func matchWork(src []jobpilot.Work, w jobpilot.Work) (int, string, string) {
	byEmployer := false
	byTitle := false
	for j, m := range src {
		if !samePhrase(m.Name, w.Name) {
			continue
		}
		byEmployer = true
		if w.Position != "" && !samePhrase(m.Position, w.Position) {
			continue
		}
		byTitle = true
		if sameDate(m.StartDate, w.StartDate) && sameDate(m.EndDate, w.EndDate) {
			return j, "", ""
		}
	}
	switch {
	case !byEmployer:
		return -1, KindEmployer, "employer not in profile"
	case !byTitle:
		return -1, KindTitle, "title not in profile for " + w.Name
	}
	return -1, KindDate, "dates not in profile for " + w.Name
}

func checkEducation(rep *report, draft, src []jobpilot.Education) []jobpilot.Education {
	var out []jobpilot.Education
	for i, e := range draft {
		field := fmt.Sprintf("education[%d]", i)
		var m *jobpilot.Education
		kind, reason := KindDegree, "institution not in profile"
		for j := range src {
			s := &src[j]
			if !samePhrase(s.Institution, e.Institution) {
				continue
			}
			if (e.StudyType == "" || samePhrase(s.StudyType, e.StudyType)) && (e.Area == "" || samePhrase(s.Area, e.Area)) {
				if sameDate(s.StartDate, e.StartDate) && sameDate(s.EndDate, e.EndDate) {
					m = s
					break
				}
				kind, reason = KindDate, "dates not in profile for "+e.Institution
				continue
			}
			if kind != KindDate {
				reason = "degree not in profile"
			}
		}
		if m == nil {
			rep.add(kind, field, describeEducation(e), reason)
			continue
		}
		kept := *m
		kept.Courses = nil
		for _, c := range e.Courses {
			if containsPhrase(m.Courses, c) {
				kept.Courses = append(kept.Courses, c)
			} else {
				rep.add(KindName, field+".courses", c, "course not in profile")
			}
		}
		out = append(out, kept)
	}
	return out
}

func describeEducation(e jobpilot.Education) string {
	var parts []string
	for _, s := range []string{e.StudyType, e.Area, e.Institution} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func containsPhrase(list []string, s string) bool {
	for _, l := range list {
		if samePhrase(l, s) {
			return true
		}
	}
	return false
}

// keepKnown keeps the draft's entries that match one of the profile's,
// replaced by the profile's own entry so that none of its other fields can
// be invented, and reports the others.
func keepKnown[T any](rep *report, kind, field string, draft, profile []T, same func(p, d T) bool, name func(T) string, reason string) []T {
	var out []T
	for i, d := range draft {
		found := false
		for _, p := range profile {
			if same(p, d) {
				out = append(out, p)
				found = true
				break
			}
		}
		if !found {
			rep.add(kind, fmt.Sprintf("%s[%d]", field, i), name(d), reason)
		}
	}
	return out
}

// checkSkills keeps the skills the profile names (skill groups, their
// keywords, project keywords), in the draft's order.
func checkSkills(rep *report, src *jobpilot.Resume, draft []jobpilot.Skill) []jobpilot.Skill {
	known := map[string]bool{}
	for _, s := range src.SkillNames() {
		known[strings.Join(foldWords(s), " ")] = true
	}
	for _, p := range src.Projects {
		for _, k := range p.Keywords {
			known[strings.Join(foldWords(k), " ")] = true
		}
	}
	knows := func(s string) bool { return known[strings.Join(foldWords(s), " ")] }
	var out []jobpilot.Skill
	for i, s := range draft {
		field := fmt.Sprintf("skills[%d]", i)
		kept := jobpilot.Skill{}
		if s.Name != "" {
			if knows(s.Name) {
				kept.Name = s.Name
			} else {
				rep.add(KindSkill, field+".name", s.Name, "skill not in profile")
			}
		}
		for _, ps := range src.Skills {
			if s.Level != "" && samePhrase(ps.Level, s.Level) && (kept.Name == "" || samePhrase(ps.Name, kept.Name)) {
				kept.Level = s.Level
				break
			}
		}
		for k, kw := range s.Keywords {
			if knows(kw) {
				kept.Keywords = append(kept.Keywords, kw)
			} else {
				rep.add(KindSkill, fmt.Sprintf("%s.keywords[%d]", field, k), kw, "skill not in profile")
			}
		}
		if kept.Name != "" || len(kept.Keywords) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

func (f *Facts) checkProjects(rep *report, draft []jobpilot.Project) []jobpilot.Project {
	src := f.p.Resume.Projects
	var out []jobpilot.Project
	for i, p := range draft {
		field := fmt.Sprintf("projects[%d]", i)
		j := -1
		for k := range src {
			if samePhrase(src[k].Name, p.Name) {
				j = k
				break
			}
		}
		if j < 0 {
			rep.add(KindEntry, field+".name", p.Name, "project not in profile")
			continue
		}
		m := src[j]
		ids := []int{f.ID(SectionProject, j)}
		kept := m
		kept.Description = f.proseText(rep, field+".description", p.Description, []string{m.Description}, ids)
		kept.Highlights = nil
		for k, h := range p.Highlights {
			if c := f.proseText(rep, fmt.Sprintf("%s.highlights[%d]", field, k), h, m.Highlights, ids); c != "" {
				kept.Highlights = append(kept.Highlights, c)
			}
		}
		kept.Keywords = nil
		for _, kw := range p.Keywords {
			if containsPhrase(m.Keywords, kw) {
				kept.Keywords = append(kept.Keywords, kw)
			} else {
				rep.add(KindSkill, field+".keywords", kw, "skill not in profile")
			}
		}
		out = append(out, kept)
	}
	return out
}
