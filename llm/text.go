package llm

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jobpilot/jobpilot"
)

// aliases maps spellings of the same skill to one canonical form, so that a
// rephrasing that writes "Golang" for the profile's "Go" is not taken for an
// invented skill. Keep it small and obvious: it is a normalisation table, not
// a thesaurus.
var aliases = map[string]string{
	"golang":     "go",
	"js":         "javascript",
	"ecmascript": "javascript",
	"ts":         "typescript",
	"postgres":   "postgresql",
	"psql":       "postgresql",
	"pg":         "postgresql",
	"k8s":        "kubernetes",
	"kube":       "kubernetes",
	"nodejs":     "node.js",
	"node":       "node.js",
	"py":         "python",
	"python3":    "python",
	"reactjs":    "react",
	"react.js":   "react",
	"vuejs":      "vue",
	"vue.js":     "vue",
	"gcp":        "google cloud",
	"aws":        "amazon web services",
	"tf":         "terraform",
	"mongo":      "mongodb",
	"ci":         "ci/cd",
	"cicd":       "ci/cd",
	"grpc":       "grpc",
	"c#":         "csharp",
	"dotnet":     ".net",
	"sql server": "mssql",
}

// techWords are lower-case technology names that a rephrasing could slip in
// without a capital letter ("built with kubernetes"). A word of this list in a
// rephrasing must exist in the profile like any proper noun.
var techWords = map[string]bool{
	"go":   false, // too common an English word to flag when lower case
	"rust": true, "java": true, "kotlin": true, "scala": true, "python": true, "ruby": true,
	"javascript": true, "typescript": true, "php": true, "perl": true, "haskell": true, "elixir": true,
	"erlang": true, "swift": true, "csharp": true, "c++": true, "kubernetes": true, "docker": true,
	"terraform": true, "ansible": true, "kafka": true, "rabbitmq": true, "redis": true,
	"postgresql": true, "mysql": true, "mongodb": true, "cassandra": true, "elasticsearch": true,
	"graphql": true, "react": true, "angular": true, "vue": true, "django": true, "rails": true,
	"spring": true, "node.js": true, "grpc": true, "aws": true, "gcp": true, "azure": true,
	"spark": true, "hadoop": true, "airflow": true, "snowflake": true, "tensorflow": true,
	"pytorch": true, "linux": true, "prometheus": true, "grafana": true, "mssql": true,
	"amazon web services": true, "google cloud": true,
}

// allowedCapitalised are words a document may capitalise mid-sentence without
// the profile containing them: the pronoun I, letter conventions, months and
// days.
var allowedCapitalised = map[string]bool{
	"i": true, "i'm": true, "i've": true, "i'd": true, "i'll": true,
	"dear": true, "hiring": true, "manager": true, "team": true, "sincerely": true, "regards": true,
	"kind": true, "best": true, "yours": true, "thank": true, "mr": true, "ms": true, "mrs": true, "dr": true,
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true,
}

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

// normWord lower-cases a word, trims the punctuation around it and maps
// aliases to their canonical form.
func normWord(w string) string {
	w = strings.ToLower(trimPunct(w))
	if a, ok := aliases[w]; ok {
		return a
	}
	return w
}

// normPhrase normalises a phrase (an employer, a title, a skill): case,
// whitespace and aliases, word by word and as a whole.
func normPhrase(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if a, ok := aliases[s]; ok {
		return a
	}
	ws := strings.Fields(s)
	for i, w := range ws {
		ws[i] = normWord(w)
	}
	return strings.Join(ws, " ")
}

// trimPunct removes punctuation around a word but keeps inner marks, so that
// "Node.js," becomes "Node.js" and "(C++)" becomes "C++".
func trimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' && r != '#'
	})
}

// subwords splits a word on everything that is not a letter or digit, so that
// "CI/CD" is also known as "ci" and "cd", and "2019-03" as "2019" and "03".
func subwords(w string) []string {
	return strings.FieldsFunc(strings.ToLower(w), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// digitRuns returns the runs of digits in s with leading zeros removed, so
// that "03" and "3" are the same number.
func digitRuns(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			d := strings.TrimLeft(s[start:end], "0")
			if d == "" {
				d = "0"
			}
			out = append(out, d)
			start = -1
		}
	}
	for i, r := range s {
		if r >= '0' && r <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// sentence is a span of a text: a sentence with the whitespace after it.
type sentence struct {
	text string
}

// splitSentences cuts text after '.', '!' or '?' followed by whitespace, and
// at line breaks; joining the pieces gives the text back unchanged, so that a
// sentence can be dropped without disturbing the others.
func splitSentences(text string) []sentence {
	var out []sentence
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		end := -1
		switch {
		case r == '\n':
			end = next
		case r == '.' || r == '!' || r == '?':
			if next >= len(text) {
				end = next
			} else if nr, _ := utf8.DecodeRuneInString(text[next:]); unicode.IsSpace(nr) {
				end = next
			}
		}
		if end >= 0 {
			// Swallow the whitespace that follows the sentence, but stop
			// after a line break so paragraphs keep their shape.
			for end < len(text) {
				nr, ns := utf8.DecodeRuneInString(text[end:])
				if nr == '\n' || !unicode.IsSpace(nr) {
					if nr == '\n' && r != '\n' {
						end += ns
					}
					break
				}
				end += ns
			}
			out = append(out, sentence{text: text[start:end]})
			start = end
			i = end
			continue
		}
		i = next
	}
	if start < len(text) {
		out = append(out, sentence{text: text[start:]})
	}
	return out
}

// wordCount counts the whitespace-separated words of s.
func wordCount(s string) int { return len(strings.Fields(s)) }

// keywords returns the normalised content words of s with their counts.
func keywords(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(s) {
		n := normWord(w)
		if len([]rune(n)) < 2 && n != "c" && n != "r" {
			continue
		}
		if stopwords[n] || isNumber(n) {
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

// overlap scores text against the posting's keywords: the number of distinct
// keywords it shares, weighted by how often the posting uses them.
func overlap(text string, post map[string]int) int {
	score := 0
	for k := range keywords(text) {
		score += post[k]
	}
	return score
}

// phraseIn reports whether the normalised phrase occurs in the posting text
// (as whole words).
func phraseIn(phrase string, postText string) bool {
	p := " " + normPhrase(phrase) + " "
	return strings.Contains(postText, p)
}

// normText normalises a whole text word by word, padded with spaces so that
// phraseIn can match whole words.
func normText(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		ws[i] = normWord(w)
	}
	return " " + strings.Join(ws, " ") + " "
}

// profileText collects every string of a resume, the text the fabrication
// guard accepts claims from.
func profileText(r *jobpilot.Resume) string {
	var b strings.Builder
	add := func(ss ...string) {
		for _, s := range ss {
			if s != "" {
				b.WriteString(s)
				b.WriteString("\n")
			}
		}
	}
	bs := r.Basics
	add(bs.Name, bs.Label, bs.Email, bs.Phone, bs.URL, bs.Summary, bs.Location.City, bs.Location.Region,
		bs.Location.CountryCode, bs.Location.Address, bs.Location.PostalCode)
	for _, p := range bs.Profiles {
		add(p.Network, p.Username, p.URL)
	}
	for _, ws := range [][]jobpilot.Work{r.Work, r.Volunteer} {
		for _, w := range ws {
			add(w.Name, w.Position, w.Location, w.URL, w.StartDate, w.EndDate, w.Summary, w.Description)
			add(w.Highlights...)
		}
	}
	for _, e := range r.Education {
		add(e.Institution, e.URL, e.Area, e.StudyType, e.StartDate, e.EndDate, e.Score)
		add(e.Courses...)
	}
	for _, a := range r.Awards {
		add(a.Title, a.Date, a.Awarder, a.Summary)
	}
	for _, c := range r.Certificates {
		add(c.Name, c.Date, c.Issuer, c.URL)
	}
	for _, p := range r.Publications {
		add(p.Name, p.Publisher, p.ReleaseDate, p.URL, p.Summary)
	}
	for _, s := range r.Skills {
		add(s.Name, s.Level)
		add(s.Keywords...)
	}
	for _, l := range r.Languages {
		add(l.Language, l.Fluency)
	}
	for _, i := range r.Interests {
		add(i.Name)
		add(i.Keywords...)
	}
	for _, p := range r.Projects {
		add(p.Name, p.Description, p.StartDate, p.EndDate, p.URL)
		add(p.Highlights...)
		add(p.Keywords...)
		add(p.Roles...)
	}
	return b.String()
}

// sortedKeys returns m's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
