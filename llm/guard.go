package llm

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrRejected is wrapped (as a permanent error) by the fabrication guard when
// removing the invented claims of a draft leaves it incoherent: no work entry
// left, an empty summary, or a cover letter under MinLetterWords words.
var ErrRejected = errors.New("draft rejected by the fabrication guard")

// MinLetterWords is the length under which a cover letter that lost
// sentences to the guard is rejected rather than sent half-empty.
const MinLetterWords = 120

// Removal kinds, the "kind" label of jobpilot_guard_removals_total.
const (
	KindEmployer    = "employer"
	KindTitle       = "title"
	KindDate        = "date"
	KindDegree      = "degree"
	KindCertificate = "certificate"
	KindSkill       = "skill"
	KindNumber      = "number"
	KindProperNoun  = "proper_noun"
	KindEntry       = "entry"
)

// Guard is the fabrication guard (DESIGN.md §5). It runs in code after every
// writer reply and checks each employer, title, date, degree, certification,
// skill and number of a draft against the candidate's profile, up to
// normalisation (case, whitespace, the alias table: Go/Golang, JS/JavaScript,
// Postgres/PostgreSQL, k8s/Kubernetes …). Free text (summaries, highlights,
// the letter) may rephrase but may not bring new proper nouns or numbers:
// capitalised words that are not at the start of a sentence, acronyms,
// technology names and digit runs must all occur in the profile.
//
// Violations are removed (the sentence that holds them, or the whole entry)
// and reported as jobpilot.Removal values; the caller stores each as an
// EventGuardRemoval event. A draft left incoherent is rejected with a
// permanent error wrapping ErrRejected; no placeholder is ever substituted.
//
// A Guard is safe for concurrent use. The zero value works and counts nothing.
type Guard struct {
	removals *prometheus.CounterVec
}

// NewGuard returns a guard that counts removals in
// jobpilot_guard_removals_total{kind} on reg (nil: no metrics). Registering
// twice on the same registerer reuses the first counter, so several writers
// can share a registry.
func NewGuard(reg prometheus.Registerer) *Guard {
	g := &Guard{}
	if reg == nil {
		return g
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jobpilot_guard_removals_total",
		Help: "Claims the fabrication guard removed from generated documents, by kind.",
	}, []string{"kind"})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				c = existing
			}
		}
	}
	g.removals = c
	return g
}

// finding is a removal with its metric kind.
type finding struct {
	kind string
	jobpilot.Removal
}

type report struct {
	g     *Guard
	found []finding
}

func (r *report) add(kind, field, value, reason string) {
	r.found = append(r.found, finding{kind, jobpilot.Removal{Field: field, Value: value, Reason: reason}})
}

func (r *report) removals() []jobpilot.Removal {
	if len(r.found) == 0 {
		return nil
	}
	out := make([]jobpilot.Removal, len(r.found))
	for i, f := range r.found {
		out[i] = f.Removal
		if r.g != nil && r.g.removals != nil {
			r.g.removals.WithLabelValues(f.kind).Inc()
		}
	}
	return out
}

// vocab is what a draft may say: the words and numbers of the profile (and,
// for a letter, the posting's company and title).
type vocab struct {
	words   map[string]bool
	numbers map[string]bool
}

func newVocab(texts ...string) *vocab {
	v := &vocab{words: map[string]bool{}, numbers: map[string]bool{}}
	for _, t := range texts {
		for _, w := range strings.Fields(t) {
			w = trimPunct(w)
			if w == "" {
				continue
			}
			v.words[normWord(w)] = true
			v.words[strings.ToLower(w)] = true
			for _, s := range subwords(w) {
				v.words[normWord(s)] = true
				v.words[s] = true
			}
		}
		for _, d := range digitRuns(t) {
			v.numbers[d] = true
		}
	}
	return v
}

// knows reports whether the word, or every alphanumeric part of it, occurs in
// the vocabulary.
func (v *vocab) knows(w string) bool {
	n := normWord(w)
	if v.words[n] || v.words[strings.ToLower(trimPunct(w))] {
		return true
	}
	if strings.Contains(n, " ") { // a multi-word alias such as "amazon web services"
		all := true
		for _, p := range strings.Fields(n) {
			all = all && v.words[p]
		}
		if all {
			return true
		}
	}
	subs := subwords(w)
	if len(subs) == 0 {
		return true
	}
	for _, s := range subs {
		if !v.words[normWord(s)] && !v.words[s] {
			return false
		}
	}
	return true
}

// claim is one unsupported word of a sentence.
type claim struct{ kind, value, reason string }

// checkSentence returns the claims of s that the vocabulary does not support.
func (v *vocab) checkSentence(s string) []claim {
	var out []claim
	for i, raw := range strings.Fields(s) {
		w := trimPunct(raw)
		if w == "" || v.words[normWord(w)] {
			// A word the profile uses as such ("k8s", "p99", "2021-03") is
			// fine whatever its digits.
			continue
		}
		for _, d := range digitRuns(w) {
			if !v.numbers[d] {
				out = append(out, claim{KindNumber, d, "number not in profile"})
			}
		}
		first, _ := firstLetter(w)
		lower := strings.ToLower(w)
		switch {
		case first == 0:
			// Digits and symbols only: numbers are checked above.
		case unicode.IsUpper(first) && (i > 0 || isAcronym(w)):
			if allowedCapitalised[lower] || v.knows(w) {
				continue
			}
			out = append(out, claim{KindProperNoun, w, "name not in profile"})
		case techWords[normWord(w)]:
			if !v.knows(w) {
				out = append(out, claim{KindSkill, w, "skill not in profile"})
			}
		}
	}
	return out
}

func firstLetter(w string) (rune, bool) {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return r, true
		}
		if !unicode.IsDigit(r) {
			continue
		}
		return 0, false
	}
	return 0, false
}

// isAcronym: two or more letters, all upper case ("MIT", "AWS"), checked even
// at the start of a sentence.
func isAcronym(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 2
}

// cleanText drops every sentence of text that holds an unsupported claim and
// records one removal per claim.
func (v *vocab) cleanText(rep *report, field, text string) string {
	if strings.TrimSpace(text) == "" {
		return text
	}
	var b strings.Builder
	for _, s := range splitSentences(text) {
		cs := v.checkSentence(s.text)
		if len(cs) == 0 {
			b.WriteString(s.text)
			continue
		}
		for _, c := range cs {
			rep.add(c.kind, field, c.value, c.reason+"; removed: "+quoteShort(s.text))
		}
		if strings.HasSuffix(s.text, "\n") {
			b.WriteString("\n")
		}
	}
	return tidy(b.String())
}

// tidy removes whitespace left behind by dropped sentences.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s)
}

func quoteShort(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

func samePhrase(a, b string) bool { return normPhrase(a) == normPhrase(b) }

// CheckResume checks a tailored resume r against profile p, in place: unknown
// employers, titles, dates, degrees, certificates and skills remove their
// entry (or skill), sentences with unsupported proper nouns or numbers are
// dropped from free text, and the header is reset to the profile's. It
// returns what was removed. If no work entry is left (when the profile has
// some) or the summary is empty, it returns a permanent error wrapping
// ErrRejected.
func (g *Guard) CheckResume(p *jobpilot.Profile, r *jobpilot.Resume) ([]jobpilot.Removal, error) {
	src := &p.Resume
	v := newVocab(profileText(src))
	rep := &report{g: g}

	// Identity comes from the profile, always.
	label, summary := r.Basics.Label, r.Basics.Summary
	r.Basics = src.Basics
	r.Basics.Summary = v.cleanText(rep, "basics.summary", summary)
	r.Basics.Label = ""
	if label != "" {
		if samePhrase(label, src.Basics.Label) || knownPosition(src, label) {
			r.Basics.Label = label
		} else {
			rep.add(KindTitle, "basics.label", label, "title not in profile")
		}
	}

	r.Work = g.checkWork(rep, v, "work", r.Work, src.Work)
	r.Volunteer = g.checkWork(rep, v, "volunteer", r.Volunteer, src.Volunteer)

	var edu []jobpilot.Education
	for i, e := range r.Education {
		f := fmt.Sprintf("education[%d]", i)
		m, reason, kind := matchEducation(src.Education, e)
		if m == nil {
			rep.add(kind, f, describeEducation(e), reason)
			continue
		}
		courses := e.Courses
		e = *m // dates, URL, score: the profile's
		e.Courses = nil
		for _, c := range courses {
			if containsPhrase(m.Courses, c) {
				e.Courses = append(e.Courses, c)
			} else {
				rep.add(KindProperNoun, f+".courses", c, "course not in profile")
			}
		}
		edu = append(edu, e)
	}
	r.Education = edu

	var certs []jobpilot.Certificate
	for i, c := range r.Certificates {
		f := fmt.Sprintf("certificates[%d]", i)
		m := matchCertificate(src.Certificates, c)
		if m == nil {
			rep.add(KindCertificate, f, c.Name, "certification not in profile")
			continue
		}
		certs = append(certs, *m)
	}
	r.Certificates = certs

	r.Awards = keepKnown(rep, "awards", r.Awards, src.Awards,
		func(a jobpilot.Award) string { return a.Title }, "award not in profile")

	r.Publications = keepKnown(rep, "publications", r.Publications, src.Publications,
		func(pb jobpilot.Publication) string { return pb.Name }, "publication not in profile")

	var langs []jobpilot.Language
	for i, l := range r.Languages {
		ok := false
		for _, s := range src.Languages {
			if samePhrase(s.Language, l.Language) {
				langs = append(langs, s)
				ok = true
				break
			}
		}
		if !ok {
			rep.add(KindSkill, fmt.Sprintf("languages[%d]", i), l.Language, "language not in profile")
		}
	}
	r.Languages = langs

	r.Skills = g.checkSkills(rep, src, r.Skills)
	r.Projects = g.checkProjects(rep, v, src, r.Projects)

	removals := rep.removals()
	switch {
	case len(src.Work) > 0 && len(r.Work) == 0:
		return removals, jobpilot.Permanent(fmt.Errorf("%w: no work entry left after removing %d claim(s)", ErrRejected, len(removals)))
	case strings.TrimSpace(r.Basics.Summary) == "":
		return removals, jobpilot.Permanent(fmt.Errorf("%w: the summary is empty", ErrRejected))
	}
	return removals, nil
}

func knownPosition(src *jobpilot.Resume, title string) bool {
	for _, w := range src.Work {
		if samePhrase(w.Position, title) {
			return true
		}
	}
	return false
}

func containsPhrase(list []string, s string) bool {
	for _, l := range list {
		if samePhrase(l, s) {
			return true
		}
	}
	return false
}

// checkWork keeps the entries whose employer, title and dates are the
// profile's, and cleans their free text.
func (g *Guard) checkWork(rep *report, v *vocab, section string, draft, src []jobpilot.Work) []jobpilot.Work {
	var out []jobpilot.Work
	for i, w := range draft {
		f := fmt.Sprintf("%s[%d]", section, i)
		var byEmployer []*jobpilot.Work
		for j := range src {
			if samePhrase(src[j].Name, w.Name) {
				byEmployer = append(byEmployer, &src[j])
			}
		}
		if len(byEmployer) == 0 {
			rep.add(KindEmployer, f+".name", w.Name, "employer not in profile")
			continue
		}
		var byTitle []*jobpilot.Work
		for _, m := range byEmployer {
			if w.Position == "" || samePhrase(m.Position, w.Position) {
				byTitle = append(byTitle, m)
			}
		}
		if len(byTitle) == 0 {
			rep.add(KindTitle, f+".position", w.Position, "title not in profile for "+w.Name)
			continue
		}
		var m *jobpilot.Work
		for _, c := range byTitle {
			if sameDate(c.StartDate, w.StartDate) && sameDate(c.EndDate, w.EndDate) {
				m = c
				break
			}
		}
		if m == nil {
			rep.add(KindDate, f+".startDate", strings.Trim(w.StartDate+"–"+w.EndDate, "–"),
				"dates not in profile for "+w.Name)
			continue
		}
		kept := *m
		kept.Summary = v.cleanText(rep, f+".summary", w.Summary)
		kept.Description = v.cleanText(rep, f+".description", w.Description)
		kept.Highlights = nil
		for k, h := range w.Highlights {
			if c := v.cleanText(rep, fmt.Sprintf("%s.highlights[%d]", f, k), h); c != "" {
				kept.Highlights = append(kept.Highlights, c)
			}
		}
		out = append(out, kept)
	}
	return out
}

// sameDate compares JSON Resume dates; an empty draft date is a date left
// out, which is allowed.
func sameDate(profile, draft string) bool {
	return draft == "" || strings.TrimSpace(profile) == strings.TrimSpace(draft)
}

func matchEducation(src []jobpilot.Education, e jobpilot.Education) (*jobpilot.Education, string, string) {
	var byInst []*jobpilot.Education
	for j := range src {
		if samePhrase(src[j].Institution, e.Institution) {
			byInst = append(byInst, &src[j])
		}
	}
	if len(byInst) == 0 {
		return nil, "institution not in profile", KindDegree
	}
	for _, m := range byInst {
		if (e.StudyType == "" || samePhrase(m.StudyType, e.StudyType)) &&
			(e.Area == "" || samePhrase(m.Area, e.Area)) {
			if sameDate(m.StartDate, e.StartDate) && sameDate(m.EndDate, e.EndDate) {
				return m, "", ""
			}
			return nil, "dates not in profile for " + e.Institution, KindDate
		}
	}
	return nil, "degree not in profile", KindDegree
}

func describeEducation(e jobpilot.Education) string {
	parts := []string{}
	for _, s := range []string{e.StudyType, e.Area, e.Institution} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func matchCertificate(src []jobpilot.Certificate, c jobpilot.Certificate) *jobpilot.Certificate {
	for j := range src {
		m := &src[j]
		if samePhrase(m.Name, c.Name) && (c.Issuer == "" || samePhrase(m.Issuer, c.Issuer)) && sameDate(m.Date, c.Date) {
			return m
		}
	}
	return nil
}

// checkSkills keeps the skills the profile names (skill groups, their
// keywords, project keywords), in the draft's order.
func (g *Guard) checkSkills(rep *report, src *jobpilot.Resume, draft []jobpilot.Skill) []jobpilot.Skill {
	known := map[string]bool{}
	for _, s := range src.SkillNames() {
		known[normPhrase(s)] = true
	}
	for _, p := range src.Projects {
		for _, k := range p.Keywords {
			known[normPhrase(k)] = true
		}
	}
	var out []jobpilot.Skill
	for i, s := range draft {
		f := fmt.Sprintf("skills[%d]", i)
		kept := jobpilot.Skill{}
		if s.Name != "" {
			if known[normPhrase(s.Name)] {
				kept.Name = s.Name
			} else {
				rep.add(KindSkill, f+".name", s.Name, "skill not in profile")
			}
		}
		if s.Level != "" {
			for _, ps := range src.Skills {
				if samePhrase(ps.Level, s.Level) && (kept.Name == "" || samePhrase(ps.Name, kept.Name)) {
					kept.Level = s.Level
					break
				}
			}
		}
		for k, kw := range s.Keywords {
			if known[normPhrase(kw)] {
				kept.Keywords = append(kept.Keywords, kw)
			} else {
				rep.add(KindSkill, fmt.Sprintf("%s.keywords[%d]", f, k), kw, "skill not in profile")
			}
		}
		if kept.Name != "" || len(kept.Keywords) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

func (g *Guard) checkProjects(rep *report, v *vocab, src *jobpilot.Resume, draft []jobpilot.Project) []jobpilot.Project {
	var out []jobpilot.Project
	for i, p := range draft {
		f := fmt.Sprintf("projects[%d]", i)
		var m *jobpilot.Project
		for j := range src.Projects {
			if samePhrase(src.Projects[j].Name, p.Name) {
				m = &src.Projects[j]
				break
			}
		}
		if m == nil {
			rep.add(KindEntry, f+".name", p.Name, "project not in profile")
			continue
		}
		kept := *m
		kept.Description = v.cleanText(rep, f+".description", p.Description)
		kept.Highlights = nil
		for k, h := range p.Highlights {
			if c := v.cleanText(rep, fmt.Sprintf("%s.highlights[%d]", f, k), h); c != "" {
				kept.Highlights = append(kept.Highlights, c)
			}
		}
		kept.Keywords = nil
		for _, kw := range p.Keywords {
			if containsPhrase(m.Keywords, kw) {
				kept.Keywords = append(kept.Keywords, kw)
			} else {
				rep.add(KindSkill, f+".keywords", kw, "skill not in profile")
			}
		}
		out = append(out, kept)
	}
	return out
}

// CheckCoverLetter checks a cover letter against profile p and the posting:
// sentences that name something (an employer, a school, a skill) or give a
// number that neither the profile nor the posting's company and title
// contain are dropped. It returns the cleaned letter and the removals; a
// letter left under MinLetterWords words is rejected with a permanent error
// wrapping ErrRejected.
func (g *Guard) CheckCoverLetter(p *jobpilot.Profile, post *jobpilot.Posting, text string) (string, []jobpilot.Removal, error) {
	extra := ""
	if post != nil {
		extra = post.Company + "\n" + post.Title
	}
	v := newVocab(profileText(&p.Resume), extra)
	rep := &report{g: g}
	out := v.cleanText(rep, "cover_letter", text)
	removals := rep.removals()
	if n := wordCount(out); n < MinLetterWords {
		return out, removals, jobpilot.Permanent(fmt.Errorf("%w: the cover letter has %d words (minimum %d) after removing %d claim(s)",
			ErrRejected, n, MinLetterWords, len(removals)))
	}
	return out, removals, nil
}

// keepKnown keeps the draft's entries whose name (by name) the profile has,
// replacing each with the profile's own entry so that none of its other
// fields (dates, issuers) can be invented, and reports the others.
func keepKnown[T any](rep *report, field string, draft, profile []T, name func(T) string, reason string) []T {
	var out []T
	for i, d := range draft {
		found := false
		for _, p := range profile {
			if samePhrase(name(p), name(d)) {
				out = append(out, p)
				found = true
				break
			}
		}
		if !found {
			rep.add(KindEntry, fmt.Sprintf("%s[%d]", field, i), name(d), reason)
		}
	}
	return out
}
