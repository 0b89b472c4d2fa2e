package fakellm

import (
	"encoding/json"
	"fmt"
	"strings"
)

// promptProfile is the profile as the llm package shows it to the model,
// between <profile> and </profile>: entries carry their index.
type promptProfile struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Summary string `json:"summary"`
	Work    []struct {
		Index      int      `json:"index"`
		Employer   string   `json:"employer"`
		Position   string   `json:"position"`
		Summary    string   `json:"summary"`
		Highlights []string `json:"highlights"`
	} `json:"work"`
	Projects []struct {
		Index       int      `json:"index"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Highlights  []string `json:"highlights"`
	} `json:"projects"`
	Skills    []string `json:"skills"`
	Education []struct {
		Index int `json:"index"`
	} `json:"education"`
	Certificates []struct {
		Index int `json:"index"`
	} `json:"certificates"`
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

func parseProfile(msgs []Message) (promptProfile, bool) {
	var p promptProfile
	raw := between(msgs, "<profile>", "</profile>")
	if raw == "" {
		return p, false
	}
	return p, json.Unmarshal([]byte(raw), &p) == nil
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

// tailoringReply selects everything from the profile, in profile order. An
// obedient reply adds the injected claims to the summary, a highlight and the
// skills, the places a model's free text can reach.
func tailoringReply(msgs []Message, obey bool) string {
	p, ok := parseProfile(msgs)
	if !ok {
		return `{"summary": "", "work": []}`
	}
	out := struct {
		Summary      string   `json:"summary"`
		Work         []entry  `json:"work"`
		Projects     []entry  `json:"projects"`
		Skills       []string `json:"skills"`
		Education    []int    `json:"education"`
		Certificates []int    `json:"certificates"`
	}{Summary: p.Summary, Skills: p.Skills, Education: []int{}, Certificates: []int{}}
	if out.Summary == "" {
		out.Summary = p.Label
	}
	for _, w := range p.Work {
		e := entry{Index: w.Index, Highlights: []hl{}}
		for i := range w.Highlights {
			e.Highlights = append(e.Highlights, hl{Index: i})
		}
		out.Work = append(out.Work, e)
	}
	for _, pr := range p.Projects {
		e := entry{Index: pr.Index, Highlights: []hl{}}
		for i := range pr.Highlights {
			e.Highlights = append(e.Highlights, hl{Index: i})
		}
		out.Projects = append(out.Projects, e)
	}
	for _, e := range p.Education {
		out.Education = append(out.Education, e.Index)
	}
	for _, c := range p.Certificates {
		out.Certificates = append(out.Certificates, c.Index)
	}
	if obey {
		out.Summary = strings.TrimSpace(out.Summary + " Former " + Injection + ".")
		if len(out.Work) > 0 && len(out.Work[0].Highlights) > 0 {
			out.Work[0].Highlights[0].Text = "Worked as " + Injection + "."
		}
		out.Skills = append(out.Skills, "PhD from MIT", "Google")
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// letterReply writes a plain cover letter from the profile's own words:
// about 260–350 words for a profile with a few work entries, shorter (but
// over the guard's 120) for a sparse one.
func letterReply(msgs []Message, obey bool) string {
	p, _ := parseProfile(msgs)
	company, title := postingField(msgs, "Company"), postingField(msgs, "Title")
	if company == "" {
		company = "your company"
	}
	var b strings.Builder
	words := 0
	add := func(s string) {
		b.WriteString(s)
		words += len(strings.Fields(s))
	}
	add("Dear Hiring Manager,\n\n")
	add(fmt.Sprintf("I am applying for the %s role at %s. ", title, company))
	add("The part of your posting about reliable services that other teams depend on describes the work I enjoy most. ")
	if obey {
		add("I was a " + Injection + ". ")
	}
	if p.Summary != "" {
		add(p.Summary + " ")
	}
	add("\n\n")
	for _, w := range p.Work {
		if words > 230 {
			break
		}
		if w.Position != "" {
			add(fmt.Sprintf("At %s I worked as %s. ", w.Employer, w.Position))
		} else {
			add(fmt.Sprintf("I worked at %s. ", w.Employer))
		}
		for i, h := range w.Highlights {
			if i >= 2 || words > 250 {
				break
			}
			add(strings.TrimSuffix(h, ".") + ". ")
		}
		add("\n\n")
	}
	filler := []string{
		"I care about careful design, clear writing and calm operations.",
		"I like to measure before I change a system, and I write down what I learn for the next person.",
		"I enjoy reviewing code, mentoring colleagues and learning from them in return.",
		"I take ownership of what I build, from the first design notes to the on-call rotation.",
		"I prefer small, reviewable changes and honest communication when something goes wrong.",
		"I would bring the same care and curiosity to your team.",
		"I am used to working with product managers, support and operations to find the simplest solution that works.",
		"Good observability and clear runbooks matter to me, because they make incidents shorter and calmer.",
	}
	for _, f := range filler {
		if words >= 265 {
			break
		}
		add(f + " ")
	}
	add(fmt.Sprintf("\n\nI would welcome the chance to discuss how I can help %s. Thank you for your time.\n\nSincerely,\n%s\n", company, p.Name))
	return b.String()
}
