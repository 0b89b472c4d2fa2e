package guard

import (
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Salutation and closing of every cover letter: written by code, never by a
// model.
const (
	Salutation = "Dear Hiring Manager,"
	Closing    = "Sincerely,"
)

// Frame puts body paragraphs between the salutation and the closing signed
// with name.
func Frame(name string, paragraphs []string) string {
	var b strings.Builder
	b.WriteString(Salutation + "\n\n")
	for _, p := range paragraphs {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString(p + "\n\n")
		}
	}
	b.WriteString(Closing + "\n" + name + "\n")
	return b.String()
}

// Letter checks a cover letter for post written as paragraphs of cited
// sentences and returns its text, framed (Frame) with the candidate's name.
// Sentences with unsupported facts are removed; a letter over
// LetterMaxWords loses sentences from the end of its body until it fits. It
// is refused (a *Rejection) when it invented more than RejectAbove facts or
// has fewer than LetterMinWords words left.
func (f *Facts) Letter(post *jobpilot.Posting, paragraphs [][]Sentence) (string, []jobpilot.Removal, error) {
	rep := &report{}
	pst := newPosting(post)
	var body [][]string
	for _, para := range paragraphs {
		var kept []string
		for _, s := range f.prose(rep, "cover_letter", para, pst) {
			kept = append(kept, s.Text)
		}
		if len(kept) > 0 {
			body = append(body, kept)
		}
	}
	name := f.p.Resume.Basics.Name
	text := frameSentences(name, body)
	for WordCount(text) > LetterMaxWords && len(body) > 0 {
		k := len(body) - 1
		if len(body) >= 3 { // keep the closing paragraph; cut the one before it
			k = len(body) - 2
		}
		last := body[k][len(body[k])-1]
		rep.add(KindLength, "cover_letter", truncate(last, 60), fmt.Sprintf("the letter is over %d words; cut at a sentence boundary", LetterMaxWords))
		body[k] = body[k][:len(body[k])-1]
		if len(body[k]) == 0 {
			body = append(body[:k], body[k+1:]...)
		}
		text = frameSentences(name, body)
	}
	if n := Invented(rep.out); n > RejectAbove {
		return "", rep.out, &Rejection{Reason: fmt.Sprintf("the cover letter invented %d facts (more than %d)", n, RejectAbove), Removals: rep.out}
	}
	if n := WordCount(text); n < LetterMinWords {
		return "", rep.out, &Rejection{Reason: fmt.Sprintf("the cover letter has %d words (minimum %d) after removing %d claims",
			n, LetterMinWords, Invented(rep.out)), Removals: rep.out}
	}
	return text, rep.out, nil
}

func frameSentences(name string, body [][]string) string {
	paras := make([]string, len(body))
	for i, ss := range body {
		paras[i] = strings.Join(ss, " ")
	}
	return Frame(name, paras)
}

// VerifyLetter is the last check of a letter's text just before it is
// rendered, whichever writer wrote it: the text is made plain and every
// sentence is checked against the whole profile, the posting's company and
// role, and (in sentences that do not speak of the candidate) the posting's
// words. What fails is removed and reported.
func (f *Facts) VerifyLetter(post *jobpilot.Posting, text string) (string, []jobpilot.Removal) {
	rep := &report{}
	rep.markup("cover_letter", text)
	plain := Plain(text)
	pst := newPosting(post)
	var b strings.Builder
	for _, s := range Sentences(plain) {
		if strings.TrimSpace(s) == "" {
			b.WriteString(s)
			continue
		}
		if vs := f.checkIn(s, union{f.all}, false, pst, "", true); len(vs) > 0 {
			rep.violations("cover_letter", s, vs)
			if strings.HasSuffix(s, "\n") {
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(s)
	}
	return tidy(b.String()) + "\n", rep.out
}
