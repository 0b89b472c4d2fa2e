package llm

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// TemplateWriterName is the Name of the template writer, recorded on the
// documents it produces.
const TemplateWriterName = "template"

// TemplateWriter is the deterministic writer used when no LLM is configured.
// It never invents anything: it selects and orders the profile's own work
// entries, highlights, projects and skills by their overlap with the
// posting's keywords, and fills a fixed, carefully written cover letter with
// the company, the role and the strongest matching facts. The same profile
// and posting always give the same documents. Its output still passes the
// fabrication guard, as every writer's does.
type TemplateWriter struct {
	guard *Guard
}

// NewTemplateWriter returns the template writer, with an uncounted guard.
func NewTemplateWriter() jobpilot.Writer { return &TemplateWriter{guard: &Guard{}} }

// NewTemplateWriterWithGuard returns the template writer using guard g, so
// that its removals (there should be none) are counted.
func NewTemplateWriterWithGuard(g *Guard) *TemplateWriter {
	if g == nil {
		g = &Guard{}
	}
	return &TemplateWriter{guard: g}
}

// Name returns "template".
func (w *TemplateWriter) Name() string { return TemplateWriterName }

// Limits of the template resume.
const (
	maxWork       = 5
	minWork       = 2
	maxHighlights = 4
	maxProjects   = 3
)

type scored[T any] struct {
	item  T
	score int
	index int
}

// rank orders items by score, highest first, and by their profile order on
// ties, so the result is deterministic.
func rank[T any](items []T, score func(T) int) []scored[T] {
	out := make([]scored[T], len(items))
	for i, it := range items {
		out[i] = scored[T]{it, score(it), i}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out
}

// TailorResume selects and orders the profile's facts for the posting. Work
// entries that share keywords with the posting come first (at most five); at
// least two entries are kept, the most recent first by profile order, so a
// posting with no overlap still gets a sensible resume. Within an entry the
// matching highlights come first (at most four). Skills that the posting
// names lead their group, and groups with more matches come first. Education,
// certificates and languages are kept whole. It fails only when ctx is done
// or the profile is too thin for a coherent resume (a permanent error).
func (w *TemplateWriter) TailorResume(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting) (*jobpilot.Tailored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src := &p.Resume
	kw := postingKeywords(post)

	r := jobpilot.Resume{Basics: src.Basics}
	if strings.TrimSpace(r.Basics.Summary) == "" {
		r.Basics.Summary = fallbackSummary(src, kw)
	}

	works := rank(src.Work, func(x jobpilot.Work) int {
		return overlap(x.Position+" "+x.Summary+" "+strings.Join(x.Highlights, " "), kw)
	})
	for i, s := range works {
		if len(r.Work) >= maxWork || (s.score == 0 && i >= minWork) {
			continue
		}
		e := s.item
		e.Highlights = nil
		for _, h := range rank(s.item.Highlights, func(h string) int { return overlap(h, kw) }) {
			if len(e.Highlights) < maxHighlights {
				e.Highlights = append(e.Highlights, h.item)
			}
		}
		r.Work = append(r.Work, e)
	}
	// Keep the chosen entries in the profile's (chronological) order when
	// they tie, but show the strongest match first: readers expect the most
	// relevant role at the top of a tailored resume.

	for _, s := range rank(src.Projects, func(x jobpilot.Project) int {
		return overlap(x.Name+" "+x.Description+" "+strings.Join(x.Highlights, " ")+" "+strings.Join(x.Keywords, " "), kw)
	}) {
		if s.score > 0 && len(r.Projects) < maxProjects {
			r.Projects = append(r.Projects, s.item)
		}
	}

	postText := normText(postingText(post))
	for _, g := range rank(src.Skills, func(x jobpilot.Skill) int { return matchedSkills(x.Keywords, postText) }) {
		s := g.item
		kws := rank(s.Keywords, func(k string) int {
			if phraseIn(k, postText) {
				return 1
			}
			return 0
		})
		s.Keywords = make([]string, len(kws))
		for i, k := range kws {
			s.Keywords[i] = k.item
		}
		r.Skills = append(r.Skills, s)
	}

	r.Education = append(r.Education, src.Education...)
	r.Certificates = append(r.Certificates, src.Certificates...)
	r.Languages = append(r.Languages, src.Languages...)
	r.Awards = append(r.Awards, src.Awards...)
	r.Publications = append(r.Publications, src.Publications...)

	removals, err := w.guard.CheckResume(p, &r)
	if err != nil {
		return nil, fmt.Errorf("template writer: %w", err)
	}
	return &jobpilot.Tailored{Resume: r, Writer: TemplateWriterName, Removals: removals}, nil
}

func postingText(post *jobpilot.Posting) string {
	if post == nil {
		return ""
	}
	return post.Title + "\n" + post.Description
}

func postingKeywords(post *jobpilot.Posting) map[string]int {
	return keywords(postingText(post))
}

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
// in the profile's order of skill groups; when fewer match, it returns only
// those.
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

// fallbackSummary writes a one-sentence summary from the profile's own label
// (or latest position) and skills, for profiles without one.
func fallbackSummary(src *jobpilot.Resume, kw map[string]int) string {
	role := src.Basics.Label
	if role == "" && len(src.Work) > 0 {
		role = src.Work[0].Position
	}
	skills := src.SkillList()
	if len(skills) > 4 {
		skills = skills[:4]
	}
	switch {
	case role != "" && len(skills) > 0:
		return role + " with experience in " + joinList(skills) + "."
	case role != "":
		return role + "."
	case len(skills) > 0:
		return "Experience in " + joinList(skills) + "."
	}
	return ""
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

// Cover letter length bounds, in words.
const (
	LetterMinWords = 250
	LetterMaxWords = 350
)

// WriteCoverLetter fills the template letter: an opening that names the role
// and the company, the posting's point that best matches the candidate (the
// skills both mention), the strongest matching highlights of the tailored
// resume with their employers, education and a closing. Sentences are added in
// order of strength until the letter reaches 250 words and never past 350;
// sparse profiles are completed with general sentences about how the
// candidate works, which contain no facts. t may be nil (the letter then uses
// the profile as tailored by TailorResume).
func (w *TemplateWriter) WriteCoverLetter(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting, t *jobpilot.Tailored) (*jobpilot.CoverLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t == nil {
		var err error
		if t, err = w.TailorResume(ctx, p, post); err != nil {
			return nil, err
		}
	}
	text := composeLetter(p, post, &t.Resume)
	out, removals, err := w.guard.CheckCoverLetter(p, post, text)
	if err != nil {
		return nil, fmt.Errorf("template writer: %w", err)
	}
	return &jobpilot.CoverLetter{Text: out, Writer: TemplateWriterName, Removals: removals}, nil
}

func composeLetter(p *jobpilot.Profile, post *jobpilot.Posting, r *jobpilot.Resume) string {
	company, title := "your company", "open"
	if post != nil {
		company, title = post.Company, post.Title
	}
	role := p.Resume.Basics.Label
	if role == "" && len(r.Work) > 0 {
		role = r.Work[0].Position
	}
	if role == "" {
		role = "software professional"
	}
	top := TopSkills(p, post, 4)
	all := p.Resume.SkillList()

	opening := []string{fmt.Sprintf("I am writing to apply for the %s position at %s.", title, company)}
	if len(top) > 0 {
		opening = append(opening, fmt.Sprintf("Your posting's emphasis on %s caught my attention, because that is exactly the kind of work I have been doing and want to keep doing.", joinList(top)))
	} else {
		opening = append(opening, "The responsibilities described in your posting are close to the work I have been doing and want to keep doing.")
	}
	opening = append(opening, fmt.Sprintf("As a %s, I care about building software that is reliable, understandable and useful to the people who depend on it.", role))

	// Facts: the strongest highlights of the tailored resume, entry by entry.
	var facts []string
	for i, e := range r.Work {
		if len(e.Highlights) == 0 {
			if e.Summary != "" {
				facts = append(facts, fmt.Sprintf("At %s, where I worked as %s, my role was this: %s", e.Name, e.Position, endSentence(e.Summary)))
			}
			continue
		}
		h := endSentence(e.Highlights[0])
		intro := fmt.Sprintf("At %s, as %s, one result I am proud of is this: %s", e.Name, e.Position, h)
		if clause, ok := asClause(h); ok {
			intro = fmt.Sprintf("At %s, as %s, I %s", e.Name, e.Position, clause)
		}
		if i == 0 {
			when := "current"
			if e.EndDate != "" {
				when = "most recent"
			}
			intro = fmt.Sprintf("In my %s role as %s at %s, my work is directly relevant: %s", when, e.Position, e.Name, h)
			if clause, ok := asClause(h); ok {
				intro = fmt.Sprintf("In my %s role as %s at %s, I %s", when, e.Position, e.Name, clause)
			}
		}
		facts = append(facts, intro)
		for _, h := range e.Highlights[1:min(len(e.Highlights), 2)] {
			facts = append(facts, "I also "+lowerFirst(endSentence(h)))
		}
	}
	for _, pr := range r.Projects {
		if pr.Description != "" {
			facts = append(facts, fmt.Sprintf("Outside of my day job I maintain %s: %s", pr.Name, lowerFirst(endSentence(pr.Description))))
		}
	}
	if len(r.Education) > 0 {
		e := r.Education[0]
		deg := strings.TrimSpace(e.StudyType + " in " + e.Area)
		if e.Area == "" {
			deg = e.StudyType
		}
		if deg != "" {
			facts = append(facts, fmt.Sprintf("My %s from %s gave me a solid foundation for this work.", deg, e.Institution))
		}
	}
	if len(r.Certificates) > 0 {
		facts = append(facts, fmt.Sprintf("I also hold the %s certification.", r.Certificates[0].Name))
	}
	if len(all) > 0 && len(top) < len(all) {
		rest := []string{}
		for _, s := range all {
			if !containsPhrase(top, s) && len(rest) < 4 {
				rest = append(rest, s)
			}
		}
		if len(rest) > 0 {
			facts = append(facts, fmt.Sprintf("Beyond the skills your posting names, I bring hands-on experience with %s.", joinList(rest)))
		}
	}

	general := []string{
		"I like to understand a problem fully before I change a system, and I write down what I learn so that the next person does not have to rediscover it.",
		"I value small, reviewable changes, clear ownership and honest communication when something goes wrong.",
		"I enjoy working closely with colleagues from product, operations and support, because the best solutions usually come from those conversations.",
		"When I join a team, I start by listening, reading the code and the incident history, and then I look for the improvements that matter most to users.",
		"I am comfortable taking responsibility for services in production, including being on call, and I care about making that work calmer for everyone.",
		"I test my own work carefully, and I treat a failing test or an unclear error message as something worth fixing rather than working around.",
		"I prefer simple designs that can be explained on one page, and I am happy to change my mind when someone shows me a better approach.",
		"Reviewing code is part of the job I enjoy, both to learn from others and to share what I know without making anyone feel small.",
		"I measure before I optimise, and I make sure that the people who operate a system can see what it is doing.",
		"I am motivated by work that has a visible effect on customers, and I like to follow a change all the way to production and beyond.",
	}
	closing := fmt.Sprintf("I would welcome the chance to discuss how my experience can help %s. Thank you for your time and consideration.", company)
	signoff := "Sincerely,\n" + p.Resume.Basics.Name

	head := "Dear Hiring Manager,"
	count := func(paras ...[]string) int {
		n := wordCount(head) + wordCount(closing) + wordCount(signoff)
		for _, ps := range paras {
			for _, s := range ps {
				n += wordCount(s)
			}
		}
		return n
	}
	var body, extra []string
	for _, f := range facts {
		if count(opening, body, []string{f}) <= LetterMaxWords {
			body = append(body, f)
		}
	}
	for _, g := range general {
		if count(opening, body, extra) >= LetterMinWords+10 {
			break
		}
		if count(opening, body, extra, []string{g}) <= LetterMaxWords {
			extra = append(extra, g)
		}
	}

	var b strings.Builder
	b.WriteString(head + "\n\n")
	b.WriteString(strings.Join(opening, " ") + "\n\n")
	if len(body) > 0 {
		// Two paragraphs of facts read better than one long one.
		half := (len(body) + 1) / 2
		b.WriteString(strings.Join(body[:half], " ") + "\n\n")
		if len(body[half:]) > 0 {
			b.WriteString(strings.Join(body[half:], " ") + "\n\n")
		}
	}
	if len(extra) > 0 {
		b.WriteString(strings.Join(extra, " ") + "\n\n")
	}
	b.WriteString(closing + "\n\n" + signoff + "\n")
	return b.String()
}

// endSentence makes s end with a full stop.
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// lowerFirst lower-cases the first letter of a sentence joined to another,
// unless the first word looks like a name (an acronym or a mixed-case word
// such as "PostgreSQL" or "Go").
// asClause turns a highlight written the resume way, starting with a verb in
// the past tense ("Built a tracking service"), into the rest of a sentence
// after "I" ("built a tracking service"); false when it does not start so.
func asClause(h string) (string, bool) {
	first, _, _ := strings.Cut(h, " ")
	w := strings.ToLower(first)
	if !(strings.HasSuffix(w, "ed") && len(w) > 4) && !pastTense[w] {
		return "", false
	}
	return lowerFirst(h), true
}

// pastTense lists irregular verbs that open resume highlights.
var pastTense = map[string]bool{
	"built": true, "led": true, "ran": true, "wrote": true, "cut": true, "set": true, "made": true,
	"grew": true, "drove": true, "won": true, "took": true, "brought": true, "kept": true, "taught": true,
	"found": true, "shipped": true, "rewrote": true, "began": true, "oversaw": true, "spoke": true,
}

func lowerFirst(s string) string {
	ws := strings.SplitN(s, " ", 2)
	if len(ws) == 0 || ws[0] == "" {
		return s
	}
	w := ws[0]
	rest := w[1:]
	if strings.ToLower(rest) != rest || isAcronym(w) || techWords[normWord(w)] || normWord(w) == "go" {
		return s
	}
	ws[0] = strings.ToLower(w[:1]) + rest
	return strings.Join(ws, " ")
}
