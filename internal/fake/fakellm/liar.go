package fakellm

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
)

// Modes of the default replies (Options.Mode).
const (
	ModeHonest = ""
	ModeLiar   = "liar"
)

// Lies are the facts the liar invents, as they may be found in a document
// that let them through: employers, schools, degrees, skills, titles and
// numbers in words. None is in any fixture profile; a test asserts that
// none reaches a rendered PDF or an email.
var Lies = []string{"Acme", "Globex", "Hooli", "Vandelay", "Stanford", "MIT", "Harvard", "PhD", "Ph.D", "M.Sc",
	"MBA", "Haskell", "Erlang", "Rust", "fifteen", "three hundred", "forty", "staff engineer", "Zurich", "script"}

// oversizedEvery makes about one liar reply in this many a 2 MB one.
const oversizedEvery = 5

// asksForLetter reports whether a request is for the cover letter (the
// current prompt asks for JSON "paragraphs"; the older one for plain text).
func asksForLetter(msgs []Message) bool {
	for _, m := range msgs {
		if strings.Contains(m.Content, `"paragraphs"`) {
			return true
		}
	}
	return false
}

// lie answers like a fluent model that invents facts on purpose: valid
// JSON in the requested shape, whose sentences name invented employers,
// schools, degrees, skills and numbers in every position, case and
// compound form ("Acme trusted me", "a phd from mit", "ex-Globex",
// "rust-based", "three hundred million"), with markup, citing wrong,
// repeated and negative fact numbers, and naming entries that do not
// exist. Replies alternate between brazen ones (every sentence a lie) and
// subtle ones (a few lies among the candidate's true facts, the kind a
// guard could remove and keep the rest); one in oversizedEvery is 2 MB.
func (s *Server) lie(msgs []Message, asJSON bool) string {
	s.mu.Lock()
	s.lies++
	s.mu.Unlock()
	p, _ := parseProfile(msgs)
	company, title := postingField(msgs, "Company"), postingField(msgs, "Title")
	// Which lie is told depends on the candidate, the posting and the
	// document, not on the order of calls: the same run lies the same way.
	h := fnv.New32a()
	fmt.Fprintf(h, "%s|%s|%v|%d", p.Name, company, asksForLetter(msgs) || !asJSON, len(msgs))
	n := int(h.Sum32() % 15)
	var out string
	switch {
	case asksForLetter(msgs) || !asJSON:
		paras := lyingParagraphs(p, company, title, n%3 == 0)
		if asJSON {
			b, _ := json.Marshal(map[string]any{"paragraphs": paras})
			out = string(b)
		} else {
			out = plainLetter(p.Name, paras)
		}
	default:
		out = lyingPlan(p, citedSummary(msgs), n%3 == 0)
	}
	if n%oversizedEvery == 0 {
		return oversized(out)
	}
	return out
}

// oversized pads a reply to 2 MB inside its own JSON (or text).
func oversized(reply string) string {
	pad := strings.Repeat("Acme and Globex trusted me with fifteen years of Haskell at MIT. ", 2<<20/64)
	if strings.HasPrefix(reply, "{") {
		return strings.TrimSuffix(reply, "}") + `,"notes":"` + pad + `"}`
	}
	return reply + "\n\n" + pad
}

func lyingPlan(p profile, cited, brazen bool) string {
	out := honestPlan(p)
	if !brazen {
		summary := []sentence{{Text: "I also hold a phd from mit.", Facts: []int{1, -2}}}
		if p.Summary != "" {
			summary = append([]sentence{{Text: p.Summary, Facts: []int{0}}}, summary...)
		}
		if len(out.Work) > 0 && len(out.Work[0].Highlights) > 0 {
			out.Work[0].Highlights[0].Text = "Led forty engineers at Hooli."
		}
		out.Work = append(out.Work, entry{Index: -1})
		out.Skills = append(out.Skills, "Haskell")
		return marshalPlan(out, summary, cited)
	}
	summary := []sentence{
		{Text: "Acme trusted me with its payment platform for fifteen years.", Facts: []int{1, 1, -3}},
		{Text: "i hold a phd from mit and an M.Sc. from Stanford University.", Facts: []int{999}},
		{Text: "As an ex-Globex staff engineer I shipped rust-based services to three hundred million users.", Facts: []int{2}},
		{Text: "<script>alert('Hooli')</script>**Expert** in Haskell/Erlang.", Facts: nil},
	}
	if p.Summary != "" {
		summary = append([]sentence{{Text: p.Summary, Facts: []int{0}}}, summary...)
	}
	for i := range out.Work {
		if len(out.Work[i].Highlights) > 0 {
			out.Work[i].Highlights[0].Text = "Led forty engineers at Hooli building Haskell pipelines in Zurich."
		}
	}
	out.Work = append(out.Work, entry{Index: -1}, entry{Index: 99}, entry{Index: 0, Highlights: []hl{{Index: 42, Text: "Founded Vandelay Industries."}}})
	out.Skills = append(out.Skills, "Haskell", "Rust", "PhD from MIT")
	out.Education = append(out.Education, 0, -1, 42)
	out.Certificates = append(out.Certificates, 7, 7)
	return marshalPlan(out, summary, cited)
}

func marshalPlan(out plan, summary []sentence, cited bool) string {
	if cited {
		out.Summary = summary
	} else {
		var texts []string
		for _, s := range summary {
			texts = append(texts, s.Text)
		}
		out.Summary = strings.Join(texts, " ")
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func lyingParagraphs(p profile, company, title string, brazen bool) [][]sentence {
	paras := honestParagraphs(p, company, title, false)
	works := p.section("work")
	first, other := 1, 2
	if len(works) > 0 {
		first = works[0].ID
	}
	if len(works) > 1 {
		other = works[1].ID
	}
	employer := "my last employer"
	if len(works) > 0 {
		employer = works[0].Employer
	}
	moved := "Kafka"
	if sk := p.skills(); len(sk) > 0 {
		moved = sk[len(sk)-1]
	}
	lies := [][]sentence{
		{
			{Text: "Globex and Acme both trusted me with their payment platforms for fifteen years.", Facts: []int{first, -1}},
			{Text: "i hold a phd from mit, an M.Sc. from Stanford and a harvard MBA.", Facts: []int{first, first, 999}},
		},
		{
			{Text: fmt.Sprintf("At %s I also led forty engineers as a staff engineer and ran %s clusters.", employer, moved), Facts: []int{other}},
			{Text: "<b>Rust</b>-based systems at ex-Hooli scale are my specialty; I cut costs by three hundred percent.", Facts: []int{-7}},
			{Text: "Before that I spent a decade at Vandelay Industries in Zurich.", Facts: []int{0, 0}},
		},
	}
	if !brazen { // a few lies among the true sentences
		paras[0] = append(paras[0][:1:1], append([]sentence{lies[0][0]}, paras[0][1:]...)...)
		last := len(paras) - 1
		paras[last] = append([]sentence{lies[1][2]}, paras[last]...)
		return paras
	}
	// Lies first, in every paragraph position, then the honest letter.
	return append([][]sentence{append(lies[0], paras[0]...)}, append(paras[1:], lies[1])...)
}
