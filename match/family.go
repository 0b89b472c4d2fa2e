package match

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"

	"github.com/jobpilot/jobpilot"
)

// familiesJSON is the table of role families: see families.json. Users
// extend it with preferences.role_families.
//
//go:embed families.json
var familiesJSON []byte

// family is a role family: backend, design, sales …
type family struct {
	name     string
	index    int // position in the table: breaks ties between title phrases
	adjacent map[string]bool
	tech     bool // an engineering family, for generic titles
}

type phrase struct {
	words  []string
	fam    *family
	prefix bool // the last word matches the start of a compound word
}

// familyTable classifies titles and descriptions into role families.
type familyTable struct {
	families []*family
	byName   map[string]*family  // names and aliases, as folded words joined by spaces
	titles   map[string][]phrase // by first word
	prefixes []phrase            // single-word compound prefixes ("kundtjänst*")
	keywords map[string][]phrase // description words that point to a family, by first word
}

type familyEntry struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases"`
	Titles   []string `json:"titles"`
	Keywords []string `json:"keywords"`
	Adjacent []string `json:"adjacent"`
}

var builtinFamilies = sync.OnceValue(func() []familyEntry {
	var raw struct {
		Families []familyEntry `json:"families"`
	}
	if err := json.Unmarshal(familiesJSON, &raw); err != nil {
		panic("match: families.json: " + err.Error())
	}
	return raw.Families
})

var defaultFamilies = sync.OnceValue(func() *familyTable { return newFamilyTable(nil) })

// techFamilies are the engineering families a generic title ("Software
// Engineer") is resolved among from its description.
var techFamilies = map[string]bool{
	"backend": true, "frontend": true, "full-stack": true, "mobile": true, "data engineering": true,
	"data science": true, "infrastructure": true, "security": true, "qa": true, "embedded": true,
}

// newFamilyTable builds the built-in table plus the user's families: a
// user family with a built-in name adds its words to it.
func newFamilyTable(extra []jobpilot.RoleFamily) *familyTable {
	entries := append([]familyEntry(nil), builtinFamilies()...)
	for _, rf := range extra {
		e := familyEntry{Name: strings.ToLower(strings.TrimSpace(rf.Name)), Titles: rf.Titles, Keywords: rf.Keywords, Adjacent: rf.Adjacent}
		merged := false
		for i := range entries {
			if foldName(entries[i].Name) == foldName(e.Name) {
				entries[i].Titles = append(append([]string(nil), entries[i].Titles...), e.Titles...)
				entries[i].Keywords = append(append([]string(nil), entries[i].Keywords...), e.Keywords...)
				entries[i].Adjacent = append(append([]string(nil), entries[i].Adjacent...), e.Adjacent...)
				merged = true
			}
		}
		if !merged {
			// A user's own family comes first: its titles are what the
			// user cares about most.
			entries = append([]familyEntry{e}, entries...)
		}
	}
	t := &familyTable{byName: map[string]*family{}, titles: map[string][]phrase{}, keywords: map[string][]phrase{}}
	for i, e := range entries {
		f := &family{name: e.Name, index: i, adjacent: map[string]bool{}, tech: techFamilies[e.Name]}
		t.families = append(t.families, f)
		t.byName[foldName(e.Name)] = f
	}
	for i, e := range entries {
		f := t.families[i]
		for _, a := range e.Aliases {
			if _, taken := t.byName[foldName(a)]; !taken {
				t.byName[foldName(a)] = f
			}
		}
		for _, a := range e.Adjacent {
			if g := t.byName[foldName(a)]; g != nil && g != f {
				f.adjacent[g.name] = true
				g.adjacent[f.name] = true
			}
		}
		for _, ti := range e.Titles {
			prefix := strings.HasSuffix(ti, "*")
			ws := titleTokens(strings.TrimSuffix(ti, "*"))
			if len(ws) == 0 {
				continue
			}
			p := phrase{words: ws, fam: f, prefix: prefix}
			if prefix && len(ws) == 1 {
				t.prefixes = append(t.prefixes, p)
				continue
			}
			t.titles[ws[0]] = append(t.titles[ws[0]], p)
		}
		for _, k := range e.Keywords {
			if ws := words(k); len(ws) > 0 {
				t.keywords[ws[0]] = append(t.keywords[ws[0]], phrase{words: ws, fam: f})
			}
		}
	}
	return t
}

// foldName folds a family name for comparison: "Data-Engineering" and
// "data engineering" are one name.
func foldName(s string) string { return strings.Join(words(s), " ") }

// lookup returns the family a user names, or nil.
func (t *familyTable) lookup(name string) *family { return t.byName[foldName(name)] }

// rolePlurals fold plural role nouns so that "QA Engineers" is "qa engineer".
var rolePlurals = map[string]string{
	"engineers": "engineer", "developers": "developer", "designers": "designer", "managers": "manager",
	"scientists": "scientist", "analysts": "analyst", "leads": "lead", "pms": "pm", "interns": "intern",
	"programmers": "programmer", "researchers": "researcher", "writers": "writer", "executives": "executive",
	"representatives": "representative", "agents": "agent", "specialists": "specialist",
}

// titleTokens returns the lower-cased words of a title with plural role
// nouns folded.
func titleTokens(s string) []string {
	ws := words(s)
	for i, w := range ws {
		if sg, ok := rolePlurals[w]; ok {
			ws[i] = sg
		}
	}
	return ws
}

// classifyTitle returns the family a title names, by the longest phrase it
// contains (ties go to the table's order), or nil.
func (t *familyTable) classifyTitle(ws []string) *family {
	var best *phrase
	for i, w := range ws {
		for j := range t.titles[w] {
			p := &t.titles[w][j]
			if i+len(p.words) > len(ws) || !equalWords(ws[i:i+len(p.words)], p.words) {
				continue
			}
			if best == nil || len(p.words) > len(best.words) || len(p.words) == len(best.words) && p.fam.index < best.fam.index {
				best = p
			}
		}
		if best != nil {
			continue
		}
		for j := range t.prefixes {
			p := &t.prefixes[j]
			if strings.HasPrefix(w, p.words[0]) && (best == nil || p.fam.index < best.fam.index) {
				best = p
			}
		}
	}
	if best == nil {
		return nil
	}
	return best.fam
}

// genericTitleWords name engineering work without saying which: such a
// title is classified from its description.
var genericTitleWords = map[string]bool{
	"engineer": true, "developer": true, "programmer": true, "software": true, "swe": true, "sde": true,
	"engineering": true, "coder": true, "hacker": true, "ingeniero": true, "ingeniera": true, "desarrollador": true,
	"entwickler": true, "utvecklare": true, "développeur": true, "ingénieur": true, "エンジニア": true, "개발자": true,
}

func isGenericTech(ws []string) bool {
	for _, w := range ws {
		if genericTitleWords[w] {
			return true
		}
	}
	return false
}

// classifyText picks the engineering family whose description keywords a
// text mentions most (at least two distinct ones, clearly ahead of the
// next); frontend and backend together make full-stack. It returns nil
// when the text does not say.
func (t *familyTable) classifyText(text string) *family {
	ts := appendTokens(nil, text)
	hits := map[*family]map[string]bool{}
	for i, tk := range ts {
		for _, p := range t.keywords[tk.s] {
			if !p.fam.tech || !seqAt(ts, i, p.words) {
				continue
			}
			if hits[p.fam] == nil {
				hits[p.fam] = map[string]bool{}
			}
			hits[p.fam][strings.Join(p.words, " ")] = true
		}
	}
	var best, second *family
	for _, f := range t.families { // in table order, so ties are deterministic
		h := hits[f]
		switch {
		case len(h) == 0:
		case best == nil || len(h) > len(hits[best]):
			best, second = f, best
		case second == nil || len(h) > len(hits[second]):
			second = f
		}
	}
	if best == nil || len(hits[best]) < 2 {
		return nil
	}
	if full := t.lookup("full-stack"); full != nil && len(hits[full]) > 0 {
		return full
	}
	if second != nil {
		pair := best.name + "+" + second.name
		if (pair == "frontend+backend" || pair == "backend+frontend") && 2*len(hits[second]) >= len(hits[best]) {
			return t.lookup("full-stack")
		}
	}
	return best
}

// relation is how a posting's family stands to the candidate's.
type relation uint8

const (
	relUnknown relation = iota
	relSame
	relAdjacent
	relDifferent
)

func relate(f *family, mine []*family) (relation, *family) {
	if f == nil || len(mine) == 0 {
		return relUnknown, nil
	}
	for _, m := range mine {
		if m == f {
			return relSame, m
		}
	}
	for _, m := range mine {
		if m.adjacent[f.name] {
			return relAdjacent, m
		}
	}
	return relDifferent, mine[0]
}
