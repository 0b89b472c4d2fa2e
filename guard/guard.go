// Package guard is the fabrication guard: no generated document may claim
// what the candidate did not write (docs/design-notes.md, "Honest
// documents"). It imports only the standard library and the domain types,
// and both writers (the LLM writer and the template writer) run their
// output through it; the pipeline runs it once more on what it is about to
// render.
//
// It allows rather than blocks. Generated prose comes as sentences, each
// citing the profile facts it relies on (New numbers them); every
// fact-bearing word of a sentence must be found in the facts it cites:
// names of organisations, schools, products and places, titles, degrees and
// certifications, skills and technologies, dates, numbers and quantities in
// digits or in words, URLs and email addresses. A word is fact-bearing when
// it is a known technology, degree, title or name, when it is written as a
// name (capitalised inside a sentence, an acronym, mixed case), or simply
// when it is neither everyday English (vocab's word list) nor a word of the
// candidate's own prose. Words are compared after normalisation: case and
// position, hyphen and slash compounds part by part, possessives, spelled-out
// numbers, dotted or undotted acronyms and degrees, and the shared alias
// table. A cover letter may also name the posting's company and role, and
// a sentence that speaks of the employer (not of the candidate) may use the
// words of the posting phrase it quotes as the employer's need.
//
// A sentence with anything unsupported is removed whole, and each
// unsupported word is reported as a jobpilot.Removal. Text is made plain
// (Plain) before it is checked, so what is checked is what is rendered, and
// sizes are capped: a summary of at most three sentences, a letter of
// LetterMinWords to LetterMaxWords words, a rephrased highlight at most 1.5
// times the original. A draft left unusable is refused with a *Rejection,
// which carries what was removed so the caller can record it and fall back
// to the template writer.
package guard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Size caps.
const (
	LetterMinWords   = 250
	LetterMaxWords   = 350
	SummarySentences = 3
)

// RejectAbove is the number of invented facts above which a whole draft
// is unusable: a writer that invents that much is not trusted with the rest.
const RejectAbove = 10

// ErrRejected is matched (errors.Is) by every *Rejection.
var ErrRejected = errors.New("draft rejected by the fabrication guard")

// Rejection is the error of a draft the guard found unusable: too short
// once its invented sentences were removed, with too many invented facts,
// or with nothing left of a required part. Removals are what the guard took
// out before giving up, for the record.
type Rejection struct {
	Reason   string
	Removals []jobpilot.Removal
}

func (r *Rejection) Error() string { return ErrRejected.Error() + ": " + r.Reason }

// Is makes errors.Is(err, ErrRejected) and errors.Is(err,
// jobpilot.ErrUnusableDraft) true.
func (r *Rejection) Is(target error) bool {
	return target == ErrRejected || target == jobpilot.ErrUnusableDraft
}

// Sentence is one sentence (or a few) of generated prose with the IDs of the
// facts it relies on and, in a cover letter, the posting phrase it answers.
type Sentence struct {
	Text  string `json:"text"`
	Facts []int  `json:"facts"`
	Need  string `json:"need,omitempty"`
}

// Invented counts the distinct facts (by value, ignoring case) the removals
// took out: every kind but KindLength, which is a size cut. A name repeated
// in three sentences is one invented fact.
func Invented(rs []jobpilot.Removal) int {
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Kind != KindLength {
			seen[strings.ToLower(strings.TrimSpace(r.Value))] = true
		}
	}
	return len(seen)
}

// report collects removals.
type report struct{ out []jobpilot.Removal }

func (r *report) add(kind, field, value, reason string) {
	r.out = append(r.out, jobpilot.Removal{Kind: kind, Field: field, Value: value, Reason: reason})
}

func (r *report) violations(field, sentence string, vs []violation) {
	for _, v := range vs {
		r.add(v.kind, field, v.value, reasonFor(v.kind)+"; removed: "+quoteShort(sentence))
	}
}

func reasonFor(kind string) string {
	switch kind {
	case KindNumber:
		return "number not in the cited facts"
	case KindSkill:
		return "skill not in the cited facts"
	case KindDegree:
		return "degree not in the cited facts"
	case KindTitle:
		return "title not in the cited facts"
	case KindLink:
		return "link not in the profile"
	case KindWord:
		return "word neither everyday English nor the candidate's"
	}
	return "name not in the cited facts"
}

// markup records tags and control characters that Plain took out of raw.
func (r *report) markup(field, raw string) {
	if m := anyTag.FindString(raw); m != "" {
		r.add(KindMarkup, field, truncate(m, 40), "markup removed from generated text")
		return
	}
	for _, ch := range raw {
		if ch != '\n' && ch != '\t' && ch != '\r' && (ch < 0x20 || ch == 0x7f || ch >= 0x200b && ch <= 0x200f || ch >= 0x202a && ch <= 0x202e) {
			r.add(KindMarkup, field, fmt.Sprintf("U+%04X", ch), "control character removed from generated text")
			return
		}
	}
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// prose checks sentences against their citations: each is made plain, and
// kept or removed whole. post is nil outside a cover letter.
func (f *Facts) prose(rep *report, field string, ss []Sentence, post *posting) []Sentence {
	var kept []Sentence
	for _, s := range ss {
		rep.markup(field, s.Text)
		text := strings.Join(strings.Fields(Plain(s.Text)), " ")
		if text == "" {
			continue
		}
		if vs := f.check(text, s.Facts, post, s.Need); len(vs) > 0 {
			rep.violations(field, text, vs)
			continue
		}
		s.Text = text
		kept = append(kept, s)
	}
	return kept
}
