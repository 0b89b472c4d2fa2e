package match

import (
	"strings"

	"github.com/jobpilot/jobpilot"
)

// role is one role a posting offers: most offer one; a "Who is hiring"
// post may offer several ("PM, Designers, QA Engineers, Go Engineers").
type role struct {
	title  string // as written
	words  []string
	fam    *family
	levels uint8 // bit set; 0 when the title does not say
	years  int   // asked by the text, or -1
}

// roles returns the roles a posting offers: the ones its source read
// (Posting.Roles, e.g. an HN comment hiring "Go Engineers, Designers"),
// else those its title lists.
func (s *Scorer) roles(post *jobpilot.Posting, a *analysis) []role {
	segments := splitRoles(post.Title)
	if len(post.Roles) > 1 {
		segments = post.Roles[:min(len(post.Roles), maxRoles)]
	}
	var out []role
	for _, seg := range segments {
		ws := titleTokens(seg)
		r := role{title: strings.TrimSpace(seg), words: ws, years: -1}
		r.fam = s.fams.classifyTitle(ws)
		if r.fam == nil && len(segments) == 1 && isGenericTech(ws) {
			r.fam = s.fams.classifyText(post.Description)
		}
		if r.fam == nil && len(segments) > 1 {
			continue
		}
		r.levels = titleLevels(ws, r.fam)
		if len(segments) == 1 {
			r.years = a.years
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		ws := titleTokens(post.Title)
		out = append(out, role{title: strings.TrimSpace(post.Title), words: ws, levels: titleLevels(ws, nil), years: a.years})
	}
	return out
}

// maxRoles bounds the roles read from one title: a title is third-party
// text, and no real post offers more.
const maxRoles = 12

// splitRoles splits a title that lists several roles: three or more
// comma-separated parts, or parts that name roles in the plural ("Go
// Engineers, Data Engineers"). "Engineering Manager, Backend" and
// "Senior/Staff Data Engineer" are one role each. A short lead-in before
// a colon ("Hiring: …") is dropped.
func splitRoles(title string) []string {
	if i := strings.IndexByte(title, ':'); i >= 0 && len(strings.Fields(title[:i])) <= 2 {
		title = title[i+1:]
	}
	parts := strings.FieldsFunc(title, func(r rune) bool { return r == ',' || r == '&' || r == ';' })
	var segs []string
	for _, p := range parts {
		for seg := range strings.SplitSeq(p, " and ") {
			if strings.TrimSpace(seg) != "" {
				segs = append(segs, seg)
			}
		}
	}
	plural := false
	for _, w := range words(title) {
		if _, ok := rolePlurals[w]; ok {
			plural = true
		}
	}
	if len(segs) >= 3 || len(segs) == 2 && plural {
		return segs[:min(len(segs), maxRoles)]
	}
	return []string{title}
}

// Points of the role part of the score.
const (
	pointsSameFamily     = 25
	pointsUnknownFamily  = 10 // a generic engineering title for an engineer
	penaltyAdjacent      = 10
	penaltyOtherFamily   = 40
	pointsTitle          = 10
	pointsSameLevel      = 15
	pointsNearLevel      = 5
	pointsUnknownLevel   = 10
	penaltyLevel         = 30
	yearsBeyondCandidate = 2
)

// bestRole picks the role that fits the candidate best, or returns nil and
// the reason when every role is of an excluded family.
func (s *Scorer) bestRole(roles []role, a *analysis) (*role, string) {
	if len(roles) == 1 && (roles[0].fam == nil || !s.cand.excludedFams[roles[0].fam.name]) {
		return &roles[0], "" // nothing to choose between
	}
	var best *role
	bestPts := 0.0
	var excludedName string
	for i := range roles {
		r := &roles[i]
		if r.fam != nil && s.cand.excludedFams[r.fam.name] {
			excludedName = r.fam.name
			continue
		}
		var sc scoreCard
		s.scoreRole(&sc, r, false)
		s.scoreLevel(&sc, r, a, false)
		if best == nil || sc.score > bestPts {
			best, bestPts = r, sc.score
		}
	}
	if best == nil {
		return nil, article(excludedName) + " " + excludedName + " role, a family you excluded"
	}
	return best, ""
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

// scoreRole adds the family and title parts for the chosen role.
func (s *Scorer) scoreRole(sc *scoreCard, r *role, multi bool) {
	c := &s.cand
	which := "a"
	if multi {
		which = "its " + quote(short(r.title)) + " role is"
	}
	rel, mine := relate(r.fam, c.families)
	cover, target := s.titleCover(r)
	if rel == relUnknown && cover >= 1 {
		rel = relSame // a title that covers a target title is that target's family
	}
	switch rel {
	case relSame:
		fam := "a role like " + c.familyFrom
		if r.fam != nil {
			fam = article(r.fam.name) + " " + r.fam.name + " role, the family of " + c.familyFrom
		}
		sc.add(ruleFamily, pointsSameFamily, rolePrefix(which, multi)+fam)
		s.addTitle(sc, cover, target)
	case relAdjacent:
		sc.add(ruleFamily, -penaltyAdjacent, rolePrefix(which, multi)+article(r.fam.name)+" "+r.fam.name+" role, next to "+mine.name+" ("+c.familyFrom+")")
	case relDifferent:
		sc.add(ruleFamily, -penaltyOtherFamily, rolePrefix(which, multi)+article(r.fam.name)+" "+r.fam.name+" role; you target "+familyNames(c.families))
	default:
		if r.fam == nil && isGenericTech(r.words) && anyTech(c.families) {
			sc.add(ruleFamily, pointsUnknownFamily, "an engineering role that does not say which kind")
		}
	}
}

func rolePrefix(which string, multi bool) string {
	if multi {
		return which + " "
	}
	return ""
}

func anyTech(fs []*family) bool {
	for _, f := range fs {
		if f.tech {
			return true
		}
	}
	return false
}

func familyNames(fs []*family) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return orList(names)
}

// titleCover returns how much of the best target title of the role's
// family (or of no family) the role's title covers, from 0 to 1.
func (s *Scorer) titleCover(r *role) (float64, *titleTarget) {
	var best *titleTarget
	bestCover := 0.0
	hasTargets := false
	for i := range s.cand.targets {
		if !s.cand.targets[i].position {
			hasTargets = true
		}
	}
	for i := range s.cand.targets {
		t := &s.cand.targets[i]
		if t.position && hasTargets || t.fam != r.fam || len(t.words) == 0 {
			continue
		}
		n := 0
		for _, w := range t.words {
			for _, x := range r.words {
				if x == w || titleSynonyms[x] == w {
					n++
					break
				}
			}
		}
		if cover := float64(n) / float64(len(t.words)); cover > bestCover {
			best, bestCover = t, cover
		}
	}
	return bestCover, best
}

func (s *Scorer) addTitle(sc *scoreCard, cover float64, t *titleTarget) {
	if t == nil || cover == 0 {
		return
	}
	pts := pointsTitle * cover
	what := "your target "
	if t.position {
		what, pts = "your past position ", pts*0.7
	}
	verb := "matches "
	if cover < 1 {
		verb = "is close to "
	}
	sc.add(ruleTitle, pts, "the title "+verb+what+quote(t.raw))
}

// scoreLevel compares the role's level with the candidate's.
func (s *Scorer) scoreLevel(sc *scoreCard, r *role, a *analysis, withReasons bool) {
	c := &s.cand
	levels, from := r.levels, ""
	if levels == 0 && r.years >= 0 {
		levels, from = 1<<yearsLevel(r.years), " (it asks for "+itoa(r.years)+"+ years)"
	}
	if levels == 0 && r.years < 0 && a.entry {
		levels, from = 1<<levelJunior, " (an entry-level role)"
	}
	if levels == 0 || c.levels == 0 {
		sc.add(ruleLevel, pointsUnknownLevel, "")
		return
	}
	d, lvl := levelDistance(levels, c.levels)
	say := func(text string) string {
		if !withReasons {
			return ""
		}
		return text
	}
	mine := lowestLevel(c.levels)
	switch {
	case lvl == levelIntern && mine > levelIntern:
		sc.add(ruleLevel, -penaltyLevel, say("an internship; you are past it ("+c.levelFrom+")"))
	case d == 0:
		sc.add(ruleLevel, pointsSameLevel, say(article(levelName(lvl))+" "+levelName(lvl)+" role"+from+", your level"))
	case d >= 2:
		sc.add(ruleLevel, -penaltyLevel, say(article(levelName(lvl))+" "+levelName(lvl)+" role"+from+", "+stepWord(d)+" levels "+aboveBelow(lvl, mine)+" yours ("+levelName(mine)+", from "+c.levelFrom+")"))
	default:
		sc.add(ruleLevel, pointsNearLevel, "")
		sc.note(ruleLevel, pointsSameLevel-pointsNearLevel, say(article(levelName(lvl))+" "+levelName(lvl)+" role"+from+", one level "+aboveBelow(lvl, mine)+" yours ("+levelName(mine)+")"))
	}
	if r.years >= 0 && c.years > 0 && float64(r.years) > c.years+yearsBeyondCandidate && d < 2 {
		sc.add(ruleLevel, -penaltyLevel, say("asks for "+itoa(r.years)+"+ years of experience; you have about "+itoa(int(c.years+0.5))))
	}
}

// levelDistance returns the smallest distance between two level sets and
// the posting's level that achieves it.
func levelDistance(posting, mine uint8) (int, int) {
	best, at := 99, levelUnknown
	for p := range 6 {
		if posting&(1<<p) == 0 {
			continue
		}
		for m := range 6 {
			if mine&(1<<m) == 0 {
				continue
			}
			d := p - m
			if d < 0 {
				d = -d
			}
			if d < best {
				best, at = d, p
			}
		}
	}
	return best, at
}

func lowestLevel(set uint8) int {
	for l := range 6 {
		if set&(1<<l) != 0 {
			return l
		}
	}
	return levelUnknown
}

func aboveBelow(posting, mine int) string {
	if posting > mine {
		return "above"
	}
	return "below"
}

func stepWord(d int) string {
	switch d {
	case 2:
		return "two"
	case 3:
		return "three"
	case 4:
		return "four"
	}
	return "five"
}
