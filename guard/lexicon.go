package guard

import (
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot/vocab"
)

// lexicon is what one fact (or several) lets a sentence say: its words in
// every normalised form, its numbers, and its links.
type lexicon struct {
	words   map[string]bool
	numbers map[string]bool
	max     int64          // the largest number
	vague   map[int64]bool // magnitudes the text states in words ("hundreds")
	links   []string
}

func newLexicon(texts ...string) *lexicon {
	l := &lexicon{words: map[string]bool{}, numbers: map[string]bool{}, vague: map[int64]bool{}}
	for _, t := range texts {
		l.add(t)
	}
	return l
}

func (l *lexicon) add(text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	toks := tokenize(text)
	qs, _ := numberSpans(toks)
	for _, q := range qs {
		l.addNumber(q.value)
		if q.atLeast > 0 {
			l.vague[q.atLeast] = true
		}
	}
	for _, t := range toks {
		if t.link {
			l.links = append(l.links, t.lower)
			l.words[t.lower] = true
			continue
		}
		l.addWord(t.lower)
		for _, p := range parts(t.lower) {
			l.addWord(p)
		}
		for _, d := range digitRuns(t.lower) {
			l.addNumber(d)
		}
		if v, ok := digitValue(t.lower); ok {
			l.addNumber(v)
		}
	}
}

func (l *lexicon) addNumber(v string) {
	if v == "" {
		return
	}
	l.numbers[v] = true
	if f, err := strconv.ParseFloat(v, 64); err == nil && int64(f) > l.max {
		l.max = int64(f)
	}
}

func (l *lexicon) addWord(w string) {
	if w == "" {
		return
	}
	for _, s := range vocab.Stems(w) {
		l.words[s] = true
	}
	l.words[vocab.Canonical(w)] = true
}

// has reports whether word w (lower case), or its alias, or a base form of
// it, occurs in the lexicon.
func (l *lexicon) has(w string) bool {
	if l.words[w] || l.words[vocab.Canonical(w)] {
		return true
	}
	for _, s := range vocab.Stems(w) {
		if l.words[s] {
			return true
		}
	}
	return false
}

func (l *lexicon) hasNumber(q quantity) bool {
	if q.atLeast > 0 {
		for n := range l.numbers {
			if f, err := strconv.ParseFloat(n, 64); err == nil && f >= float64(q.atLeast) && f < float64(q.below) {
				return true
			}
		}
		return l.vague[q.atLeast]
	}
	return l.numbers[q.value]
}

func (l *lexicon) hasLink(s string) bool {
	for _, k := range l.links {
		if k == s || strings.HasPrefix(k, s+"/") || strings.HasPrefix(s, k) && len(k) > 4 && strings.Contains(k, ".") && (len(s) == len(k) || s[len(k)] == '/') {
			return true
		}
	}
	return false
}

// union is several lexicons read as one.
type union []*lexicon

func (u union) has(w string) bool {
	for _, l := range u {
		if l.has(w) {
			return true
		}
	}
	return false
}

func (u union) hasNumber(q quantity) bool {
	for _, l := range u {
		if l.hasNumber(q) {
			return true
		}
	}
	return false
}

func (u union) hasLink(s string) bool {
	for _, l := range u {
		if l.hasLink(s) {
			return true
		}
	}
	return false
}
