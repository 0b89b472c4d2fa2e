package llm_test

import (
	"fmt"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// The guard checks each sentence of a letter against the facts it cites:
// fact 1 is Acme, the candidate's one job. A sentence that names what the
// profile does not say is removed and reported.
func Example_guard() {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ana Ruiz"},
		Work: []jobpilot.Work{{Name: "Acme", Position: "Developer", Highlights: []string{"Built internal tools in Python"}}}}}
	facts := guard.New(p)
	summary, removals := facts.Summary([]guard.Sentence{
		{Text: "At Acme I built internal tools in Python.", Facts: []int{1}},
		{Text: "I also led a team of 40 at Google.", Facts: []int{1}},
	})
	fmt.Println(summary)
	for _, r := range removals {
		fmt.Println(r.Kind, r.Value)
	}
	// Output:
	// At Acme I built internal tools in Python.
	// number 40
	// name Google
}
