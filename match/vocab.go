package match

import (
	"strings"

	"github.com/jobpilot/jobpilot/vocab"
)

// aliases groups the spellings of one skill, the canonical one first:
// matching any spelling in a posting counts as the skill. It is the table the
// fabrication guard uses too (vocab/aliases.txt), so the two never disagree.
var aliases = vocab.Groups()

// vocabulary is the set of technical terms looked for in work highlights,
// summaries and project descriptions, which are prose: "Built the billing
// service in Go on PostgreSQL" contributes Go and PostgreSQL; a posting that
// names only terms the candidate lacks ("PHP and MySQL") is told from one that
// names none. It is the shared list of technology names (vocab/tech.txt, the
// one the fabrication guard uses) plus a few practices that are not products;
// alias spellings are added from the alias table.
var vocabulary = append([]string{
	"Microservices", "Distributed Systems", "Observability", "SRE", "DevOps",
}, vocab.Tech()...)

// ambiguous spellings are everyday words too; they match only when written
// with a capital letter in the posting ("Go", "GO", not "go"). The list is
// the shared one (vocab/ambiguous.txt).
var ambiguous = ambiguousSet()

func ambiguousSet() map[string]bool {
	m := map[string]bool{}
	for _, w := range vocab.Tech() {
		if vocab.Ambiguous(w) {
			m[strings.ToLower(w)] = true
		}
	}
	for _, g := range vocab.Groups() {
		for _, sp := range g {
			if vocab.Ambiguous(sp) {
				m[strings.ToLower(sp)] = true
			}
		}
	}
	return m
}

// seniorityWords maps the words of job titles to a level.
var seniorityWords = map[string]string{
	"intern": "intern", "internship": "intern", "trainee": "intern",
	"junior": "junior", "jr": "junior", "graduate": "junior", "entry": "junior",
	"mid": "mid", "intermediate": "mid",
	"senior": "senior", "sr": "senior",
	"staff":     "staff",
	"lead":      "lead",
	"principal": "principal",
	"head":      "head",
	"director":  "director",
}

// titleSynonyms folds the ways one role is written into one word, so
// "Back-end Developer" and "Backend Engineer" compare equal.
var titleSynonyms = map[string]string{
	"developer": "engineer", "dev": "engineer", "programmer": "engineer", "swe": "engineer",
	"engineers": "engineer", "developers": "engineer",
	"sre": "reliability",
}

// titleStop are words that say nothing about the role itself.
var titleStop = map[string]bool{
	"and": true, "or": true, "of": true, "the": true, "a": true, "an": true, "for": true,
	"in": true, "at": true, "with": true, "to": true, "remote": true, "m": true, "f": true,
	"w": true, "d": true, "x": true, "all": true, "genders": true, "i": true, "ii": true, "iii": true,
}

// titleJoins folds split compound words before comparing titles.
var titleJoins = [][2]string{
	{"back end", "backend"}, {"front end", "frontend"}, {"full stack", "fullstack"},
	{"site reliability", "reliability"}, {"dev ops", "devops"},
}

// requirementHeads are words that mark the paragraph after them (or the
// paragraph they start) as requirements, which weigh more than the rest.
var requirementHeads = []string{
	"requirement", "requirements", "qualifications", "qualification", "must", "you have",
	"you bring", "you'll need", "what you need", "looking for", "skills", "tech stack", "stack",
	"about you", "experience",
}
