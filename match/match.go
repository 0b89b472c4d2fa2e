// Package match scores a job posting against a candidate's profile: a number
// from 0 to 100 and the top reasons for and against, in plain sentences.
//
// Scoring is deterministic and needs no LLM: the same profile and posting
// always give the same Match. It looks at
//
//   - skills: the resume's skills, the technical terms of its work highlights
//     and projects, and the preferred keywords, found in the posting with
//     word-boundary, case-insensitive matching and a small alias table
//     (Go/Golang, JS/JavaScript, Postgres/PostgreSQL, k8s/Kubernetes …).
//     A skill in the title weighs most, then the first paragraph and the
//     requirements, then the rest of the description (up to 45 points);
//   - the title against the target titles (up to 30 points) or, failing
//     those, the positions the candidate held (up to 20);
//   - location and remote preferences (up to 15 points, or a penalty when
//     an on-site job is elsewhere or the candidate wants remote only);
//   - seniority words in the title (senior, staff, lead, junior, intern,
//     principal …) against the targeted seniority (up to 10 points, or a
//     penalty on a mismatch);
//   - excluded keywords (a strong penalty each) and excluded companies (score
//     0 and Excluded, always, whatever else the posting says).
//
// Build a Scorer once per profile with NewScorer and reuse it: the profile's
// terms are compiled once, and scoring a posting is a single pass over its
// words. A Scorer is safe for concurrent use.
package match

import (
	"bytes"
	"math"
	"sort"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Weights of where a skill appears in a posting.
const (
	weightRest  = 1 // anywhere in the description
	weightFirst = 2 // the first paragraph or the requirements
	weightTitle = 3 // the title
)

// Points of each part of the score; they add up to 100.
const (
	pointsSkills    = 45
	pointsTitle     = 30
	pointsPosition  = 20 // a title matching a past position rather than a target
	pointsLocation  = 15
	pointsSeniority = 10

	penaltyExcludedKeyword = 30
	penaltyRemoteOnly      = 25
	penaltyElsewhere       = 12
	penaltySeniority       = 15

	// skillScale sets how fast skill points saturate: a total weight of
	// skillScale (e.g. three skills in the requirements) earns 63 % of them.
	skillScale = 6.0
	maxReasons = 3
)

// Score scores one posting against a profile. To score many postings against
// the same profile, use NewScorer once and call its Score method.
func Score(p *jobpilot.Profile, post *jobpilot.Posting) jobpilot.Match {
	return NewScorer(p).Score(post)
}

// term is one spelling to look for: a sequence of lower-cased words.
type term struct {
	words []string
	id    int  // index into Scorer.skills or Scorer.excluded
	skill bool // a skill, or else an excluded keyword
	cased bool // ambiguous single word: the posting must capitalise it
}

// Scorer is a profile compiled for scoring. The zero value is not usable;
// call NewScorer.
type Scorer struct {
	skills   []string           // display names, in profile order
	excluded []string           // excluded keywords as written
	terms    map[string][]term  // by first word
	targets  []titleTarget      // target titles, then past positions
	comps    [][]string         // excluded companies as words
	places   [][]string         // acceptable locations as words
	placeRaw []string           // as written, for sentences
	remote   string             // jobpilot.RemoteAny, RemoteOnly or RemoteOnsite
	levels   map[string]bool    // targeted seniority levels
	levelRaw []string           // as written
	byGroup  map[string]int     // alias group or folded term → skill id (build time only)
	vocab    map[string][]vterm // vocabulary terms for prose extraction (build time only)
}

type titleTarget struct {
	raw      string
	words    []string
	position bool // from a past position rather than a target title
}

type vterm struct {
	words []string
	name  string
	cased bool
}

// NewScorer compiles a profile for scoring. A nil profile scores every
// posting on its own merits only (no skills, no preferences).
func NewScorer(p *jobpilot.Profile) *Scorer {
	s := &Scorer{terms: map[string][]term{}, byGroup: map[string]int{}, levels: map[string]bool{}}
	if p == nil {
		p = &jobpilot.Profile{}
	}
	prefs := p.Preferences

	// Skills. Group names that have keywords ("Backend", "Languages") are
	// headings, not skills, and would match ordinary words in postings.
	headings := map[string]bool{}
	for _, sk := range p.Resume.Skills {
		if len(sk.Keywords) > 0 {
			headings[strings.ToLower(strings.TrimSpace(sk.Name))] = true
		}
	}
	for _, name := range p.Resume.SkillNames() {
		if !headings[strings.ToLower(name)] {
			s.addSkill(name)
		}
	}
	for _, k := range prefs.Keywords {
		s.addSkill(k)
	}
	// Technical terms mentioned in the candidate's own experience count as
	// skills too: people rarely list every tool they used under "skills".
	s.buildVocab()
	for _, w := range p.Resume.Work {
		s.addProse(w.Summary)
		s.addProse(w.Description)
		for _, h := range w.Highlights {
			s.addProse(h)
		}
	}
	for _, pr := range p.Resume.Projects {
		for _, k := range pr.Keywords {
			s.addSkill(k)
		}
		s.addProse(pr.Description)
		for _, h := range pr.Highlights {
			s.addProse(h)
		}
	}
	for _, k := range prefs.ExcludedKeywords {
		k = strings.TrimSpace(k)
		ws := words(k)
		if len(ws) == 0 {
			continue
		}
		s.terms[ws[0]] = append(s.terms[ws[0]], term{words: ws, id: len(s.excluded)})
		s.excluded = append(s.excluded, k)
	}

	for _, t := range prefs.TargetTitles {
		if ws := titleWords(t); len(ws) > 0 {
			s.targets = append(s.targets, titleTarget{raw: strings.TrimSpace(t), words: ws})
		}
	}
	for _, w := range p.Resume.Work {
		if ws := titleWords(w.Position); len(ws) > 0 {
			s.targets = append(s.targets, titleTarget{raw: strings.TrimSpace(w.Position), words: ws, position: true})
		}
	}
	for _, c := range prefs.ExcludedCompanies {
		if ws := companyWords(c); len(ws) > 0 {
			s.comps = append(s.comps, ws)
		}
	}
	for _, l := range prefs.Locations {
		if ws := words(l); len(ws) > 0 {
			s.places = append(s.places, ws)
			s.placeRaw = append(s.placeRaw, strings.TrimSpace(l))
		}
	}
	s.remote = prefs.Remote
	if s.remote == "" {
		s.remote = jobpilot.RemoteAny
	}
	for _, l := range prefs.Seniority {
		for _, w := range words(l) {
			if lvl, ok := seniorityWords[w]; ok && !s.levels[lvl] {
				s.levels[lvl] = true
				s.levelRaw = append(s.levelRaw, lvl)
			}
		}
	}
	s.byGroup, s.vocab = nil, nil
	return s
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
		t := term{words: sp, id: id, skill: true, cased: len(sp) == 1 && ambiguous[sp[0]]}
		s.terms[sp[0]] = append(s.terms[sp[0]], t)
	}
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

// titleWords folds a job title into the words that describe the role:
// lower-cased, compounds joined, synonyms folded, seniority and filler words
// dropped.
func titleWords(title string) []string {
	l := " " + strings.Join(words(title), " ") + " "
	for _, j := range titleJoins {
		l = strings.ReplaceAll(l, " "+j[0]+" ", " "+j[1]+" ")
	}
	var out []string
	for _, w := range strings.Fields(l) {
		if syn, ok := titleSynonyms[w]; ok {
			w = syn
		}
		if titleStop[w] || seniorityWords[w] != "" {
			continue
		}
		out = append(out, w)
	}
	return out
}

// companySuffixes are legal forms ignored when comparing company names.
var companySuffixes = map[string]bool{
	"inc": true, "llc": true, "ltd": true, "limited": true, "gmbh": true, "ag": true, "sa": true,
	"sas": true, "bv": true, "plc": true, "corp": true, "corporation": true, "co": true, "oy": true, "ab": true,
}

func companyWords(c string) []string {
	ws := words(c)
	for len(ws) > 1 && companySuffixes[ws[len(ws)-1]] {
		ws = ws[:len(ws)-1]
	}
	return ws
}

// reason is a sentence with the weight that ranks it among its kind.
type reason struct {
	weight float64
	text   string
}

// Score scores one posting. It never fails: a posting with missing fields
// simply earns fewer points. Every Match carries at least one reason.
func (s *Scorer) Score(post *jobpilot.Posting) jobpilot.Match {
	if post == nil {
		return jobpilot.Match{Against: []string{"no posting to score"}}
	}
	// Excluded companies are a hard rule: nothing else matters.
	if len(s.comps) > 0 {
		cw := companyWords(post.Company)
		for _, ex := range s.comps {
			if containsSeq(cw, ex) {
				return jobpilot.Match{
					Score:    0,
					Excluded: true,
					Against:  []string{post.Company + " is on your excluded companies list"},
				}
			}
		}
	}

	var pro, con []reason
	score := 0.0

	// Skills and excluded keywords, by where they appear.
	skillW := make([]uint8, len(s.skills))
	exclW := make([]uint8, len(s.excluded))
	ts := appendTokens(make([]token, 0, 16), post.Title)
	s.scan(ts, weightTitle, skillW, exclW)
	if post.Description != "" {
		s.scanDescription(post.Description, skillW, exclW)
	}

	total := 0
	var inTitle []string
	type hit struct {
		name string
		w    uint8
		id   int
	}
	var hits []hit
	for id, w := range skillW {
		if w == 0 {
			continue
		}
		total += int(w)
		hits = append(hits, hit{s.skills[id], w, id})
		if w == weightTitle {
			inTitle = append(inTitle, s.skills[id])
		}
	}
	if len(hits) > 0 {
		pts := pointsSkills * (1 - math.Exp(-float64(total)/skillScale))
		score += pts
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].w > hits[j].w })
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
		pro = append(pro, reason{pts, text})
	} else if len(s.skills) > 0 {
		con = append(con, reason{pointsSkills / 2, "mentions none of your skills"})
	}
	for id, w := range exclW {
		if w == 0 {
			continue
		}
		score -= penaltyExcludedKeyword
		where := ""
		if w == weightTitle {
			where = " in the title"
		}
		con = append(con, reason{penaltyExcludedKeyword, "mentions " + quote(s.excluded[id]) + where + ", one of your excluded keywords"})
	}

	// Title.
	pts, r, against := s.scoreTitle(post.Title)
	score += pts
	if r != "" {
		if against {
			con = append(con, reason{pointsTitle / 2, r})
		} else {
			pro = append(pro, reason{pts, r})
		}
	}

	// Location and remote.
	pts, r, against = s.scoreLocation(post)
	score += pts
	if r != "" {
		if against {
			con = append(con, reason{-pts + 1, r})
		} else {
			pro = append(pro, reason{pts, r})
		}
	}

	// Seniority.
	pts, r, against = s.scoreSeniority(ts)
	score += pts
	if r != "" {
		if against {
			con = append(con, reason{-pts, r})
		} else {
			pro = append(pro, reason{pts, r})
		}
	}

	m := jobpilot.Match{Score: clamp(int(math.Round(score))), For: top(pro), Against: top(con)}
	if len(m.For) == 0 && len(m.Against) == 0 {
		m.Against = []string{"nothing in this posting matches your profile"}
	}
	return m
}

func pluralMore(n int) string {
	if n == 1 {
		return "1 more"
	}
	return itoa(n) + " more"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func quote(s string) string { return "\u201c" + s + "\u201d" }

func clamp(n int) int {
	return min(max(n, 0), 100)
}

// top returns the texts of the heaviest reasons, heaviest first; equal
// weights keep their order so the result is deterministic.
func top(rs []reason) []string {
	if len(rs) == 0 {
		return nil
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].weight > rs[j].weight })
	n := min(len(rs), maxReasons)
	out := make([]string, n)
	for i := range n {
		out[i] = rs[i].text
	}
	return out
}

// scan records, for each skill and excluded keyword found in ts, the highest
// weight it was seen with.
func (s *Scorer) scan(ts []token, w uint8, skillW, exclW []uint8) {
	for i, t := range ts {
		for _, tm := range s.terms[t.s] {
			if tm.cased && !t.cased {
				continue
			}
			if !seqAt(ts, i, tm.words) {
				continue
			}
			if tm.skill {
				skillW[tm.id] = max(skillW[tm.id], w)
			} else {
				exclW[tm.id] = max(exclW[tm.id], w)
			}
		}
	}
}

// scanDescription scans the description paragraph by paragraph: the first
// paragraph and the requirements weigh more than the rest. A requirements
// paragraph is one whose first line names them ("Requirements", "What you
// bring") or one that follows such a heading.
func (s *Scorer) scanDescription(desc string, skillW, exclW []uint8) {
	ts := make([]token, 0, 64)
	first, afterHead := true, false
	for para := range strings.SplitSeq(desc, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		head := para
		if i := strings.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		isHead := isRequirementHead(head)
		w := uint8(weightRest)
		if first || isHead || afterHead {
			w = weightFirst
		}
		ts = appendTokens(ts[:0], para)
		s.scan(ts, w, skillW, exclW)
		first = false
		// A short heading line alone in its paragraph marks the next one.
		afterHead = isHead && len(head) < 60 && !strings.Contains(para, "\n")
	}
}

func isRequirementHead(line string) bool {
	// Headings are short; long first lines are prose and may mention
	// "experience" without introducing requirements.
	if len(line) > 60 {
		return false
	}
	var buf [60]byte
	l := buf[:len(line)]
	for i := 0; i < len(line); i++ {
		c := line[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	for _, h := range requirementHeads {
		if bytes.Contains(l, []byte(h)) {
			return true
		}
	}
	return false
}

// scoreTitle compares the posting's title with the target titles, then with
// the positions the candidate held.
func (s *Scorer) scoreTitle(title string) (pts float64, text string, against bool) {
	if len(s.targets) == 0 {
		return pointsTitle / 2, "", false
	}
	tw := titleWords(title)
	best, bestPts := -1, 0.0
	for i, t := range s.targets {
		n := 0
		for _, w := range t.words {
			for _, x := range tw {
				if x == w {
					n++
					break
				}
			}
		}
		cover := float64(n) / float64(len(t.words))
		limit := float64(pointsTitle)
		if t.position {
			limit = pointsPosition
		}
		if p := cover * limit; p > bestPts {
			best, bestPts = i, p
		}
	}
	var targets []string
	for _, t := range s.targets {
		if !t.position {
			targets = append(targets, quote(t.raw))
		}
	}
	if best < 0 || bestPts < pointsPosition/2 {
		if len(targets) == 0 {
			for _, t := range s.targets {
				targets = append(targets, quote(t.raw))
			}
		}
		if len(targets) > 3 {
			targets = targets[:3]
		}
		return bestPts, "the title " + quote(strings.TrimSpace(title)) + " is not " + orList(targets), true
	}
	t := s.targets[best]
	switch {
	case t.position && bestPts >= pointsPosition:
		return bestPts, "the title matches your past position " + quote(t.raw), false
	case t.position:
		return bestPts, "the title is close to your past position " + quote(t.raw), false
	case bestPts >= pointsTitle:
		return bestPts, "the title matches your target " + quote(t.raw), false
	}
	return bestPts, "the title is close to your target " + quote(t.raw), false
}

// isRemote reads the remote flag, and the word "remote" in the location or
// title for boards that only say it in words.
func isRemote(post *jobpilot.Posting) bool {
	if post.Remote {
		return true
	}
	for _, w := range words(post.Location) {
		if w == "remote" {
			return true
		}
	}
	return false
}

func (s *Scorer) scoreLocation(post *jobpilot.Posting) (pts float64, text string, against bool) {
	remote := isRemote(post)
	loc := strings.TrimSpace(post.Location)
	lw := words(loc)
	inPlace := ""
	for i, p := range s.places {
		if containsSeq(lw, p) {
			inPlace = s.placeRaw[i]
			break
		}
	}
	onsite := "on-site"
	if loc != "" {
		onsite = "on-site in " + loc
	}
	switch s.remote {
	case jobpilot.RemoteOnly:
		if remote {
			return pointsLocation, "remote, as you want", false
		}
		return -penaltyRemoteOnly, onsite + "; you want remote only", true
	case jobpilot.RemoteOnsite:
		if remote && (loc == "" || strings.EqualFold(loc, "remote")) {
			return -penaltyElsewhere, "a remote role; you want on-site work", true
		}
	}
	switch {
	case inPlace != "":
		return pointsLocation, "in " + inPlace + ", one of your locations", false
	case remote && s.remote != jobpilot.RemoteOnsite:
		return pointsLocation - 3, "remote", false
	case len(s.places) == 0:
		return pointsLocation / 2, "", false
	case loc == "":
		return 0, "", false
	}
	places := s.placeRaw
	if len(places) > 3 {
		places = places[:3]
	}
	return -penaltyElsewhere, onsite + ", not in " + orList(places), true
}

func (s *Scorer) scoreSeniority(title []token) (pts float64, text string, against bool) {
	var levels []string
	for _, t := range title {
		if lvl, ok := seniorityWords[t.s]; ok {
			// "Entry" only means junior in "entry level"; "head" only
			// counts as a title word ("Head of …"), which it is here.
			levels = append(levels, lvl)
		}
	}
	if len(s.levels) == 0 || len(levels) == 0 {
		return pointsSeniority / 2, "", false
	}
	for _, l := range levels {
		if s.levels[l] {
			return pointsSeniority, "a " + l + " role, the level you target", false
		}
	}
	return -penaltySeniority, "a " + levels[0] + " role; you target " + orList(s.levelRaw), true
}
