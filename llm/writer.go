package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jobpilot/jobpilot"
)

// ErrMalformed is wrapped (as a permanent error) when the model's reply is
// still not valid tailoring JSON after the one repair request.
var ErrMalformed = errors.New("the model's reply was not valid JSON for the tailoring schema after one repair request")

// direct runs fn once, for callers without a policy.
type direct struct{}

func (direct) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// Writer is the LLM writer (jobpilot.Writer). The resume call runs under the
// resume executor (the guide: 3 retries 2 s → 30 s, 120 s per attempt) and
// the letter under the cover-letter executor (2 retries 1 s → 30 s, 60 s);
// both share the "openai" breaker, so an outage seen by one stops the other.
//
// TailorResume asks the model for indexes into the profile, never for facts:
// employers, titles, dates, degrees and certificates are copied from the
// profile entries it names; only the summary and optional rephrasings of the
// candidate's own highlights are the model's words, and the Guard checks
// them. A reply that is not valid JSON for the schema gets exactly one repair
// request; a second bad reply is a permanent error wrapping ErrMalformed —
// never a placeholder document.
type Writer struct {
	client         *Client
	resume, letter jobpilot.Executor
	guard          *Guard
}

// NewLLMWriter returns a writer using client, with the resume and cover
// letter executors (the resilience services "resume" and "cover_letter":
// retry around the shared "openai" breaker around the per-attempt timeout;
// nil: one attempt, no policy) and guard g (nil: a guard
// that counts nothing).
func NewLLMWriter(client *Client, resume, letter jobpilot.Executor, g *Guard) *Writer {
	if resume == nil {
		resume = direct{}
	}
	if letter == nil {
		letter = direct{}
	}
	if g == nil {
		g = &Guard{}
	}
	return &Writer{client: client, resume: resume, letter: letter, guard: g}
}

// Name returns "llm:<model>".
func (w *Writer) Name() string { return "llm:" + w.client.Model() }

// call runs one completion under ex and returns its content. The result is
// handed over under a lock: an attempt abandoned by a timeout may still be
// finishing when Do returns.
func (w *Writer) call(ctx context.Context, ex jobpilot.Executor, req Request) (string, error) {
	var (
		mu      sync.Mutex
		content string
	)
	err := ex.Do(ctx, func(ctx context.Context) error {
		resp, err := w.client.Complete(ctx, req)
		if err != nil {
			return err
		}
		mu.Lock()
		content = resp.Content
		mu.Unlock()
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	return content, err
}

// plan is the model's tailoring reply.
type plan struct {
	Summary      string      `json:"summary"`
	Work         []planEntry `json:"work"`
	Projects     []planEntry `json:"projects"`
	Skills       []string    `json:"skills"`
	Education    []int       `json:"education"`
	Certificates []int       `json:"certificates"`
}

type planEntry struct {
	Index      int             `json:"index"`
	Highlights []planHighlight `json:"highlights"`
}

type planHighlight struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
}

// parsePlan decodes and validates a reply. Code fences around the JSON, which
// some local models add despite JSON mode, are tolerated.
func parsePlan(content string, p *jobpilot.Profile) (*plan, error) {
	s := strings.TrimSpace(content)
	s = strings.TrimPrefix(s, "```json")
	s = strings.TrimPrefix(s, "```")
	s = strings.TrimSuffix(s, "```")
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	var pl plan
	if err := dec.Decode(&pl); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("unexpected text after the JSON object")
	}
	if strings.TrimSpace(pl.Summary) == "" {
		return nil, errors.New(`"summary" is missing or empty`)
	}
	if len(p.Resume.Work) > 0 && len(pl.Work) == 0 {
		return nil, errors.New(`"work" must list at least one work entry by index`)
	}
	return &pl, nil
}

// TailorResume writes the resume for post from p's facts. Errors: transient
// or circuit-open errors from the resume executor (after its retries), a
// permanent ErrMalformed, or a permanent ErrRejected from the guard.
func (w *Writer) TailorResume(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting) (*jobpilot.Tailored, error) {
	msgs := resumeMessages(p, post)
	req := Request{Purpose: "resume", Messages: msgs, JSON: true, SchemaName: "tailored_resume", Schema: tailoringSchema()}
	content, err := w.call(ctx, w.resume, req)
	if err != nil {
		return nil, fmt.Errorf("tailor resume: %w", err)
	}
	pl, perr := parsePlan(content, p)
	if perr != nil {
		// Exactly one repair request, showing the model its own reply.
		req.Purpose = "resume_repair"
		req.Messages = append(append([]Message(nil), msgs...),
			Message{Role: "assistant", Content: content},
			Message{Role: "user", Content: repairMessage(perr)})
		content, err = w.call(ctx, w.resume, req)
		if err != nil {
			return nil, fmt.Errorf("tailor resume (repair): %w", err)
		}
		if pl, perr = parsePlan(content, p); perr != nil {
			return nil, jobpilot.Permanent(fmt.Errorf("tailor resume: %w: %v", ErrMalformed, perr))
		}
	}
	rep := &report{g: w.guard}
	r := buildResume(rep, p, pl)
	built := rep.removals()
	more, err := w.guard.CheckResume(p, &r)
	removals := append(built, more...)
	if err != nil {
		return nil, fmt.Errorf("tailor resume: %w", err)
	}
	return &jobpilot.Tailored{Resume: r, Writer: w.Name(), Removals: removals}, nil
}

// buildResume assembles the tailored resume from the profile entries the
// plan names. Indexes out of range and unknown skills are reported as
// removals; the model's own words are only the summary and rephrasings.
func buildResume(rep *report, p *jobpilot.Profile, pl *plan) jobpilot.Resume {
	src := &p.Resume
	r := jobpilot.Resume{Basics: src.Basics, Languages: src.Languages}
	r.Basics.Summary = pl.Summary

	seen := map[int]bool{}
	for i, e := range pl.Work {
		f := fmt.Sprintf("work[%d]", i)
		if e.Index < 0 || e.Index >= len(src.Work) || seen[e.Index] {
			rep.add(KindEntry, f, fmt.Sprintf("index %d", e.Index), "work entry not in profile")
			continue
		}
		seen[e.Index] = true
		w := src.Work[e.Index]
		w.Highlights = pickHighlights(rep, f, src.Work[e.Index].Highlights, e.Highlights)
		r.Work = append(r.Work, w)
	}
	seen = map[int]bool{}
	for i, e := range pl.Projects {
		f := fmt.Sprintf("projects[%d]", i)
		if e.Index < 0 || e.Index >= len(src.Projects) || seen[e.Index] {
			rep.add(KindEntry, f, fmt.Sprintf("index %d", e.Index), "project not in profile")
			continue
		}
		seen[e.Index] = true
		pr := src.Projects[e.Index]
		pr.Highlights = pickHighlights(rep, f, src.Projects[e.Index].Highlights, e.Highlights)
		r.Projects = append(r.Projects, pr)
	}
	seen = map[int]bool{}
	for _, i := range pl.Education {
		if i < 0 || i >= len(src.Education) || seen[i] {
			rep.add(KindDegree, "education", fmt.Sprintf("index %d", i), "education entry not in profile")
			continue
		}
		seen[i] = true
		r.Education = append(r.Education, src.Education[i])
	}
	seen = map[int]bool{}
	for _, i := range pl.Certificates {
		if i < 0 || i >= len(src.Certificates) || seen[i] {
			rep.add(KindCertificate, "certificates", fmt.Sprintf("index %d", i), "certification not in profile")
			continue
		}
		seen[i] = true
		r.Certificates = append(r.Certificates, src.Certificates[i])
	}
	r.Skills = pickSkills(rep, src, pl.Skills)
	return r
}

func pickHighlights(rep *report, field string, src []string, picks []planHighlight) []string {
	var out []string
	seen := map[int]bool{}
	for _, h := range picks {
		if h.Index < 0 || h.Index >= len(src) || seen[h.Index] {
			rep.add(KindEntry, field+".highlights", fmt.Sprintf("index %d", h.Index), "highlight not in profile")
			continue
		}
		seen[h.Index] = true
		text := src[h.Index]
		if t := strings.TrimSpace(h.Text); t != "" {
			// A rephrasing may not bring a name or number that its own
			// sentence lacks, even one found elsewhere in the profile
			// ("12 services" moved to another job): the original is kept.
			// The guard then checks the result against the whole profile.
			if cs := newVocab(text).checkSentence(t); len(cs) > 0 {
				for _, c := range cs {
					rep.add(c.kind, field+".highlights", c.value, "rephrasing adds it to a highlight that does not say it; original kept")
				}
			} else {
				text = t
			}
		}
		out = append(out, text)
	}
	return out
}

// pickSkills groups the named skills under the profile's skill groups, in
// the order the model gave. Naming a group selects all its keywords.
func pickSkills(rep *report, src *jobpilot.Resume, names []string) []jobpilot.Skill {
	picked := map[int][]string{}
	var order []int
	have := map[string]bool{}
	add := func(g int, kw string) {
		if have[normPhrase(kw)] {
			return
		}
		have[normPhrase(kw)] = true
		if _, ok := picked[g]; !ok {
			order = append(order, g)
		}
		picked[g] = append(picked[g], kw)
	}
	for i, name := range names {
		found := false
		for g, s := range src.Skills {
			if samePhrase(s.Name, name) {
				found = true
				if len(s.Keywords) == 0 {
					add(g, s.Name)
				}
				for _, kw := range s.Keywords {
					add(g, kw)
				}
				break
			}
			for _, kw := range s.Keywords {
				if samePhrase(kw, name) {
					found = true
					add(g, kw) // the profile's spelling
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			rep.add(KindSkill, fmt.Sprintf("skills[%d]", i), name, "skill not in profile")
		}
	}
	var out []jobpilot.Skill
	for _, g := range order {
		s := src.Skills[g]
		if len(s.Keywords) == 0 {
			out = append(out, jobpilot.Skill{Name: s.Name, Level: s.Level})
			continue
		}
		out = append(out, jobpilot.Skill{Name: s.Name, Level: s.Level, Keywords: picked[g]})
	}
	return out
}

// WriteCoverLetter asks for a plain-text letter of 250–350 words and passes
// it through the guard. t is not sent: the model sees the profile's facts,
// which are the only ones the letter may use.
func (w *Writer) WriteCoverLetter(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting, t *jobpilot.Tailored) (*jobpilot.CoverLetter, error) {
	msgs := letterMessages(p, post)
	content, err := w.call(ctx, w.letter, Request{Purpose: "cover_letter", Messages: msgs})
	if err != nil {
		return nil, fmt.Errorf("cover letter: %w", err)
	}
	content = strings.TrimSpace(content)
	if problems := letterProblems(content, post); len(problems) > 0 {
		// One revision request, as for malformed JSON. The first letter stays
		// the answer when the revision fails or is no better: a usable letter
		// is not thrown away for its length.
		revision := append(msgs[:len(msgs):len(msgs)],
			Message{Role: "assistant", Content: content},
			Message{Role: "user", Content: revisionMessage(problems)})
		revised, rerr := w.call(ctx, w.letter, Request{Purpose: "cover_letter", Messages: revision})
		revised = strings.TrimSpace(revised)
		switch {
		case rerr != nil:
			w.client.log.Warn("cover letter revision failed; keeping the first letter", "err", rerr)
		case len(letterProblems(revised, post)) < len(problems):
			content = revised
		default:
			w.client.log.Warn("cover letter revision did not fix it; keeping the first letter", "problems", problems)
		}
	}
	text, removals, err := w.guard.CheckCoverLetter(p, post, content)
	if err != nil {
		return nil, fmt.Errorf("cover letter: %w", err)
	}
	return &jobpilot.CoverLetter{Text: text, Writer: w.Name(), Removals: removals}, nil
}

// letterProblems lists what a cover letter lacks: 250–350 words, the
// company's name and the role's title.
func letterProblems(text string, post *jobpilot.Posting) []string {
	var out []string
	if n := wordCount(text); n < LetterMinWords || n > LetterMaxWords {
		out = append(out, fmt.Sprintf("it has %d words; it must have %d to %d", n, LetterMinWords, LetterMaxWords))
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
		". Use only the facts of the profile, as before, and reply with the letter's text only."
}
