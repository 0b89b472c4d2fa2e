package match

import (
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// candidate is what the scorer knows of the person, compiled once.
type candidate struct {
	families     []*family       // the role families sought
	familyFrom   string          // what they come from, for sentences
	targets      []titleTarget   // target titles, else positions, with their families
	excludedFams map[string]bool // by family name

	levels    uint8   // bit set of the levels sought
	levelFrom string  // why, for sentences
	years     float64 // of work, internships left out

	home       *place     // where they live (a metro, else a country), or nil
	homeName   string     // as written
	accepted   []*place   // where on-site work is fine
	acceptRaw  [][]string // accepted places the table does not know, as words
	rawNames   []string
	acceptName []string
	regions    []*place // where they may work (for relocation)
	relocate   bool
	remote     string // jobpilot.RemoteAny, RemoteOnly or RemoteOnsite

	langs map[string]bool
}

type titleTarget struct {
	raw      string
	words    []string // role words: level and generic words left out
	fam      *family
	position bool // from a past position rather than a target title
}

func (s *Scorer) compileCandidate(p *jobpilot.Profile, now time.Time) candidate {
	prefs := p.Preferences
	c := candidate{excludedFams: map[string]bool{}, remote: prefs.Remote, relocate: prefs.Relocate}
	if c.remote == "" {
		c.remote = jobpilot.RemoteAny
	}
	s.compileFamilies(&c, p)
	for _, name := range prefs.ExcludedFamilies {
		if f := s.fams.lookup(name); f != nil {
			c.excludedFams[f.name] = true
		}
	}
	c.years = experience(p.Resume.Work, now)
	compileLevel(&c, p)
	compilePlaces(&c, p)
	c.langs = candidateLanguages(p.Resume.Languages)
	return c
}

// skillsText is the candidate's skills and highlights as one text, to
// classify a generic target title ("Software Engineer") by what they do.
func skillsText(p *jobpilot.Profile) string {
	var b strings.Builder
	for _, n := range p.Resume.SkillNames() {
		b.WriteString(n + ", ")
	}
	for _, k := range p.Preferences.Keywords {
		b.WriteString(k + ", ")
	}
	return b.String()
}

// compileFamilies finds the families the candidate seeks: the ones named
// in preferences, else those of the target titles, else the one of the
// most recent position. A generic title ("Software Engineer") is read
// with the candidate's skills. A past position's title counts only toward
// its own family.
func (s *Scorer) compileFamilies(c *candidate, p *jobpilot.Profile) {
	add := func(f *family) {
		if f != nil && !containsFamily(c.families, f) {
			c.families = append(c.families, f)
		}
	}
	classify := func(title, context string) *family {
		ws := titleTokens(title)
		if f := s.fams.classifyTitle(ws); f != nil {
			return f
		}
		if isGenericTech(ws) {
			return s.fams.classifyText(context)
		}
		return nil
	}
	skills := skillsText(p)
	for _, t := range p.Preferences.TargetTitles {
		f := classify(t, skills)
		if ws := roleWords(t); len(ws) > 0 || f != nil {
			c.targets = append(c.targets, titleTarget{raw: strings.TrimSpace(t), words: ws, fam: f})
		}
		add(f)
	}
	for i, w := range p.Resume.Work {
		f := classify(w.Position, strings.Join(w.Highlights, ". ")+". "+w.Summary+". "+skills)
		if ws := roleWords(w.Position); len(ws) > 0 || f != nil {
			c.targets = append(c.targets, titleTarget{raw: strings.TrimSpace(w.Position), words: ws, fam: f, position: true})
		}
		if len(p.Preferences.TargetTitles) == 0 && (i == 0 || w.EndDate == "") {
			add(f)
		}
	}
	c.familyFrom = "your target titles"
	if len(p.Preferences.TargetTitles) == 0 {
		c.familyFrom = "your current position"
	}
	if len(p.Preferences.TargetFamilies) > 0 {
		c.families = c.families[:0]
		for _, name := range p.Preferences.TargetFamilies {
			add(s.fams.lookup(name))
		}
		c.familyFrom = "your target families"
	}
}

func containsFamily(fs []*family, f *family) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// roleWords are the words of a title that say what the role is: level,
// generic and filler words left out ("Senior Backend Engineer" → backend).
func roleWords(title string) []string {
	var out []string
	for _, w := range titleTokens(title) {
		if _, lvl := levelWords[w]; lvl || genericTitleWords[w] || titleStop[w] || romanLevels[w] > 0 {
			continue
		}
		if syn, ok := titleSynonyms[w]; ok && syn != "engineer" {
			w = syn
		}
		out = append(out, w)
	}
	return out
}

// compileLevel finds the levels sought: the target level, else the
// seniority words, else the current title's level, else the years worked.
func compileLevel(c *candidate, p *jobpilot.Profile) {
	prefs := p.Preferences
	if l := levelIndex(prefs.TargetLevel); l >= 0 {
		c.levels, c.levelFrom = 1<<l, "your target level"
		return
	}
	for _, sw := range prefs.Seniority {
		c.levels |= titleLevels(titleTokens(sw), nil)
		if l := levelIndex(strings.ToLower(strings.TrimSpace(sw))); l >= 0 {
			c.levels |= 1 << l
		}
	}
	if c.levels != 0 {
		c.levelFrom = "the seniority you target"
		return
	}
	for _, w := range p.Resume.Work {
		if w.EndDate != "" {
			continue
		}
		if set := titleLevels(titleTokens(w.Position), nil); set != 0 && set&(1<<levelIntern) == 0 {
			c.levels, c.levelFrom = set, "your current title "+quote(strings.TrimSpace(w.Position))
			return
		}
	}
	if c.years > 0 {
		c.levels = 1 << yearsLevel(int(c.years))
		c.levelFrom = "about " + itoa(int(c.years+0.5)) + " years of experience"
	}
}

// compilePlaces resolves where the candidate lives, where on-site work is
// fine for them and where they may work.
func compilePlaces(c *candidate, p *jobpilot.Profile) {
	pt := places()
	prefs := p.Preferences
	loc := p.Resume.Basics.Location
	if strings.TrimSpace(prefs.LivesIn) != "" {
		c.homeName = strings.TrimSpace(prefs.LivesIn)
		c.home = mostSpecific(pt.find(c.homeName))
	} else {
		c.homeName = strings.TrimSpace(strings.Trim(loc.City+", "+loc.CountryCode, ", "))
		c.home = mostSpecific(pt.find(loc.City))
		if country := pt.byISO[strings.ToUpper(loc.CountryCode)]; country != nil && (c.home == nil || c.home.country != country.country) {
			c.home = country
		}
	}
	for _, l := range prefs.Locations {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		c.acceptName = append(c.acceptName, l)
		if found := pt.find(l); len(found) > 0 {
			c.accepted = append(c.accepted, mostSpecific(found))
		} else {
			c.acceptRaw = append(c.acceptRaw, words(l))
			c.rawNames = append(c.rawNames, l)
		}
	}
	if len(prefs.Locations) == 0 && c.home != nil {
		c.accepted = []*place{c.home}
	}
	for _, r := range prefs.WorkRegions {
		c.regions = append(c.regions, pt.find(r)...)
	}
	if len(prefs.WorkRegions) == 0 && c.home != nil {
		if home := pt.byISO[c.home.country]; home != nil {
			c.regions = append(c.regions, home)
		}
		if eu := pt.byCode["EU"]; eu != nil && eu.countries[c.home.country] {
			c.regions = append(c.regions, eu)
		}
	}
}
