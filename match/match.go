// Package match scores a job posting against a candidate's profile: a number
// from 0 to 100 and the top reasons for and against, in plain sentences,
// each naming the rule that produced it ("[family] a mobile role; you target
// backend").
//
// Scoring is deterministic and needs no LLM: the same profile and posting
// always give the same Match. The rules, and the points they give or take
// (docs/design-notes.md, "The scoring model"):
//
//   - [family]: the role family of the posting (backend, frontend, data
//     engineering, design, sales, support … from families.json) against the
//     candidate's (from the target titles, else the most recent position).
//     The same family earns 25 points, an adjacent one costs 10, another one
//     costs 40. A post that offers several roles ("PM, Designers, Go
//     Engineers") is judged by the role that fits best, and the reasons
//     name it. Excluded families rule a posting out like an excluded company;
//   - [title]: how well the title covers a target title of the same family
//     (up to 10);
//   - [level]: intern, junior, mid, senior, staff/principal or manager, read
//     from the title or from the years the text asks for ("5+ years"), against
//     the target level or the one the resume shows. The same level earns 15,
//     one step away 5, two or more steps cost 30, and so does asking for more
//     than two years beyond the candidate's;
//   - [eligibility]: where the job can be done (on-site, hybrid, remote and
//     the regions a remote role is open to, from the location and the text)
//     against where the candidate lives and may work. Compatible earns 15;
//     incompatible costs 45;
//   - [language]: a posting written in, or asking for, a language the
//     candidate does not list costs 35;
//   - [skills]: the resume's skills, the technical terms of its work and
//     projects and the preferred keywords found in the posting, weighted by
//     where they appear (title, requirements, body, nice-to-have; up to 25).
//     A posting that names no skills at all is judged on the rest and earns
//     12; one that names only skills the candidate lacks costs 15;
//   - [keywords] and [company]: an excluded keyword costs 30; an excluded
//     company gives 0 and Excluded, whatever else the posting says.
//
// Build a Scorer once per profile with NewScorer and reuse it: the profile is
// compiled once, and scoring a posting is one pass over its words. A Scorer
// is safe for concurrent use.
package match

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

const (
	penaltyExcludedKeyword = 30
	maxReasons             = 3
)

// Score scores one posting against a profile. To score many postings against
// the same profile, use NewScorer once and call its Score method.
func Score(p *jobpilot.Profile, post *jobpilot.Posting) jobpilot.Match {
	return NewScorer(p).Score(post)
}

// Option adjusts a Scorer.
type Option func(*options)

type options struct {
	now time.Time
}

// At sets the date the candidate's experience is counted up to (positions
// without an end date); the default is the time NewScorer is called.
func At(now time.Time) Option { return func(o *options) { o.now = now } }

// Scorer is a profile compiled for scoring. The zero value is not usable;
// call NewScorer.
type Scorer struct {
	skills   []string          // display names, in profile order
	excluded []string          // excluded keywords as written
	terms    map[string][]term // by first word (build time only)
	lex      map[string]wordInfo
	known    int        // vocabulary terms registered
	comps    [][]string // excluded companies as words
	fams     *familyTable
	cand     candidate

	byGroup map[string]int     // alias group or folded term → skill id (build time only)
	vocab   map[string][]vterm // vocabulary terms for prose extraction (build time only)
}

// NewScorer compiles a profile for scoring. A nil profile scores every
// posting on its own merits only (no skills, no preferences).
func NewScorer(p *jobpilot.Profile, opts ...Option) *Scorer {
	o := options{now: time.Now()}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Scorer{terms: map[string][]term{}, byGroup: map[string]int{}}
	if p == nil {
		p = &jobpilot.Profile{}
	}
	s.compileSkills(p)
	for _, c := range p.Preferences.ExcludedCompanies {
		if ws := companyWords(c); len(ws) > 0 {
			s.comps = append(s.comps, ws)
		}
	}
	s.fams = defaultFamilies()
	if len(p.Preferences.RoleFamilies) > 0 {
		s.fams = newFamilyTable(p.Preferences.RoleFamilies)
	}
	s.cand = s.compileCandidate(p, o.now)
	s.buildWords()
	s.byGroup, s.vocab, s.terms = nil, nil, nil
	return s
}

// compileSkills registers the candidate's skills, preferred keywords,
// the technical terms of their own prose, and the excluded keywords.
func (s *Scorer) compileSkills(p *jobpilot.Profile) {
	// Group names that have keywords ("Backend", "Languages") are
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
	for _, k := range p.Preferences.Keywords {
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
	for _, k := range p.Preferences.ExcludedKeywords {
		k = strings.TrimSpace(k)
		ws := words(k)
		if len(ws) == 0 {
			continue
		}
		s.terms[ws[0]] = append(s.terms[ws[0]], term{words: ws, id: len(s.excluded), kind: termExcluded})
		s.excluded = append(s.excluded, k)
	}
	s.addKnownTerms()
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

// Score scores one posting. It never fails: a posting with missing fields
// simply earns fewer points. Every Match carries at least one reason.
func (s *Scorer) Score(post *jobpilot.Posting) jobpilot.Match {
	if post == nil {
		return jobpilot.Match{Against: []string{"no posting to score"}}
	}
	// Excluded companies are a hard rule: nothing else matters.
	cw := companyWords(post.Company)
	for _, ex := range s.comps {
		if containsSeq(cw, ex) {
			return excluded(ruleCompany, short(post.Company)+" is on your excluded companies list")
		}
	}
	title := appendTokens(make([]token, 0, 16), post.Title)
	a := s.analyse(post, title)
	roles := s.roles(post, a)
	best, why := s.bestRole(roles, a)
	if best == nil {
		return excluded(ruleFamily, why)
	}

	// Equal weights keep this order among the reasons: where the job is
	// says more to a reader than a level that matches.
	var sc scoreCard
	s.scoreRole(&sc, best, len(roles) > 1)
	s.scoreWhere(&sc, post, a)
	s.scoreLevel(&sc, best, a, true)
	s.scoreSkills(&sc, a)
	s.scoreLanguage(&sc, a)
	return sc.match()
}

func excluded(rule, text string) jobpilot.Match {
	return jobpilot.Match{Score: 0, Excluded: true, Against: []string{tag(rule, text)}}
}

// The rules a reason can come from; each reason starts with its rule.
const (
	ruleFamily      = "family"
	ruleTitle       = "title"
	ruleLevel       = "level"
	ruleEligibility = "eligibility"
	ruleLanguage    = "language"
	ruleSkills      = "skills"
	ruleKeywords    = "keywords"
	ruleCompany     = "company"
)

func tag(rule, text string) string { return "[" + rule + "] " + text }

// reason is a sentence with the weight that ranks it among its kind and
// the rule that produced it; the tag is written only for the reasons shown.
type reason struct {
	weight float64
	rule   string
	text   string
}

// scoreCard adds up the points of the rules and keeps their reasons.
type scoreCard struct {
	score    float64
	pro, con []reason
}

// add adds points (negative for a penalty) with the sentence that explains
// them; a sentence with 0 points counts as a reason for.
func (sc *scoreCard) add(rule string, pts float64, text string) {
	sc.score += pts
	if text == "" {
		return
	}
	if pts < 0 {
		sc.con = append(sc.con, reason{-pts, rule, text})
	} else {
		sc.pro = append(sc.pro, reason{pts, rule, text})
	}
}

// note adds a reason against that costs no points.
func (sc *scoreCard) note(rule string, weight float64, text string) {
	if text == "" {
		return
	}
	sc.con = append(sc.con, reason{weight, rule, text})
}

func (sc *scoreCard) match() jobpilot.Match {
	m := jobpilot.Match{Score: clamp(int(math.Round(sc.score))), For: top(sc.pro), Against: top(sc.con)}
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
	slices.SortStableFunc(rs, func(a, b reason) int { return cmp.Compare(b.weight, a.weight) })
	n := min(len(rs), maxReasons)
	out := make([]string, n)
	for i := range n {
		out[i] = tag(rs[i].rule, rs[i].text)
	}
	return out
}

var requirementHeadBytes = func() [][]byte {
	out := make([][]byte, len(requirementHeads))
	for i, h := range requirementHeads {
		out[i] = []byte(h)
	}
	return out
}()

// lowerASCII appends s to dst with ASCII letters lower-cased: enough to
// compare headings without allocating.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
