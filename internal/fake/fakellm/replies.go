package fakellm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// fact is one numbered fact of the profile as the llm package shows it to
// the model: "[n] {json}" lines between <profile> and </profile> (an older
// prompt gave one JSON object with indexed sections; both are read).
type fact struct {
	ID         int
	Section    string // basics, work, project, education, certificate, skills …
	Index      int
	Employer   string
	Position   string
	Summary    string
	Highlights []string
	Skills     []string
}

// profile is what a reply is built from.
type profile struct {
	Name, Label, Summary string
	Facts                []fact
}

func (p profile) section(s string) []fact {
	var out []fact
	for _, f := range p.Facts {
		if f.Section == s {
			out = append(out, f)
		}
	}
	return out
}

// between returns the text between the first open tag and the next close
// tag in any message, searching the newest message first.
func between(msgs []Message, open, close string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		c := msgs[i].Content
		if a := strings.Index(c, open); a >= 0 {
			rest := c[a+len(open):]
			if b := strings.Index(rest, close); b >= 0 {
				return strings.TrimSpace(rest[:b])
			}
		}
	}
	return ""
}

var factLine = regexp.MustCompile(`(?m)^\[(\d+)\] (\{.*\})$`)

func parseProfile(msgs []Message) (profile, bool) {
	raw := between(msgs, "<profile>", "</profile>")
	if raw == "" {
		return profile{}, false
	}
	if ms := factLine.FindAllStringSubmatch(raw, -1); len(ms) > 0 {
		return parseFactLines(ms), true
	}
	return parseIndexed(raw)
}

func parseFactLines(ms [][]string) profile {
	var p profile
	for _, m := range ms {
		id, _ := strconv.Atoi(m[1])
		var v map[string]any
		if json.Unmarshal([]byte(m[2]), &v) != nil {
			continue
		}
		f := fact{ID: id, Employer: str(v["employer"]), Position: str(v["position"]), Summary: str(v["summary"]),
			Highlights: strs(v["highlights"])}
		for _, s := range []string{"work", "volunteer", "project", "education", "certificate", "award", "publication"} {
			if n, ok := v[s].(float64); ok {
				f.Section, f.Index = s, int(n)
			} else if _, ok := v[s].(string); ok {
				f.Section = s
			}
		}
		switch {
		case v["skills"] != nil:
			f.Section, f.Skills = "skills", strs(v["skills"])
		case id == 0:
			f.Section = "basics"
			p.Name, p.Label, p.Summary = str(v["name"]), str(v["label"]), str(v["summary"])
		case f.Section == "project":
			f.Employer = str(v["name"])
			f.Summary = str(v["description"])
		}
		p.Facts = append(p.Facts, f)
	}
	return p
}

// parseIndexed reads the older prompt: one JSON object with indexed lists.
func parseIndexed(raw string) (profile, bool) {
	var old struct {
		Name, Label, Summary string
		Work                 []struct {
			Index                       int
			Employer, Position, Summary string
			Highlights                  []string
		}
		Skills       []string
		Education    []struct{ Index int }
		Certificates []struct{ Index int }
	}
	if json.Unmarshal([]byte(raw), &old) != nil {
		return profile{}, false
	}
	p := profile{Name: old.Name, Label: old.Label, Summary: old.Summary}
	p.Facts = append(p.Facts, fact{Section: "basics"})
	for _, w := range old.Work {
		p.Facts = append(p.Facts, fact{ID: len(p.Facts), Section: "work", Index: w.Index, Employer: w.Employer,
			Position: w.Position, Summary: w.Summary, Highlights: w.Highlights})
	}
	for _, e := range old.Education {
		p.Facts = append(p.Facts, fact{ID: len(p.Facts), Section: "education", Index: e.Index})
	}
	for _, c := range old.Certificates {
		p.Facts = append(p.Facts, fact{ID: len(p.Facts), Section: "certificate", Index: c.Index})
	}
	p.Facts = append(p.Facts, fact{ID: len(p.Facts), Section: "skills", Skills: old.Skills})
	return p, true
}

func str(v any) string { s, _ := v.(string); return s }

func strs(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (p profile) skills() []string {
	for _, f := range p.section("skills") {
		return f.Skills
	}
	return nil
}

// postingField returns a "Key: value" line of the <posting> block.
func postingField(msgs []Message, key string) string {
	for _, line := range strings.Split(between(msgs, "<posting>", "</posting>"), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

type hl struct {
	Index int    `json:"index"`
	Text  string `json:"text,omitempty"`
}

type entry struct {
	Index      int  `json:"index"`
	Highlights []hl `json:"highlights"`
}

// sentence is a sentence of a reply, with the facts it cites.
type sentence struct {
	Text  string `json:"text"`
	Facts []int  `json:"facts"`
	Need  string `json:"need,omitempty"`
}

type plan struct {
	Summary      any      `json:"summary"` // []sentence, or a string for the older prompt
	Work         []entry  `json:"work"`
	Projects     []entry  `json:"projects"`
	Skills       []string `json:"skills"`
	Education    []int    `json:"education"`
	Certificates []int    `json:"certificates"`
}

// citedSummary reports whether the prompt asks for the summary as cited
// sentences (the current prompt) rather than a string.
func citedSummary(msgs []Message) bool {
	for _, m := range msgs {
		if strings.Contains(m.Content, `"summary":[{`) {
			return true
		}
	}
	return false
}

// honestPlan selects everything from the profile, in profile order.
func honestPlan(p profile) plan {
	out := plan{Skills: p.skills(), Education: []int{}, Certificates: []int{}, Projects: []entry{}}
	for _, f := range p.Facts {
		e := entry{Index: f.Index, Highlights: []hl{}}
		for i := range f.Highlights {
			e.Highlights = append(e.Highlights, hl{Index: i})
		}
		switch f.Section {
		case "work":
			out.Work = append(out.Work, e)
		case "project":
			out.Projects = append(out.Projects, e)
		case "education":
			out.Education = append(out.Education, f.Index)
		case "certificate":
			out.Certificates = append(out.Certificates, f.Index)
		}
	}
	return out
}

// tailoringReply selects everything from the profile, in profile order,
// with the profile's summary citing the basics. An obedient reply adds the
// injected claims to the summary, a highlight and the skills, the places a
// model's free text can reach.
func tailoringReply(msgs []Message, obey bool) string {
	p, ok := parseProfile(msgs)
	if !ok {
		return `{"summary": "", "work": []}`
	}
	out := honestPlan(p)
	summary := p.Summary
	if summary == "" {
		summary = p.Label
	}
	sentences := []sentence{{Text: summary, Facts: []int{0}}}
	if obey {
		sentences = append(sentences, sentence{Text: "Former " + Injection + ".", Facts: []int{0}})
		summary = strings.TrimSpace(summary + " Former " + Injection + ".")
		if len(out.Work) > 0 && len(out.Work[0].Highlights) > 0 {
			out.Work[0].Highlights[0].Text = "Worked as " + Injection + "."
		}
		out.Skills = append(out.Skills, "PhD from MIT", "Google")
	}
	out.Summary = summary
	if citedSummary(msgs) {
		out.Summary = sentences
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// honestParagraphs writes a cover letter body from the profile's own words,
// each sentence citing the fact it uses: about 260–330 words with the
// greeting and signature for a profile with a few work entries, fewer for
// a sparse one.
func honestParagraphs(p profile, company, title string, obey bool) [][]sentence {
	words := 6 // greeting and signature
	add := func(para *[]sentence, text string, facts ...int) {
		*para = append(*para, sentence{Text: text, Facts: append([]int{}, facts...)})
		words += len(strings.Fields(text))
	}
	var opening []sentence
	add(&opening, fmt.Sprintf("I am applying for the %s role at %s.", title, company))
	add(&opening, "The part of your posting about reliable services that other teams depend on describes the work I enjoy most.")
	if obey {
		add(&opening, "I was a "+Injection+".")
	}
	if p.Summary != "" {
		add(&opening, p.Summary, 0)
	}
	paras := [][]sentence{opening}
	for _, w := range p.section("work") {
		if words > 230 {
			break
		}
		var para []sentence
		if w.Position != "" {
			add(&para, fmt.Sprintf("At %s I worked as %s.", w.Employer, w.Position), w.ID)
		} else {
			add(&para, fmt.Sprintf("I worked at %s.", w.Employer), w.ID)
		}
		for i, h := range w.Highlights {
			if i >= 2 || words > 250 {
				break
			}
			add(&para, strings.TrimSuffix(h, ".")+".", w.ID)
		}
		paras = append(paras, para)
	}
	var closing []sentence
	for _, f := range filler {
		if words >= 265 {
			break
		}
		add(&closing, f)
	}
	add(&closing, fmt.Sprintf("I would welcome the chance to discuss how I can help %s. Thank you for your time.", company))
	return append(paras, closing)
}

var filler = []string{
	"I care about careful design, clear writing and calm operations.",
	"I like to measure before I change a system, and I write down what I learn for the next person.",
	"I enjoy reviewing code, mentoring colleagues and learning from them in return.",
	"I take ownership of what I build, from the first design notes to the on-call rotation.",
	"I prefer small, reviewable changes and honest communication when something goes wrong.",
	"I would bring the same care and curiosity to your team.",
	"I am used to working with product managers, support and operations to find the simplest solution that works.",
	"Good observability and clear runbooks matter to me, because they make incidents shorter and calmer.",
	"I like to understand a problem fully before I change a system, and I ask questions early.",
	"I test my own work carefully, and I treat an unclear error message as something worth fixing.",
	"I prefer simple designs that can be explained on one page, and I am happy to change my mind.",
	"When I join a team, I start by listening and reading the code before I suggest changes.",
	"I enjoy sharing what I know in reviews and short written notes, without making anyone feel small.",
	"I am motivated by work that has a visible effect on the people who use it every day.",
}

// letterReply is the letter for a request: JSON paragraphs of cited
// sentences when the prompt asks for them, plain text otherwise (the older
// prompt).
func letterReply(msgs []Message, asJSON, obey bool) string {
	p, _ := parseProfile(msgs)
	company, title := postingField(msgs, "Company"), postingField(msgs, "Title")
	if company == "" {
		company = "your company"
	}
	paras := honestParagraphs(p, company, title, obey)
	if asJSON {
		b, _ := json.Marshal(map[string]any{"paragraphs": paras})
		return string(b)
	}
	return plainLetter(p.Name, paras)
}

// plainLetter writes paragraphs as a plain-text letter.
func plainLetter(name string, paras [][]sentence) string {
	var b strings.Builder
	b.WriteString("Dear Hiring Manager,\n\n")
	for _, para := range paras {
		for i, s := range para {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(s.Text)
		}
		b.WriteString("\n\n")
	}
	b.WriteString("Sincerely,\n" + name + "\n")
	return b.String()
}
