package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
	"github.com/jobpilot/jobpilot/vocab"
)

// letterReply is the model's cover letter: paragraphs of cited sentences.
type letterReply struct {
	Paragraphs [][]sentence `json:"paragraphs"`
}

func (l *letterReply) validate() error {
	for _, p := range l.Paragraphs {
		for _, s := range p {
			if strings.TrimSpace(s.Text) != "" {
				return nil
			}
		}
	}
	return errors.New(`"paragraphs" has no sentence`)
}

func (l *letterReply) guardParagraphs() [][]guard.Sentence {
	out := make([][]guard.Sentence, len(l.Paragraphs))
	for i, p := range l.Paragraphs {
		out[i] = toGuard(p)
	}
	return out
}

// text is the letter as the model wrote it, framed, for the length check
// before the guard.
func (l *letterReply) text(name string) string {
	var paras []string
	for _, p := range l.Paragraphs {
		var ss []string
		for _, s := range p {
			ss = append(ss, s.Text)
		}
		paras = append(paras, strings.Join(ss, " "))
	}
	return guard.Frame(name, paras)
}

// WriteCoverLetter asks for the body of a letter of 250–350 words as
// paragraphs of sentences citing the profile's numbered facts, and builds
// the letter from the sentences the guard accepts, between a salutation and
// a signature written by code. A letter of the wrong length or that does
// not name the company and the role gets one revision request; the better of
// the two is kept. After the guard a letter over 350 words is cut at a
// sentence boundary; one under 250 words, or with more than
// guard.RejectAbove invented facts, is refused with a permanent error
// wrapping a *guard.Rejection. t is not sent: the model sees the profile's
// facts, which are the only ones the letter may use.
func (w *Writer) WriteCoverLetter(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting, t *jobpilot.Tailored) (*jobpilot.CoverLetter, error) {
	facts := guard.New(p)
	req := Request{Purpose: "cover_letter", Messages: messages(letterTask, p, facts, post), JSON: true,
		SchemaName: "cover_letter", Schema: letterSchema()}
	var reply letterReply
	exchange, err := w.ask(ctx, w.letter, req, &reply, reply.validate)
	if err != nil {
		return nil, fmt.Errorf("cover letter: %w", err)
	}
	name := p.Resume.Basics.Name
	if problems := letterProblems(reply.text(name), post); len(problems) > 0 {
		w.revise(ctx, req, exchange, problems, post, name, &reply)
	}
	text, removals, err := facts.Letter(post, reply.guardParagraphs())
	var rej *guard.Rejection
	if errors.As(err, &rej) {
		return nil, w.reject("cover letter", rej)
	}
	if err != nil {
		return nil, fmt.Errorf("cover letter: %w", err)
	}
	w.count(removals)
	return &jobpilot.CoverLetter{Text: text, Writer: w.Name(), Removals: removals}, nil
}

// revise makes the one revision request, as for malformed JSON, and keeps
// the revised letter only when it has fewer problems: a usable letter is not
// thrown away for its length (the guard caps it anyway).
func (w *Writer) revise(ctx context.Context, req Request, exchange []Message, problems []string, post *jobpilot.Posting, name string, reply *letterReply) {
	rev := req
	rev.Purpose = "cover_letter_revision"
	rev.Messages = append(exchange[:len(exchange):len(exchange)], Message{Role: "user", Content: revisionMessage(problems)})
	var revised letterReply
	content, err := w.call(ctx, w.letter, rev)
	if err == nil {
		err = decodeJSON(content, &revised, revised.validate)
	}
	switch {
	case err != nil:
		w.client.log.Warn("cover letter revision failed; keeping the first letter", "err", err)
	case len(letterProblems(revised.text(name), post)) < len(problems):
		*reply = revised
	default:
		w.client.log.Warn("cover letter revision did not fix it; keeping the first letter", "problems", problems)
	}
}

// letterProblems lists what a cover letter lacks: 250–350 words, the
// company's name and the role's title.
func letterProblems(text string, post *jobpilot.Posting) []string {
	var out []string
	if n := guard.WordCount(text); n < guard.LetterMinWords || n > guard.LetterMaxWords {
		out = append(out, fmt.Sprintf("it has %d words with the greeting and signature; it must have %d to %d",
			n, guard.LetterMinWords, guard.LetterMaxWords))
	}
	lower := strings.ToLower(text)
	if post.Company != "" && !strings.Contains(lower, strings.ToLower(post.Company)) {
		out = append(out, fmt.Sprintf("it must name the company, %s", post.Company))
	}
	if post.Title != "" && !strings.Contains(lower, strings.ToLower(post.Title)) {
		out = append(out, fmt.Sprintf("it must name the role, %s", post.Title))
	}
	return out
}

// revisionMessage asks once for a letter that fixes problems with the same
// facts.
func revisionMessage(problems []string) string {
	return "Revise the cover letter: " + strings.Join(problems, "; ") +
		". Use only the facts of the profile, citing them as before, and reply with the JSON object only."
}

// samePhrase compares names and skills up to case, spacing and aliases.
func samePhrase(a, b string) bool { return vocab.Canonical(a) == vocab.Canonical(b) }
