package llm_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/llm"
)

// The template writer needs no LLM: it orders the candidate's own facts by
// their overlap with the posting and fills a cover letter template.
func ExampleNewTemplateWriter() {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{
		Basics: jobpilot.Basics{Name: "Ana Ruiz", Label: "Backend Engineer"},
		Work: []jobpilot.Work{
			{Name: "Acme", Position: "Developer", StartDate: "2019", EndDate: "2021",
				Highlights: []string{"Built internal tools in Python"}},
			{Name: "Globex", Position: "Backend Engineer", StartDate: "2021",
				Highlights: []string{"Runs billing services in Go on PostgreSQL"}},
		},
		Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Python", "Go", "PostgreSQL"}}},
	}}
	post := &jobpilot.Posting{Company: "Initech", Title: "Go Engineer",
		Description: "You will build Go services on PostgreSQL."}

	w := llm.NewTemplateWriter()
	tr, _ := w.TailorResume(context.Background(), p, post)
	cl, _ := w.WriteCoverLetter(context.Background(), p, post, tr)
	fmt.Println(w.Name(), tr.Resume.Work[0].Name, tr.Resume.Skills[0].Keywords)
	fmt.Println(strings.SplitN(cl.Text, "\n", 2)[0])
	fmt.Println(strings.Contains(cl.Text, "Go Engineer position at Initech"))
	// Output:
	// template Globex [Go PostgreSQL Python]
	// Dear Hiring Manager,
	// true
}

// The guard removes what the profile does not support and says why.
func ExampleGuard_CheckCoverLetter() {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ana Ruiz"},
		Work: []jobpilot.Work{{Name: "Acme", Position: "Developer"}}}}
	letter := "I worked at Acme as a Developer. I also led a team of 40 at Google.\n" +
		strings.Repeat("I care about careful work and clear writing. ", 20)
	_, removals, err := (&llm.Guard{}).CheckCoverLetter(p, nil, letter)
	for _, r := range removals {
		fmt.Println(r.Value)
	}
	fmt.Println(err)
	// Output:
	// 40
	// Google
	// <nil>
}
