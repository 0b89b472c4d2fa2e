package templatewriter

import (
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/vocab"
)

// stopwords are left out of keyword overlap: they say nothing about a job.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been by for from has have in into is it its of on or
		our that the their this to we will with you your who what when where which while about across after
		all also any can do does more most not other over such than then they them these those us very
		work working role team teams experience years year strong ability able new using use used build
		building help including include etc well good great join looking like make making must need needs
		plus should some per within without would i my me am was were he she his her job position company
		responsibilities requirements required preferred nice bonus skills skill knowledge`) {
		m[w] = true
	}
	return m
}()

// trimPunct removes punctuation around a word but keeps inner marks, so that
// "Node.js," becomes "Node.js" and "(C++)" becomes "C++".
func trimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' && r != '#'
	})
}

// normWord lower-cases a word, trims its punctuation and maps an alias to
// its canonical spelling (vocab's shared table).
func normWord(w string) string { return vocab.Canonical(trimPunct(w)) }

// normPhrase normalises a phrase word by word and as a whole.
func normPhrase(s string) string {
	f := vocab.Fold(s)
	if c := vocab.Canonical(f); c != f {
		return c
	}
	ws := strings.Fields(f)
	for i, w := range ws {
		ws[i] = normWord(w)
	}
	return strings.Join(ws, " ")
}

func samePhrase(a, b string) bool { return normPhrase(a) == normPhrase(b) }

func subwords(w string) []string {
	return strings.FieldsFunc(strings.ToLower(w), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// keywords returns the normalised content words of s with their counts.
func keywords(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(s) {
		n := normWord(w)
		if len([]rune(n)) < 2 && n != "c" && n != "r" || stopwords[n] || isNumber(n) {
			continue
		}
		m[n]++
		if sub := subwords(n); len(sub) > 1 {
			for _, s := range sub {
				if len(s) > 1 && !stopwords[s] {
					m[normWord(s)]++
				}
			}
		}
	}
	return m
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// overlap scores text against the posting's keywords: the distinct keywords
// it shares, weighted by how often the posting uses them.
func overlap(text string, post map[string]int) int {
	score := 0
	for k := range keywords(text) {
		score += post[k]
	}
	return score
}

// normText normalises a whole text word by word, padded with spaces so that
// phraseIn can match whole words. The text is there twice, as written and
// with hyphens and slashes read as spaces, on two lines, so that
// "docs-as-code" names the skill "Docs as code" and "CI/CD" stays one word
// for the alias table.
func normText(s string) string {
	norm := func(s string) string {
		ws := strings.Fields(s)
		for i, w := range ws {
			ws[i] = normWord(w)
		}
		return " " + strings.Join(ws, " ") + " "
	}
	return norm(s) + "\n" + norm(spaced(s))
}

// spaced reads hyphens and slashes as spaces.
func spaced(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '/' {
			return ' '
		}
		return r
	}, s)
}

// phraseIn reports whether the normalised phrase occurs in the normalised
// posting text (as whole words), as written or with hyphens and slashes
// read as spaces.
func phraseIn(phrase, postText string) bool {
	return strings.Contains(postText, " "+normPhrase(phrase)+" ") || strings.Contains(postText, " "+normPhrase(spaced(phrase))+" ")
}

func postingText(post *jobpilot.Posting) string {
	if post == nil {
		return ""
	}
	return post.Title + "\n" + post.Description
}

func postingKeywords(post *jobpilot.Posting) map[string]int { return keywords(postingText(post)) }

func matchedSkills(list []string, postText string) int {
	n := 0
	for _, k := range list {
		if phraseIn(k, postText) {
			n++
		}
	}
	return n
}

// TopSkills returns up to n of the profile's skills that the posting names,
// in the profile's order of skill groups.
func TopSkills(p *jobpilot.Profile, post *jobpilot.Posting, n int) []string {
	postText := normText(postingText(post))
	var out []string
	for _, s := range p.Resume.SkillList() {
		if len(out) < n && phraseIn(s, postText) {
			out = append(out, s)
		}
	}
	return out
}

// joinList writes "a", "a and b", "a, b and c".
func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// endSentence makes s end with a full stop.
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// clauseOf turns a highlight written the resume way into the rest of a
// sentence after "I": a verb in the past tense ("Built a tracking service"
// → "built a tracking service."), "Responsible for …" ("am"/"was
// responsible for …"), or a common verb in the present ("Owns the
// settlement service" → "own …" for a current job, "owned …" for a past
// one). False for anything else (a noun phrase, a gerund, a highlight with
// a colon), which a letter does not turn into a sentence of its own.
func clauseOf(h string, current bool) (string, bool) {
	h = endSentence(h)
	first, rest, _ := strings.Cut(h, " ")
	w := strings.ToLower(first)
	switch {
	case h == "" || strings.Contains(h, ":"):
		return "", false
	case strings.HasSuffix(w, "ed") && len(w) > 4 || pastTense[w]:
		return lowerFirst(h), true
	case w == "responsible" && strings.HasPrefix(rest, "for "):
		if current {
			return "am " + lowerFirst(h), true
		}
		return "was " + lowerFirst(h), true
	}
	if v, ok := presentTense[w]; ok && rest != "" {
		if current {
			return v[0] + " " + rest, true
		}
		return v[1] + " " + rest, true
	}
	return "", false
}

// pastTense lists irregular verbs that open resume highlights.
var pastTense = map[string]bool{
	"built": true, "led": true, "ran": true, "wrote": true, "cut": true, "set": true, "made": true,
	"grew": true, "drove": true, "won": true, "took": true, "brought": true, "kept": true, "taught": true,
	"found": true, "shipped": true, "rewrote": true, "began": true, "oversaw": true, "spoke": true,
}

// presentTense maps verbs that open a summary in the third person ("Owns
// the settlement service") to the first person and the past.
var presentTense = map[string][2]string{
	"owns": {"own", "owned"}, "leads": {"lead", "led"}, "builds": {"build", "built"},
	"manages": {"manage", "managed"}, "maintains": {"maintain", "maintained"}, "runs": {"run", "ran"},
	"designs": {"design", "designed"}, "develops": {"develop", "developed"}, "writes": {"write", "wrote"},
	"mentors": {"mentor", "mentored"}, "supports": {"support", "supported"}, "operates": {"operate", "operated"},
	"creates": {"create", "created"}, "delivers": {"deliver", "delivered"}, "teaches": {"teach", "taught"},
	"advises": {"advise", "advised"}, "handles": {"handle", "handled"}, "reviews": {"review", "reviewed"},
	"plans": {"plan", "planned"}, "improves": {"improve", "improved"}, "trains": {"train", "trained"},
	"automates": {"automate", "automated"}, "documents": {"document", "documented"}, "works": {"work", "worked"},
	"coordinates": {"coordinate", "coordinated"}, "drives": {"drive", "drove"}, "helps": {"help", "helped"},
}

// firstSentence returns s up to its first full stop.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// startsWithArticle reports whether s opens with "A", "An" or "The", so
// it reads as an apposition after a name.
func startsWithArticle(s string) bool {
	w, _, _ := strings.Cut(s, " ")
	switch strings.ToLower(w) {
	case "a", "an", "the":
		return true
	}
	return false
}

// article returns "an" before a vowel and "a" otherwise.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

// skillList joins skills for a sentence. Ordinary words are lower-cased
// inside it ("distributed systems", "observability"); names are not ("Go",
// "Google Cloud", "REST APIs", "Kafka").
func skillList(skills []string) string {
	out := make([]string, len(skills))
	for i, s := range skills {
		out[i] = s
		ws := strings.Fields(s)
		if len(ws) == 0 {
			continue
		}
		rest := strings.Join(ws[1:], " ")
		w := trimPunct(ws[0])
		plain := !vocab.StrongName(w) && !vocab.WeakName(w) && (len(ws) > 1 || vocab.Common(w))
		if strings.ToLower(rest) == rest && plain {
			out[i] = lowerFirst(s)
		}
	}
	return joinList(out)
}

// lowerFirst lower-cases the first letter of a sentence joined to another,
// unless the first word looks like a name (an acronym, a mixed-case word
// such as "PostgreSQL", or a technology such as "Go").
func lowerFirst(s string) string {
	w, rest, _ := strings.Cut(s, " ")
	if w == "" {
		return s
	}
	tail := w[1:]
	if strings.ToLower(tail) != tail || vocab.IsTech(trimPunct(w)) {
		return s
	}
	out := strings.ToLower(w[:1]) + tail
	if rest != "" {
		out += " " + rest
	}
	return out
}
