package match

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Weights of where a skill appears in a posting: a skill the title names
// is the job; one under "Nice to have" is not.
const (
	weightNice  = 1 // a nice-to-have paragraph
	weightRest  = 2 // anywhere else in the description
	weightFirst = 3 // the first paragraph or the requirements
	weightTitle = 4 // the title
)

// term is one spelling to look for: a sequence of lower-cased words.
type term struct {
	words []string
	id    int      // index into Scorer.skills, Scorer.excluded or vocabulary
	kind  termKind // what finding it means
	cased bool     // ambiguous single word: the posting must capitalise it
}

type termKind uint8

const (
	termSkill    termKind = iota // one of the candidate's skills
	termExcluded                 // one of the candidate's excluded keywords
	termKnown                    // a technical term, to tell whether a posting names skills at all
)

type vterm struct {
	words []string
	name  string
	cased bool
}

// groupOf returns the alias group of a spelling, or -1.
func groupOf(ws []string) int {
	for i, g := range aliases {
		for _, sp := range g {
			if equalWords(words(sp), ws) {
				return i
			}
		}
	}
	return -1
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// addSkill registers a skill and every alias spelling of it.
func (s *Scorer) addSkill(name string) {
	name = strings.TrimSpace(name)
	ws := words(name)
	if len(ws) == 0 {
		return
	}
	g := groupOf(ws)
	key := strings.Join(ws, " ")
	if g >= 0 {
		key = "\x00" + aliases[g][0]
	}
	if _, dup := s.byGroup[key]; dup {
		return
	}
	id := len(s.skills)
	s.byGroup[key] = id
	s.skills = append(s.skills, name)
	spellings := [][]string{ws}
	if g >= 0 {
		spellings = spellings[:0]
		for _, sp := range aliases[g] {
			spellings = append(spellings, words(sp))
		}
	}
	for _, sp := range spellings {
		if len(sp) == 0 {
			continue
		}
		t := term{words: sp, id: id, kind: termSkill, cased: len(sp) == 1 && ambiguous[sp[0]]}
		s.terms[sp[0]] = append(s.terms[sp[0]], t)
	}
}

// addKnownTerms registers the vocabulary, so that a posting that names
// skills, but none of the candidate's, can be told from one that names
// none at all.
func (s *Scorer) addKnownTerms() {
	id := 0
	for first, vs := range s.vocab {
		for _, v := range vs {
			s.terms[first] = append(s.terms[first], term{words: v.words, id: id, kind: termKnown, cased: v.cased})
			id++
		}
	}
	s.known = id
}

func (s *Scorer) buildVocab() {
	s.vocab = map[string][]vterm{}
	add := func(sp, name string) {
		ws := words(sp)
		if len(ws) == 0 {
			return
		}
		s.vocab[ws[0]] = append(s.vocab[ws[0]], vterm{words: ws, name: name, cased: len(ws) == 1 && ambiguous[ws[0]]})
	}
	for _, v := range vocabulary {
		add(v, v)
	}
	for _, g := range aliases {
		for _, sp := range g {
			add(sp, g[0])
		}
	}
}

// addProse adds the known technical terms a piece of the candidate's own
// prose mentions.
func (s *Scorer) addProse(text string) {
	if text == "" {
		return
	}
	ts := appendTokens(nil, text)
	for i, t := range ts {
		for _, v := range s.vocab[t.s] {
			if v.cased && !t.cased {
				continue
			}
			if seqAt(ts, i, v.words) {
				s.addSkill(v.name)
			}
		}
	}
}

func seqAt(ts []token, i int, ws []string) bool {
	if i+len(ws) > len(ts) {
		return false
	}
	for j := 1; j < len(ws); j++ {
		if ts[i+j].s != ws[j] {
			return false
		}
	}
	return true
}

// matchTerms records the terms starting at ts[i], with weight w.
func matchTerms(ts []token, i int, terms []term, w uint8, a *analysis) {
	t := ts[i]
	for _, tm := range terms {
		if tm.cased && !t.cased {
			continue
		}
		if !seqAt(ts, i, tm.words) {
			continue
		}
		switch tm.kind {
		case termSkill:
			a.skillW[tm.id] = max(a.skillW[tm.id], w)
		case termExcluded:
			a.exclW[tm.id] = max(a.exclW[tm.id], w)
		default:
			if !a.knownSeen[tm.id] {
				a.knownSeen[tm.id] = true
				a.known++
			}
		}
	}
}

// Points of the skills part of the score.
const (
	pointsSkills = 25
	// skillScale sets how fast skill points saturate: a total weight of
	// skillScale (two skills in the requirements) earns 63 % of them.
	skillScale = 6.0
	// pointsNoSkillsNamed is what a posting that names no skills at all
	// earns: it is judged on role, level and place, not on its silence.
	pointsNoSkillsNamed = 12
	penaltyOtherSkills  = 15
)

// scoreSkills adds the skills part: the candidate's skills found in the
// posting, by where they appear.
func (s *Scorer) scoreSkills(sc *scoreCard, a *analysis) {
	type hit struct {
		name string
		w    uint8
	}
	var hits []hit
	var inTitle []string
	total := 0
	for id, w := range a.skillW {
		if w == 0 {
			continue
		}
		total += int(w)
		hits = append(hits, hit{s.skills[id], w})
		if w == weightTitle {
			inTitle = append(inTitle, s.skills[id])
		}
	}
	switch {
	case len(hits) > 0:
		pts := pointsSkills * (1 - math.Exp(-float64(total)/skillScale))
		slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.w, a.w) })
		names := make([]string, 0, 5)
		for i, h := range hits {
			if i == 4 && len(hits) > 5 {
				names = append(names, pluralMore(len(hits)-4))
				break
			}
			names = append(names, h.name)
		}
		text := "mentions " + joinList(names)
		if len(inTitle) > 0 {
			text += " (in the title: " + joinList(inTitle) + ")"
		}
		sc.add(ruleSkills, pts, text)
	case a.known < 2:
		sc.add(ruleSkills, pointsNoSkillsNamed, "names no specific skills, so it is judged on role, level and place")
	case len(s.skills) > 0:
		sc.add(ruleSkills, -penaltyOtherSkills, "mentions none of your skills")
	}
	for id, w := range a.exclW {
		if w == 0 {
			continue
		}
		where := ""
		if w == weightTitle {
			where = " in the title"
		}
		sc.add(ruleKeywords, -penaltyExcludedKeyword, "mentions "+quote(s.excluded[id])+where+", one of your excluded keywords")
	}
}
