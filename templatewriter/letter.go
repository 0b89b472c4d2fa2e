package templatewriter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// general sentences complete a sparse letter. They are about how the
// candidate works and state no fact, so they cite none. Each opens with
// its own two words, so that any of them can follow any other, and those
// that open with "I" alternate with those that do not.
var general = []string{
	"I like to understand a problem fully before I change a system, and I write down what I learn so that the next person does not have to rediscover it.",
	"When I join a team, I start by listening, reading the code and the incident history, and then I look for the improvements that matter most to users.",
	"I value small, reviewable changes, clear ownership and honest communication when something goes wrong.",
	"Taking responsibility for what I deliver, including after it ships, matters to me, and I like to leave a system calmer than I found it.",
	"I enjoy working closely with colleagues from product, operations and support, because the best solutions usually come from those conversations.",
	"Reviewing the work of others is part of the job I enjoy, both to learn from them and to share what I know without making anyone feel small.",
	"I test my own work carefully, and I treat a failing test or an unclear error message as something worth fixing rather than working around.",
	"Work that has a visible effect on customers motivates me, and I like to follow a change all the way to production and beyond.",
	"I prefer simple designs that can be explained on one page, and I am happy to change my mind when someone shows me a better approach.",
	"I measure before I optimise, and I make sure that the people who depend on my work can see what it is doing.",
}

// composeLetter writes the letter as paragraphs of cited sentences: an
// opening that names the role, the company and the skills both the posting
// and the candidate name; the jobs of the tailored resume, most recent
// first, each with its strongest highlights (two paragraphs); a project,
// education, a certificate and the skills the posting does not name;
// general sentences until the letter reaches 250 words (never past 350);
// and a closing. Salutation and signature are the guard's frame.
//
// Every sentence is a whole sentence with "I" or "my" in it, no two
// sentences of a letter open with the same two words (see openers), and a
// job is called current only when it has no end date (docs/design-notes.md,
// "A template letter reads as a recruiter would").
func composeLetter(f *guard.Facts, p *jobpilot.Profile, post *jobpilot.Posting, r *jobpilot.Resume) [][]guard.Sentence {
	company, title := "your company", "open"
	if post != nil {
		company, title = post.Company, post.Title
	}
	used := openers{}
	top := TopSkills(p, post, 4)
	opening := openingSentences(used, f, p, r, title, company, top)
	closing := []guard.Sentence{{Text: fmt.Sprintf("I would welcome the chance to discuss how my experience can help %s. Thank you for your time and consideration.", company)}}
	used.take(closing[0].Text)
	jobs, others := factGroups(used, f, p, post, r, top)

	frame := guard.WordCount(guard.Frame(p.Resume.Basics.Name, nil))
	words := frame + countWords(opening) + countWords(closing)
	// Groups are taken whole, so a second sentence ("I also …") never loses
	// the sentence it follows.
	fits := func(g []guard.Sentence) bool {
		if words+countWords(g) > guard.LetterMaxWords {
			return false
		}
		words += countWords(g)
		return true
	}
	var jobParas [][]guard.Sentence
	for _, g := range jobs {
		if fits(g) {
			jobParas = append(jobParas, g)
		}
	}
	var rest []guard.Sentence
	for _, g := range others {
		if fits(g) {
			rest = append(rest, g...)
		}
	}
	var extra []guard.Sentence
	for _, g := range general {
		if words >= guard.LetterMinWords+10 {
			break
		}
		s := []guard.Sentence{{Text: g}}
		if !used.has(g) && fits(s) {
			used.take(g)
			extra = append(extra, s...)
		}
	}

	// Two paragraphs of facts read better than one long one: the first
	// holds the most recent jobs, the second the older ones and the rest,
	// split between jobs so that a job's sentences stay together.
	paras := [][]guard.Sentence{opening}
	total := len(rest)
	for _, g := range jobParas {
		total += len(g)
	}
	var first, second []guard.Sentence
	for _, g := range jobParas {
		if len(second) == 0 && (len(first) == 0 || 2*(len(first)+len(g)) <= total+1) {
			first = append(first, g...)
		} else {
			second = append(second, g...)
		}
	}
	second = append(second, rest...)
	for _, para := range [][]guard.Sentence{first, second, extra, closing} {
		if len(para) > 0 {
			paras = append(paras, para)
		}
	}
	return paras
}

func countWords(ss []guard.Sentence) int {
	n := 0
	for _, s := range ss {
		n += guard.WordCount(s.Text)
	}
	return n
}

func openingSentences(used openers, f *guard.Facts, p *jobpilot.Profile, r *jobpilot.Resume, title, company string, top []string) []guard.Sentence {
	out := []guard.Sentence{{Text: fmt.Sprintf("I am writing to apply for the %s position at %s.", title, company)}}
	if len(top) > 0 {
		out = append(out, guard.Sentence{Text: fmt.Sprintf("Your posting's emphasis on %s caught my attention, because that is exactly the kind of work I have been doing and want to keep doing.", skillList(top))})
	} else {
		out = append(out, guard.Sentence{Text: "The responsibilities described in your posting are close to the work I have been doing and want to keep doing."})
	}
	role, cite := p.Resume.Basics.Label, []int(nil)
	if role == "" && len(r.Work) > 0 && r.Work[0].Position != "" {
		// The role is a job's title: cite that job.
		role, cite = r.Work[0].Position, []int{workFact(f, p, r.Work[0])}
	}
	if role == "" {
		role = "software professional"
	}
	out = append(out, guard.Sentence{Text: fmt.Sprintf("As %s %s, I care about work that is reliable, understandable and useful to the people who depend on it.", article(role), role), Facts: cite})
	for _, s := range out {
		used.take(s.Text)
	}
	return out
}

// factGroups returns the letter's facts as groups of sentences: one group
// per job, most recent first, and then one per project, degree,
// certificate and the remaining skills.
func factGroups(used openers, f *guard.Facts, p *jobpilot.Profile, post *jobpilot.Posting, r *jobpilot.Resume, top []string) (jobs, others [][]guard.Sentence) {
	for i, e := range r.Work {
		var prev *jobpilot.Work
		if i > 0 {
			prev = &r.Work[i-1]
		}
		if g := workSentences(used, i == 0, prev, e, workFact(f, p, e)); len(g) > 0 {
			jobs = append(jobs, g)
		}
	}
	one := func(cite int, variants ...string) {
		if s, ok := used.pick(variants...); ok {
			others = append(others, []guard.Sentence{{Text: s, Facts: []int{cite}}})
		}
	}
	if len(r.Projects) > 0 {
		pr := r.Projects[0]
		verb := "maintain"
		if pr.EndDate != "" {
			verb = "worked on"
		}
		what := pr.Name
		if d := endSentence(pr.Description); startsWithArticle(d) {
			what += ", " + lowerFirst(d)
		} else if c, ok := clauseOf(firstOf(pr.Highlights), false); ok {
			what += ", where I " + c
		} else {
			what = endSentence(what)
		}
		one(projectFact(f, p, pr),
			fmt.Sprintf("In my own time, I %s %s", verb, what),
			fmt.Sprintf("Outside of work, I %s %s", verb, what))
	}
	if len(r.Education) > 0 {
		e := r.Education[0]
		deg := strings.TrimSpace(e.StudyType + " in " + e.Area)
		if e.Area == "" {
			deg = e.StudyType
		}
		if strings.TrimSpace(deg) != "" && e.Institution != "" {
			one(indexFact(f, guard.SectionEducation, p.Resume.Education, e, func(a, b jobpilot.Education) bool {
				return samePhrase(a.Institution, b.Institution) && a.StudyType == b.StudyType && a.Area == b.Area
			}), fmt.Sprintf("My %s from %s gave me a solid foundation for this work.", deg, institution(e.Institution)))
		}
	}
	if len(r.Certificates) > 0 {
		c := r.Certificates[0]
		name := c.Name
		if l := strings.ToLower(name); !strings.HasSuffix(l, "certification") && !strings.HasSuffix(l, "certificate") {
			name += " certification"
		}
		one(indexFact(f, guard.SectionCertificate, p.Resume.Certificates, c, func(a, b jobpilot.Certificate) bool { return samePhrase(a.Name, b.Name) }),
			fmt.Sprintf("I also hold the %s.", name),
			fmt.Sprintf("In addition, I hold the %s.", name))
	}
	// Only skills the posting does not name may follow "beyond the skills
	// your posting names".
	postText := normText(postingText(post))
	var rest []string
	for _, s := range p.Resume.SkillList() {
		if !phraseIn(s, postText) && !containsPhrase(rest, s) && len(rest) < 4 {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		list := skillList(rest)
		var s string
		var ok bool
		if len(top) > 0 {
			s, ok = used.pick(fmt.Sprintf("Beyond the skills your posting names, I bring hands-on experience with %s.", list))
		} else {
			s, ok = used.pick(fmt.Sprintf("I bring hands-on experience with %s.", list))
		}
		if ok {
			others = append(others, []guard.Sentence{{Text: s}})
		}
	}
	return jobs, others
}

// workSentences introduce a job, most recent first: the current job (no end
// date) in the present ("In my current role …"), a past one in the past,
// with its best highlight as a clause after "I" when one reads as such,
// and a second highlight when there is one. prev is the job introduced
// before, for "Before that" (said only when this job ended before prev
// began).
func workSentences(used openers, first bool, prev *jobpilot.Work, e jobpilot.Work, id int) []guard.Sentence {
	current := e.EndDate == ""
	var clauses []string
	for _, h := range e.Highlights {
		if c, ok := clauseOf(h, current); ok {
			clauses = append(clauses, c)
		}
	}
	if len(clauses) == 0 {
		if c, ok := clauseOf(firstSentence(e.Summary), current); ok {
			clauses = append(clauses, c)
		}
	}
	as := ""
	if e.Position != "" {
		as = " as " + e.Position
	}
	before := prev != nil && !current && prev.StartDate != "" && e.EndDate <= prev.StartDate
	var intro []string
	switch {
	case selfEmployed(e.Name):
		intro = freelanceIntro(e, clauses, current)
	case len(clauses) > 0 && current && first:
		intro = []string{
			fmt.Sprintf("In my current role%s at %s, I %s", as, e.Name, clauses[0]),
			fmt.Sprintf("Currently, I work%s at %s, where I %s", as, e.Name, clauses[0]),
		}
	case len(clauses) > 0 && current:
		intro = []string{
			fmt.Sprintf("I also currently work%s at %s, where I %s", as, e.Name, clauses[0]),
			fmt.Sprintf("At %s, where I currently work%s, I %s", e.Name, as, clauses[0]),
		}
	case len(clauses) > 0:
		intro = []string{
			fmt.Sprintf("At %s, where I worked%s, I %s", e.Name, as, clauses[0]),
			fmt.Sprintf("During my time at %s, I %s", e.Name, clauses[0]),
		}
		if before {
			intro = append([]string{fmt.Sprintf("Before that, at %s, I %s", e.Name, clauses[0])}, intro...)
		}
		if e.Position != "" {
			intro = append(intro, fmt.Sprintf("As %s at %s, I %s", e.Position, e.Name, clauses[0]))
		}
	case current:
		intro = []string{
			fmt.Sprintf("I currently work%s at %s.", as, e.Name),
			fmt.Sprintf("Currently, I also work%s at %s.", as, e.Name),
		}
	default:
		intro = []string{
			fmt.Sprintf("I worked%s at %s.", as, e.Name),
			fmt.Sprintf("Earlier, I worked%s at %s.", as, e.Name),
		}
		if before {
			intro = append([]string{fmt.Sprintf("Before that, I worked%s at %s.", as, e.Name)}, intro...)
		}
	}
	s, ok := used.pick(intro...)
	if !ok {
		return nil
	}
	cite := []int{id}
	out := []guard.Sentence{{Text: s, Facts: cite}}
	if len(clauses) > 1 {
		c := clauses[1]
		variants := []string{"I also " + c, "There, I also " + c, "In the same role, I " + c, "In addition, I " + c, "Among other things, I " + c}
		if selfEmployed(e.Name) {
			variants = slices.Delete(variants, 1, 2) // "there" needs a place
		}
		if s, ok := used.pick(variants...); ok {
			out = append(out, guard.Sentence{Text: s, Facts: cite})
		}
	}
	return out
}

// institution names a school in a sentence: "the University of Porto",
// but "Brno University of Technology" as it is.
func institution(name string) string {
	if strings.HasPrefix(name, "University of ") {
		return "the " + name
	}
	return name
}

// selfEmployed reports whether an employer's name says the candidate
// worked for themselves ("Freelance", "Self-employed"): "at Freelance"
// reads as a company.
func selfEmployed(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "freelance", "freelancer", "self-employed", "self employed", "independent", "independent contractor":
		return true
	}
	return false
}

// freelanceIntro introduces work for oneself without naming it as an
// employer.
func freelanceIntro(e jobpilot.Work, clauses []string, current bool) []string {
	role := "freelancer"
	if e.Position != "" {
		role = "freelance " + e.Position
	}
	switch {
	case len(clauses) > 0 && current:
		return []string{fmt.Sprintf("Currently, as %s %s, I %s", article(role), role, clauses[0])}
	case len(clauses) > 0:
		return []string{fmt.Sprintf("As %s %s, I %s", article(role), role, clauses[0]),
			fmt.Sprintf("Working as %s %s, I %s", article(role), role, clauses[0])}
	case current:
		return []string{fmt.Sprintf("I currently work as %s %s.", article(role), role)}
	}
	return []string{fmt.Sprintf("I worked as %s %s.", article(role), role)}
}

// workFact returns the fact ID of the profile entry e was copied from.
func workFact(f *guard.Facts, p *jobpilot.Profile, e jobpilot.Work) int {
	for i, w := range p.Resume.Work {
		if samePhrase(w.Name, e.Name) && samePhrase(w.Position, e.Position) && w.StartDate == e.StartDate {
			return f.ID(guard.SectionWork, i)
		}
	}
	return -1
}

func projectFact(f *guard.Facts, p *jobpilot.Profile, pr jobpilot.Project) int {
	return indexFact(f, guard.SectionProject, p.Resume.Projects, pr, func(a, b jobpilot.Project) bool { return samePhrase(a.Name, b.Name) })
}

func indexFact[T any](f *guard.Facts, section string, list []T, item T, same func(a, b T) bool) int {
	for i, x := range list {
		if same(x, item) {
			return f.ID(section, i)
		}
	}
	return -1
}

func containsPhrase(list []string, s string) bool {
	for _, l := range list {
		if samePhrase(l, s) {
			return true
		}
	}
	return false
}

// openers are the sentence openings a letter has used: its first two
// words, folded. A recruiter notices "I also … I also …"; a letter built
// with pick never opens two sentences alike.
type openers map[string]bool

// opener returns the first two words of s, lower-cased and without
// punctuation.
func opener(s string) string {
	ws := strings.Fields(s)
	for i := range ws {
		ws[i] = strings.ToLower(trimPunct(ws[i]))
	}
	return strings.Join(ws[:min(len(ws), 2)], " ")
}

func (u openers) has(s string) bool { return u[opener(s)] }
func (u openers) take(s string)     { u[opener(s)] = true }

// pick returns the first of the variants whose opener is still unused, and
// marks it used; false when every opener is taken.
func (u openers) pick(variants ...string) (string, bool) {
	for _, v := range variants {
		if !u.has(v) {
			u.take(v)
			return v, true
		}
	}
	return "", false
}
