// Package vocab is the shared vocabulary of the matcher and the fabrication
// guard: one table of skill aliases (Go/Golang, PostgreSQL/Postgres …), the
// names of technologies, the names that are also everyday words, and a list
// of everyday English words. The data lives in embedded text files beside
// this one (aliases.txt, tech.txt, ambiguous.txt, names.txt, words.txt), so
// extending it is an edit and a rebuild, not a code change.
//
// Every lookup takes a word or phrase in any case and compares it lower-cased
// with its whitespace collapsed. The package is a leaf: it imports only the
// standard library and nothing of jobpilot's.
package vocab

import (
	_ "embed"
	"strings"
	"sync"
)

var (
	//go:embed aliases.txt
	aliasesTxt string
	//go:embed tech.txt
	techTxt string
	//go:embed ambiguous.txt
	ambiguousTxt string
	//go:embed names.txt
	namesTxt string
	//go:embed words.txt
	wordsTxt string
)

type tables struct {
	groups    [][]string        // as written, canonical first
	canonical map[string]string // lower-case spelling → lower-case canonical
	phrases   map[string][]string
	tech      map[string]bool
	techNames []string // tech.txt as written, in order, once each
	ambiguous map[string]bool
	strong    map[string]bool
	weak      map[string]bool
	common    map[string]bool
}

var (
	once sync.Once
	tab  tables
)

func load() *tables {
	once.Do(func() {
		tab = tables{canonical: map[string]string{}, phrases: map[string][]string{}, tech: map[string]bool{},
			ambiguous: map[string]bool{}, strong: map[string]bool{}, weak: map[string]bool{}, common: map[string]bool{}}
		for _, line := range lines(aliasesTxt) {
			var g []string
			for _, sp := range strings.Split(line, "|") {
				if sp = strings.Join(strings.Fields(sp), " "); sp != "" {
					g = append(g, sp)
				}
			}
			if len(g) == 0 {
				continue
			}
			tab.groups = append(tab.groups, g)
			canon := Fold(g[0])
			for _, sp := range g {
				tab.canonical[Fold(sp)] = canon
				tab.tech[Fold(sp)] = true
				if ws := strings.Fields(Fold(sp)); len(ws) > 1 {
					tab.phrases[ws[0]] = append(tab.phrases[ws[0]], Fold(sp))
				}
			}
		}
		for _, w := range fields(techTxt) {
			if !tab.tech[Fold(w)] {
				tab.techNames = append(tab.techNames, w)
			}
			tab.tech[Fold(w)] = true
		}
		for _, w := range fields(ambiguousTxt) {
			tab.ambiguous[Fold(w)] = true
		}
		for _, line := range lines(namesTxt) {
			kind, rest, _ := strings.Cut(line, ":")
			for _, w := range strings.Fields(rest) {
				if strings.TrimSpace(kind) == "strong" {
					tab.strong[Fold(w)] = true
				} else {
					tab.weak[Fold(w)] = true
				}
			}
		}
		for _, w := range fields(wordsTxt) {
			tab.common[Fold(w)] = true
		}
	})
	return &tab
}

// lines returns the non-empty, non-comment lines of a data file.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func fields(s string) []string {
	var out []string
	for _, l := range lines(s) {
		out = append(out, strings.Fields(l)...)
	}
	return out
}

// Fold lower-cases s and collapses its whitespace: the form every lookup uses.
func Fold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Groups returns the alias groups as written in aliases.txt, the canonical
// spelling first. The caller must not modify them.
func Groups() [][]string { return load().groups }

// Tech returns the technology names of tech.txt as written, in file order:
// the names the matcher looks for in postings and prose. Alias spellings are
// in Groups.
func Tech() []string { return load().techNames }

// Canonical returns the lower-case canonical spelling of an alias ("golang"
// → "go", "amazon web services" → "aws"), or s folded when it is no alias.
func Canonical(s string) string {
	f := Fold(s)
	if c, ok := load().canonical[f]; ok {
		return c
	}
	return f
}

// Phrases returns the multi-word alias spellings that start with word
// (folded), longest first is not guaranteed; the guard tries each.
func Phrases(word string) []string { return load().phrases[Fold(word)] }

// IsTech reports whether s names a technology or skill (an alias spelling
// or a word of tech.txt).
func IsTech(s string) bool {
	t := load()
	f := Fold(s)
	return t.tech[f] || t.tech[Canonical(f)]
}

// Ambiguous reports whether s is a technology or name that is also an
// everyday word ("go", "rest", "spring"): only its capitalised form names it.
func Ambiguous(s string) bool { return load().ambiguous[Fold(s)] }

// StrongName reports whether s is a well-known name (an organisation, a
// school, a place) that is also an English word but is rarely used as one
// ("amazon", "oracle"): it names something whatever its case.
func StrongName(s string) bool { return load().strong[Fold(s)] }

// WeakName reports whether s is a name that is also a common word ("target",
// "slack"): it names something only when capitalised.
func WeakName(s string) bool { return load().weak[Fold(s)] }

// Common reports whether the word is everyday English: in words.txt as
// written or once a regular inflection is taken off ("services", "built",
// "reworking", "quickly", "requirements").
func Common(word string) bool {
	t := load()
	for _, f := range Stems(Fold(word)) {
		if t.common[f] {
			return true
		}
	}
	return false
}

// Stems returns w (folded) and the base forms it may be an inflection of,
// most literal first: plural and third person (-s, -es, -ies), past (-ed,
// -ied, doubled consonants), -ing, -er/-est, -ly, -ment, -ness, -ity,
// -ation, and the prefixes re-, un-, co-, pre-, non-, over-, under-, mis-.
// It over-generates on purpose: a candidate base is used only when it is a
// known word.
func Stems(w string) []string {
	out := []string{w}
	add := func(s string) {
		if len(s) >= 2 {
			out = append(out, s)
		}
	}
	suffix := func(w string) {
		for _, r := range []struct{ suf, rep string }{
			{"ies", "y"}, {"ied", "y"}, {"ier", "y"}, {"iest", "y"}, {"ily", "y"}, {"iness", "y"},
			{"es", ""}, {"s", ""}, {"ed", ""}, {"ed", "e"}, {"d", ""}, {"ing", ""}, {"ing", "e"},
			{"er", ""}, {"er", "e"}, {"ers", ""}, {"ers", "e"}, {"est", ""}, {"est", "e"},
			{"ly", ""}, {"ally", ""}, {"ically", "ic"}, {"ment", ""}, {"ments", ""}, {"ness", ""},
			{"ity", ""}, {"ility", "le"}, {"ities", ""}, {"ation", "e"}, {"ation", ""}, {"ations", "e"},
			{"ations", ""}, {"ization", "ize"}, {"isation", "ise"}, {"ful", ""}, {"less", ""}, {"al", ""},
			{"able", ""}, {"able", "e"}, {"ive", ""}, {"ive", "e"}, {"or", "e"}, {"ors", "e"}, {"ence", "ent"},
		} {
			base, ok := strings.CutSuffix(w, r.suf)
			if !ok || len(base) < 2 {
				continue
			}
			add(base + r.rep)
			// planned → plan, running → run, bigger → big
			if r.rep == "" && len(base) >= 3 && base[len(base)-1] == base[len(base)-2] {
				add(base[:len(base)-1])
			}
		}
	}
	suffix(w)
	for _, pre := range []string{"re", "un", "co", "pre", "non", "over", "under", "mis", "out", "multi"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && len(rest) >= 3 {
			add(rest)
			suffix(rest)
		}
	}
	return out
}
