package match

import (
	"bytes"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// analysis is what one pass over a posting's title and description finds.
type analysis struct {
	skillW    []uint8 // per skill, the highest weight it was seen with
	exclW     []uint8 // per excluded keyword
	knownSeen []bool  // per vocabulary term
	known     int     // vocabulary terms seen
	years     int     // the first "N+ years" asked, or -1
	lang      langCounter
	required  map[string]bool // languages the text asks for
	remoteCue bool            // the text says remote
	officeCue bool            // the text says office, on-site or hybrid
	hybridCue bool
	entry     bool     // the text says the role is entry-level ("no experience needed")
	restrict  []string // paragraphs that restrict where one may work or live
	desc      string
}

// cue flags of description words.
const (
	cueRemote uint8 = 1 << iota
	cueOffice
	cueHybrid
	cueRestrict
	cueYears
	cueLanguage
	cueEntry
)

var cueWords = func() map[string]uint8 {
	m := map[string]uint8{}
	for _, w := range []string{"remote", "remotely", "remoto", "remota", "wfh", "distributed", "télétravail", "distans"} {
		m[w] |= cueRemote
	}
	for _, w := range []string{"office", "onsite", "in-office", "kontor", "kontoret", "büro", "oficina", "presencial", "bureau", "bureaux"} {
		m[w] |= cueOffice
	}
	for _, w := range []string{"hybrid", "hybrida", "hybride", "híbrido", "hybridarbete", "hybrides"} {
		m[w] |= cueHybrid | cueOffice
	}
	for _, w := range []string{"only", "must", "based", "located", "live", "living", "reside", "residing", "residents",
		"resident", "residents", "within", "anywhere", "authorized", "authorised", "eligible", "wohnsitz", "desde", "cualquier"} {
		m[w] |= cueRestrict
	}
	for _, w := range []string{"experience", "level", "career", "grads", "graduates", "job", "berufseinsteiger", "quereinsteiger", "berufseinstieg"} {
		m[w] |= cueEntry
	}
	for w := range yearsWords {
		m[w] |= cueYears
	}
	for w := range languageByName {
		m[w] |= cueLanguage
	}
	return m
}()

// lexEntry is what the scorer knows of a word of any posting: the cues
// it carries and the languages it is a stop word of. One map, so each word
// of a description costs one lookup here (and one for the skills).
type lexEntry struct {
	cue  uint8
	stop uint16
}

var lexicon = func() map[string]lexEntry {
	m := map[string]lexEntry{}
	for w, c := range cueWords {
		e := m[w]
		e.cue = c
		m[w] = e
	}
	for w, bits := range stopIndex {
		e := m[w]
		e.stop = bits
		m[w] = e
	}
	return m
}()

// wordInfo is all the scorer knows of one word: the terms (skills,
// excluded keywords, vocabulary) that start with it and its lexicon entry.
// One map lookup per word of a posting.
type wordInfo struct {
	terms []term
	lex   lexEntry
}

// buildWords merges the scorer's terms with the global lexicon.
func (s *Scorer) buildWords() {
	s.lex = make(map[string]wordInfo, len(s.terms)+len(lexicon))
	for w, e := range lexicon {
		s.lex[w] = wordInfo{lex: e}
	}
	for w, ts := range s.terms {
		info := s.lex[w]
		info.terms = ts
		s.lex[w] = info
	}
}

// analyse reads the posting once: skills and excluded keywords by where
// they appear, the years asked, the language, and the cues about where
// the work happens.
func (s *Scorer) analyse(post *jobpilot.Posting, title []token) *analysis {
	a := &analysis{
		skillW: make([]uint8, len(s.skills)), exclW: make([]uint8, len(s.excluded)),
		knownSeen: make([]bool, s.known), years: -1, desc: post.Description,
	}
	for i, t := range title {
		info := s.lex[t.s]
		matchTerms(title, i, info.terms, weightTitle, a)
		a.lang.count(t, info.lex.stop)
	}
	ts := make([]token, 0, 64)
	first, afterHead, afterNice := true, false, false
	for para := range strings.SplitSeq(post.Description, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		head := para
		if i := strings.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		isHead, isNice := classifyHead(head)
		w := uint8(weightRest)
		switch {
		case isNice || afterNice && !isHead:
			w = weightNice
		case first || isHead || afterHead:
			w = weightFirst
		}
		ts = appendTokens(ts[:0], para)
		s.read(ts, para, w, w == weightFirst && !first, a)
		first = false
		// A short heading line alone in its paragraph marks the next one.
		alone := len(head) < 60 && !strings.Contains(para, "\n")
		afterHead = isHead && alone
		afterNice = isNice && alone
	}
	return a
}

// read records what one paragraph says: skills and keywords with weight
// w, and the cues about years, language and place.
func (s *Scorer) read(ts []token, para string, w uint8, requirements bool, a *analysis) {
	var seen uint8
	for i, t := range ts {
		info := s.lex[t.s]
		if len(info.terms) > 0 {
			matchTerms(ts, i, info.terms, w, a)
		}
		if a.lang.seen < maxLangTokens {
			a.lang.count(t, info.lex.stop)
		}
		c := info.lex.cue
		if c == 0 {
			continue
		}
		seen |= c
		if c&cueYears != 0 && a.years < 0 {
			a.years = yearsAt(ts, i)
		}
		if c&cueEntry != 0 && !a.entry {
			a.entry = entryAt(ts, i)
		}
	}
	a.remoteCue = a.remoteCue || seen&cueRemote != 0
	a.officeCue = a.officeCue || seen&cueOffice != 0
	a.hybridCue = a.hybridCue || seen&cueHybrid != 0
	if seen&cueRestrict != 0 {
		a.restrict = append(a.restrict, para)
	}
	if seen&cueLanguage != 0 {
		if a.required == nil {
			a.required = map[string]bool{}
		}
		requiredLanguages(para, requirements, a.required)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// niceHeads mark a paragraph of optional skills, which weigh least: a
// first line that starts with one, or names one before a colon.
var niceHeads = [][]byte{[]byte("nice to have"), []byte("nice-to-have"), []byte("bonus"), []byte("a plus"),
	[]byte("plus:"), []byte("preferred"), []byte("good to have"), []byte("ideally"), []byte("meriterande"),
	[]byte("von vorteil"), []byte("wünschenswert"), []byte("deseable"), []byte("valorable"), []byte("is a plus")}

// classifyHead reads a paragraph's first line: does it introduce
// requirements ("Requirements", "What you bring"; headings are short, so
// long first lines are prose that may say "experience" without introducing
// anything), or optional skills ("Nice to have: …")?
func classifyHead(line string) (requirements, nice bool) {
	var buf [80]byte
	l := lowerASCII(buf[:0], line[:min(len(line), 80)])
	if len(line) <= 60 {
		for _, h := range requirementHeadBytes {
			if bytes.Contains(l, h) {
				requirements = true
				break
			}
		}
	}
	colon := bytes.IndexByte(l, ':')
	for _, h := range niceHeads {
		if bytes.HasPrefix(l, h) || colon > 0 && bytes.Contains(l[:colon+1], h) {
			return requirements, true
		}
	}
	return requirements, false
}

// entryAt reads "no (previous) experience", "entry level", "start your
// career", "new grads", "first job" and the German "Berufseinsteiger"
// around ts[i].
func entryAt(ts []token, i int) bool {
	prev := func(n int) string {
		if i-n < 0 {
			return ""
		}
		return ts[i-n].s
	}
	switch ts[i].s {
	case "experience":
		return prev(1) == "no" || prev(2) == "no" && (prev(1) == "previous" || prev(1) == "prior")
	case "level":
		return prev(1) == "entry"
	case "career":
		return prev(2) == "start" || prev(1) == "early"
	case "grads", "graduates":
		return prev(1) == "new" || prev(1) == "recent"
	case "job":
		return prev(1) == "first"
	}
	return true // the German words say it alone
}
