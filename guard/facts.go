package guard

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"sync"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/vocab"
)

// Fact sections, in the order facts are numbered.
const (
	SectionBasics      = "basics" // fact 0: name, label, summary, location, languages, interests
	SectionWork        = "work"
	SectionVolunteer   = "volunteer"
	SectionProject     = "project"
	SectionEducation   = "education"
	SectionCertificate = "certificate"
	SectionAward       = "award"
	SectionPublication = "publication"
	SectionSkills      = "skills" // the last fact: every skill group
)

// Fact is one numbered fact of a profile: the basics, one entry of a
// section, or the skills. A generated sentence cites facts by ID.
type Fact struct {
	ID      int
	Section string
	Index   int // within its section
	lex     *lexicon
}

// Facts is a profile cut into numbered facts, the vocabulary a generated
// document may draw from. Build it once per profile with New; it is
// read-only afterwards and safe for concurrent use.
type Facts struct {
	p        *jobpilot.Profile
	list     []Fact
	all      *lexicon
	about    *lexicon        // the label, summary and interests: the candidate in general
	names    map[string]bool // words that name something: employers, schools, skills, places …
	ordinary map[string]bool // the profile's other words: jargon it uses, free to reuse
	self     map[string]bool // the words of the candidate's name
}

// New numbers the facts of profile p: 0 is the basics, then work,
// volunteer, projects, education, certificates, awards, publications, and
// last the skills. The Facts work on a copy of p's resume, so later changes
// to p do not reach them, and are cached by the resume's content: every
// document of every application of one profile version shares them.
func New(p *jobpilot.Profile) *Facts {
	raw, err := json.Marshal(p.Resume)
	if err != nil { // plain structs: cannot happen; build without the cache
		return build(p)
	}
	key := sha256.Sum256(raw)
	cache.Lock()
	f, ok := cache.m[key]
	cache.Unlock()
	if ok {
		return f
	}
	cp := &jobpilot.Profile{}
	if err := json.Unmarshal(raw, &cp.Resume); err != nil {
		return build(p)
	}
	f = build(cp)
	cache.Lock()
	if len(cache.m) >= 64 {
		clear(cache.m)
	}
	cache.m[key] = f
	cache.Unlock()
	return f
}

var cache = struct {
	sync.Mutex
	m map[[32]byte]*Facts
}{m: map[[32]byte]*Facts{}}

func build(p *jobpilot.Profile) *Facts {
	r := &p.Resume
	f := &Facts{p: p, names: map[string]bool{}, ordinary: map[string]bool{}, self: map[string]bool{}}
	for _, w := range foldWords(p.Resume.Basics.Name) {
		f.self[w] = true
	}
	add := func(section string, index int, names []string, texts ...string) {
		all := append(append([]string(nil), names...), texts...)
		f.list = append(f.list, Fact{ID: len(f.list), Section: section, Index: index, lex: newLexicon(all...)})
		for _, n := range names {
			f.addNames(n)
		}
		for _, t := range texts {
			f.addProse(t)
		}
	}
	names, fluency := basicsFields(r)
	add(SectionBasics, 0, names, fluency...)
	var interests []string
	for _, in := range r.Interests {
		interests = append(interests, in.Name)
		interests = append(interests, in.Keywords...)
	}
	f.about = newLexicon(append([]string{r.Basics.Label, r.Basics.Summary}, interests...)...)
	f.addProse(r.Basics.Label)
	f.addProse(r.Basics.Summary)
	for i, w := range r.Work {
		add(SectionWork, i, []string{w.Name, w.Location, w.URL}, workTexts(w)...)
	}
	for i, w := range r.Volunteer {
		add(SectionVolunteer, i, []string{w.Name, w.Location, w.URL}, workTexts(w)...)
	}
	for i, pr := range r.Projects {
		names := append([]string{pr.Name, pr.URL}, pr.Keywords...)
		add(SectionProject, i, names, append(append([]string{pr.Description, pr.StartDate, pr.EndDate}, pr.Highlights...), pr.Roles...)...)
	}
	for i, e := range r.Education {
		add(SectionEducation, i, []string{e.Institution, e.URL, e.StudyType},
			append([]string{e.Area, e.StartDate, e.EndDate, e.Score}, e.Courses...)...)
	}
	for i, c := range r.Certificates {
		add(SectionCertificate, i, []string{c.Name, c.Issuer, c.URL}, c.Date)
	}
	for i, a := range r.Awards {
		add(SectionAward, i, []string{a.Title, a.Awarder}, a.Date, a.Summary)
	}
	for i, pb := range r.Publications {
		add(SectionPublication, i, []string{pb.Name, pb.Publisher, pb.URL}, pb.ReleaseDate, pb.Summary)
	}
	var skills []string
	for _, s := range r.Skills {
		skills = append(skills, s.Name)
		skills = append(skills, s.Keywords...)
	}
	var levels []string
	for _, s := range r.Skills {
		levels = append(levels, s.Level)
	}
	add(SectionSkills, 0, skills, levels...)

	f.all = newLexicon()
	mergeInto(f.all, f.about)
	for _, fact := range f.list {
		mergeInto(f.all, fact.lex)
	}
	for w := range f.names {
		delete(f.ordinary, w)
	}
	return f
}

// basicsFields are the candidate's identity: name, contact, place,
// languages (names), and the languages' fluency (prose). Not the phone
// number, street or postal code: their digits would support invented
// numbers, and prose has no use for them.
func basicsFields(r *jobpilot.Resume) (names, prose []string) {
	b := r.Basics
	for _, l := range r.Languages {
		names = append(names, l.Language)
		prose = append(prose, l.Fluency)
	}
	for _, pr := range b.Profiles {
		names = append(names, pr.Network, pr.Username, pr.URL)
	}
	names = append(names, b.Name, b.Email, b.URL, b.Location.City, b.Location.Region, b.Location.CountryCode)
	return names, prose
}

func workTexts(w jobpilot.Work) []string {
	return append([]string{w.Position, w.StartDate, w.EndDate, w.Summary, w.Description}, w.Highlights...)
}

func mergeInto(dst, src *lexicon) {
	for w := range src.words {
		dst.words[w] = true
	}
	for n := range src.numbers {
		dst.numbers[n] = true
	}
	dst.max = max(dst.max, src.max)
	for v := range src.vague {
		dst.vague[v] = true
	}
	dst.links = append(dst.links, src.links...)
}

// addNames records the words of a name field (an employer, a school, a
// skill …) as names: they are facts wherever they appear.
func (f *Facts) addNames(s string) {
	for _, t := range tokenize(s) {
		f.names[t.lower] = true
		f.names[vocab.Canonical(t.lower)] = true
		for _, p := range parts(t.lower) {
			if !vocab.Common(p) {
				f.names[p] = true
			}
		}
	}
}

// addProse records the words of free text: capitalised words inside a
// sentence, acronyms, technologies and numbers are names; the rest is the
// candidate's own vocabulary.
func (f *Facts) addProse(s string) {
	for _, t := range tokenize(s) {
		switch {
		case t.link || hasDigit(t.lower):
		case t.acronym || t.mixed || t.tech || (t.capital && !t.start) || vocab.IsTech(t.lower) && !vocab.Ambiguous(t.lower):
			f.names[t.lower] = true
		default:
			for _, w := range append([]string{t.lower}, parts(t.lower)...) {
				for _, st := range vocab.Stems(w) {
					f.ordinary[st] = true
				}
			}
		}
	}
}

// Len is the number of facts.
func (f *Facts) Len() int { return len(f.list) }

// List returns the facts in ID order.
func (f *Facts) List() []Fact { return f.list }

// ID returns the ID of entry index of section (SectionWork, 2), or -1.
func (f *Facts) ID(section string, index int) int {
	for _, fact := range f.list {
		if fact.Section == section && fact.Index == index {
			return fact.ID
		}
	}
	return -1
}

// scope returns what a sentence citing ids may draw from. The candidate's
// identity (name, contact, location, languages) is always there. A
// sentence about an entry (it cites a job, a project, a degree …) draws
// only from the entries it cites: neither the skills list nor the summary
// counts, or a true fact could be moved to the wrong employer ("Kafka" in a
// sentence about a job that never used it). A sentence that cites no entry
// speaks of the candidate in general and draws from the summary and the
// skills. Invalid ids (negative, out of range) and repeats cite nothing.
func (f *Facts) scope(ids []int) union {
	u := union{f.list[0].lex}
	var entries []int
	seen := map[int]bool{}
	for _, id := range ids {
		if id <= 0 || id >= len(f.list) || seen[id] {
			continue
		}
		seen[id] = true
		if f.list[id].Section != SectionSkills {
			entries = append(entries, id)
		}
	}
	if len(entries) == 0 {
		return append(u, f.about, f.list[len(f.list)-1].lex)
	}
	for _, id := range entries {
		u = append(u, f.list[id].lex)
	}
	return u
}

// ordinaryWord reports whether w is a word of the candidate's own prose
// that names nothing.
func (f *Facts) ordinaryWord(w string) bool {
	if f.names[w] {
		return false
	}
	for _, s := range vocab.Stems(w) {
		if f.ordinary[s] {
			return true
		}
	}
	return false
}

// words of a text, folded, for comparing phrases.
func foldWords(s string) []string {
	toks := tokenize(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, t.lower)
	}
	return out
}

func samePhrase(a, b string) bool {
	return strings.Join(foldWords(a), " ") == strings.Join(foldWords(b), " ")
}
