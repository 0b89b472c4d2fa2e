package templatewriter

import (
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// general sentences complete a sparse letter. They are about how the
// candidate works and state no fact, so they cite none.
var general = []string{
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

// composeLetter writes the letter as paragraphs of cited sentences: an
// opening that names the role and the company and the skills both the
// posting and the candidate name, the strongest highlights of the tailored
// resume with their employers (two paragraphs), education, a certificate
// and the other skills, general sentences until the letter reaches 250
// words (never past 350), and a closing. Salutation and signature are the
// guard's frame.
func composeLetter(f *guard.Facts, p *jobpilot.Profile, post *jobpilot.Posting, r *jobpilot.Resume) [][]guard.Sentence {
	company, title := "your company", "open"
	if post != nil {
		company, title = post.Company, post.Title
	}
	top := TopSkills(p, post, 4)
	opening := openingSentences(f, p, r, title, company, top)
	facts := factSentences(f, p, r, top)
	closing := []guard.Sentence{{Text: fmt.Sprintf("I would welcome the chance to discuss how my experience can help %s. Thank you for your time and consideration.", company)}}

	frame := guard.WordCount(guard.Frame(p.Resume.Basics.Name, nil))
	count := func(groups ...[]guard.Sentence) int {
		n := frame
		for _, g := range groups {
			for _, s := range g {
				n += guard.WordCount(s.Text)
			}
		}
		return n
	}
	var body, extra []guard.Sentence
	for _, s := range facts {
		if count(opening, body, closing, []guard.Sentence{s}) <= guard.LetterMaxWords {
			body = append(body, s)
		}
	}
	for _, g := range general {
		if count(opening, body, extra, closing) >= guard.LetterMinWords+10 {
			break
		}
		s := guard.Sentence{Text: g}
		if count(opening, body, extra, closing, []guard.Sentence{s}) <= guard.LetterMaxWords {
			extra = append(extra, s)
		}
	}
	paras := [][]guard.Sentence{opening}
	if len(body) > 0 { // two paragraphs of facts read better than one long one
		half := (len(body) + 1) / 2
		paras = append(paras, body[:half])
		if len(body[half:]) > 0 {
			paras = append(paras, body[half:])
		}
	}
	if len(extra) > 0 {
		paras = append(paras, extra)
	}
	return append(paras, closing)
}

func openingSentences(f *guard.Facts, p *jobpilot.Profile, r *jobpilot.Resume, title, company string, top []string) []guard.Sentence {
	role := p.Resume.Basics.Label
	if role == "" && len(r.Work) > 0 {
		role = r.Work[0].Position
	}
	if role == "" {
		role = "software professional"
	}
	out := []guard.Sentence{{Text: fmt.Sprintf("I am writing to apply for the %s position at %s.", title, company)}}
	if len(top) > 0 {
		out = append(out, guard.Sentence{Text: fmt.Sprintf("Your posting's emphasis on %s caught my attention, because that is exactly the kind of work I have been doing and want to keep doing.", joinList(top))})
	} else {
		out = append(out, guard.Sentence{Text: "The responsibilities described in your posting are close to the work I have been doing and want to keep doing."})
	}
	if p.Resume.Basics.Label == "" && len(r.Work) > 0 {
		// The role is a job's title: cite that job.
		return append(out, guard.Sentence{Text: fmt.Sprintf("As a %s, I care about building software that is reliable, understandable and useful to the people who depend on it.", role),
			Facts: []int{workFact(f, p, r.Work[0])}})
	}
	return append(out, guard.Sentence{Text: fmt.Sprintf("As a %s, I care about building software that is reliable, understandable and useful to the people who depend on it.", role)})
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

// factSentences are the letter's facts, strongest first, each citing the
// entry it comes from.
func factSentences(f *guard.Facts, p *jobpilot.Profile, r *jobpilot.Resume, top []string) []guard.Sentence {
	var out []guard.Sentence
	for i, e := range r.Work {
		out = append(out, workSentences(i == 0, e, workFact(f, p, e))...)
	}
	for _, pr := range r.Projects {
		if pr.Description != "" {
			out = append(out, guard.Sentence{Text: fmt.Sprintf("Outside of my day job I maintain %s: %s", pr.Name, lowerFirst(endSentence(pr.Description))),
				Facts: []int{projectFact(f, p, pr)}})
		}
	}
	if len(r.Education) > 0 {
		e := r.Education[0]
		deg := strings.TrimSpace(e.StudyType + " in " + e.Area)
		if e.Area == "" {
			deg = e.StudyType
		}
		if deg != "" {
			out = append(out, guard.Sentence{Text: fmt.Sprintf("My %s from %s gave me a solid foundation for this work.", deg, e.Institution),
				Facts: []int{indexFact(f, guard.SectionEducation, p.Resume.Education, e, func(a, b jobpilot.Education) bool {
					return samePhrase(a.Institution, b.Institution) && a.StudyType == b.StudyType && a.Area == b.Area
				})}})
		}
	}
	if len(r.Certificates) > 0 {
		c := r.Certificates[0]
		out = append(out, guard.Sentence{Text: fmt.Sprintf("I also hold the %s certification.", c.Name),
			Facts: []int{indexFact(f, guard.SectionCertificate, p.Resume.Certificates, c, func(a, b jobpilot.Certificate) bool { return samePhrase(a.Name, b.Name) })}})
	}
	all := p.Resume.SkillList()
	var rest []string
	for _, s := range all {
		if !containsPhrase(top, s) && len(rest) < 4 {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 && len(top) < len(all) {
		out = append(out, guard.Sentence{Text: fmt.Sprintf("Beyond the skills your posting names, I bring hands-on experience with %s.", joinList(rest))})
	}
	return out
}

// workSentences introduce a job with its best highlight (as a clause after
// "I" when it reads as one) and add its second highlight.
func workSentences(first bool, e jobpilot.Work, id int) []guard.Sentence {
	cite := []int{id}
	if len(e.Highlights) == 0 {
		if e.Summary == "" {
			return nil
		}
		return []guard.Sentence{{Text: fmt.Sprintf("At %s, where I worked as %s, my role was this: %s", e.Name, e.Position, endSentence(e.Summary)), Facts: cite}}
	}
	h := endSentence(e.Highlights[0])
	clause, isClause := asClause(h)
	var intro string
	switch {
	case first:
		when := "current"
		if e.EndDate != "" {
			when = "most recent"
		}
		intro = fmt.Sprintf("In my %s role as %s at %s, my work is directly relevant: %s", when, e.Position, e.Name, h)
		if isClause {
			intro = fmt.Sprintf("In my %s role as %s at %s, I %s", when, e.Position, e.Name, clause)
		}
	case isClause:
		intro = fmt.Sprintf("At %s, as %s, I %s", e.Name, e.Position, clause)
	default:
		intro = fmt.Sprintf("At %s, as %s, one result I am proud of is this: %s", e.Name, e.Position, h)
	}
	out := []guard.Sentence{{Text: intro, Facts: cite}}
	for _, h := range e.Highlights[1:min(len(e.Highlights), 2)] {
		out = append(out, guard.Sentence{Text: "I also " + lowerFirst(endSentence(h)), Facts: cite})
	}
	return out
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
