package guard

import (
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Summary checks a resume summary written as cited sentences and returns
// its text, at most SummarySentences sentences (the rest is cut and
// reported as KindLength).
func (f *Facts) Summary(ss []Sentence) (string, []jobpilot.Removal) {
	rep := &report{}
	var out []string
	count := 0
	for _, s := range f.prose(rep, "basics.summary", ss, nil) {
		n := len(Sentences(s.Text))
		if count+n > SummarySentences {
			rep.add(KindLength, "basics.summary", truncate(s.Text, 60), fmt.Sprintf("the summary is capped at %d sentences", SummarySentences))
			continue
		}
		count += n
		out = append(out, s.Text)
	}
	return strings.Join(out, " "), rep.out
}

// Highlight checks a rephrasing of highlight h of entry index of section
// (SectionWork or SectionProject). The rephrasing may use only that
// highlight and its entry's own name, title, place and dates, so a number
// or a skill cannot move from one highlight or job to another, and it may
// be at most 1.5 times as long as the original. Otherwise the original is
// kept and the attempt reported. field names it in removals.
func (f *Facts) Highlight(field, section string, index, h int, rephrased string) (string, []jobpilot.Removal) {
	original, header := f.highlight(section, index, h)
	rep := &report{}
	rep.markup(field, rephrased)
	text := strings.Join(strings.Fields(Plain(rephrased)), " ")
	switch {
	case text == "" || text == original:
		return original, rep.out
	case WordCount(text)*2 > WordCount(original)*3:
		rep.add(KindLength, field, truncate(text, 60), "a rephrasing may be at most 1.5 times as long as the original; original kept")
		return original, rep.out
	}
	lex := union{f.list[0].lex, newLexicon(append(header, original)...)}
	if vs := f.checkIn(text, lex, true, nil, "", false); len(vs) > 0 {
		for _, v := range vs {
			rep.add(v.kind, field, v.value, "the rephrasing adds it to a highlight that does not say it; original kept")
		}
		return original, rep.out
	}
	return text, rep.out
}

func (f *Facts) highlight(section string, index, h int) (string, []string) {
	r := &f.p.Resume
	switch section {
	case SectionWork, SectionVolunteer:
		ws := r.Work
		if section == SectionVolunteer {
			ws = r.Volunteer
		}
		if index >= 0 && index < len(ws) && h >= 0 && h < len(ws[index].Highlights) {
			w := ws[index]
			return w.Highlights[h], []string{w.Name, w.Position, w.Location, w.StartDate, w.EndDate}
		}
	case SectionProject:
		if index >= 0 && index < len(r.Projects) && h >= 0 && h < len(r.Projects[index].Highlights) {
			pr := r.Projects[index]
			return pr.Highlights[h], []string{pr.Name, pr.StartDate, pr.EndDate}
		}
	}
	return "", nil
}

// proseText checks free text sentence by sentence against the facts with
// the given IDs (all of them when ids is nil), keeping it when it is one of
// the profile's own texts.
func (f *Facts) proseText(rep *report, field, text string, own []string, ids []int) string {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	for _, o := range own {
		if strings.TrimSpace(o) == strings.TrimSpace(text) {
			return o
		}
	}
	rep.markup(field, text)
	lex, entry := union{f.all}, false
	if ids != nil {
		lex = f.scope(ids)
		entry = true
	}
	var b strings.Builder
	for _, s := range Sentences(Plain(text)) {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if vs := f.checkIn(s, lex, entry, nil, "", false); len(vs) > 0 {
			rep.violations(field, s, vs)
			continue
		}
		b.WriteString(s)
	}
	return tidy(b.String())
}

// Resume checks a tailored resume against the profile, in place: the
// header is the profile's; work, volunteer, education, certificate, award,
// publication, language and project entries must be the profile's (by
// name, title and dates) and are replaced by the profile's own entries, so
// no field of theirs can be invented; skills must be the profile's; free
// text (the summary, entry summaries, descriptions and highlights) must be
// the profile's own text or pass the check against that entry's facts (the
// summary: against the whole profile). It returns what it removed, and a
// *Rejection when no work entry is left (the profile having some) or the
// summary is empty.
func (f *Facts) Resume(r *jobpilot.Resume) ([]jobpilot.Removal, error) {
	src := &f.p.Resume
	rep := &report{}
	label, summary := r.Basics.Label, r.Basics.Summary
	r.Basics = src.Basics
	r.Basics.Summary = f.proseText(rep, "basics.summary", summary, []string{src.Basics.Summary}, nil)
	r.Basics.Label = ""
	if label != "" {
		if samePhrase(label, src.Basics.Label) || knownPosition(src, label) {
			r.Basics.Label = label
		} else {
			rep.add(KindTitle, "basics.label", label, "title not in profile")
		}
	}
	r.Work = f.checkWork(rep, SectionWork, r.Work, src.Work)
	r.Volunteer = f.checkWork(rep, SectionVolunteer, r.Volunteer, src.Volunteer)
	r.Education = checkEducation(rep, r.Education, src.Education)
	r.Certificates = keepKnown(rep, KindCertificate, "certificates", r.Certificates, src.Certificates,
		func(a, b jobpilot.Certificate) bool {
			return samePhrase(a.Name, b.Name) && (b.Issuer == "" || samePhrase(a.Issuer, b.Issuer)) && sameDate(a.Date, b.Date)
		}, func(c jobpilot.Certificate) string { return c.Name }, "certification not in profile")
	r.Awards = keepKnown(rep, KindEntry, "awards", r.Awards, src.Awards,
		func(a, b jobpilot.Award) bool { return samePhrase(a.Title, b.Title) },
		func(a jobpilot.Award) string { return a.Title }, "award not in profile")
	r.Publications = keepKnown(rep, KindEntry, "publications", r.Publications, src.Publications,
		func(a, b jobpilot.Publication) bool { return samePhrase(a.Name, b.Name) },
		func(p jobpilot.Publication) string { return p.Name }, "publication not in profile")
	r.Languages = keepKnown(rep, KindSkill, "languages", r.Languages, src.Languages,
		func(a, b jobpilot.Language) bool { return samePhrase(a.Language, b.Language) },
		func(l jobpilot.Language) string { return l.Language }, "language not in profile")
	r.Interests = keepKnown(rep, KindEntry, "interests", r.Interests, src.Interests,
		func(a, b jobpilot.Interest) bool { return samePhrase(a.Name, b.Name) },
		func(i jobpilot.Interest) string { return i.Name }, "interest not in profile")
	r.Skills = checkSkills(rep, src, r.Skills)
	r.Projects = f.checkProjects(rep, r.Projects)

	switch {
	case len(src.Work) > 0 && len(r.Work) == 0:
		return rep.out, &Rejection{Reason: fmt.Sprintf("no work entry left after removing %d claims", Invented(rep.out)), Removals: rep.out}
	case strings.TrimSpace(r.Basics.Summary) == "":
		return rep.out, &Rejection{Reason: "the summary is empty", Removals: rep.out}
	}
	return rep.out, nil
}
