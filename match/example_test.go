package match_test

import (
	"fmt"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/match"
)

// A profile is compiled once; each posting is then scored with the reasons
// for and against it.
func ExampleNewScorer() {
	profile := &jobpilot.Profile{
		Resume: jobpilot.Resume{Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "PostgreSQL", "Kubernetes"}}}},
		Preferences: jobpilot.Preferences{
			TargetTitles: []string{"Backend Engineer"},
			Remote:       jobpilot.RemoteOnly,
		},
	}
	s := match.NewScorer(profile)

	remote := s.Score(&jobpilot.Posting{
		Company: "Acme", Title: "Backend Engineer (Go)", Remote: true,
		Description: "Requirements\n\nGolang, Postgres and k8s in production.",
	})
	fmt.Println(remote.Score, remote.For)

	onsite := s.Score(&jobpilot.Posting{
		Company: "Bistro", Title: "Backend Developer", Location: "Paris",
		Description: "PHP and MySQL.",
	})
	fmt.Println(onsite.Score, onsite.For, onsite.Against)
	// Output:
	// 77 [[family] a backend role, the family of your target titles [skills] mentions Go, PostgreSQL and Kubernetes (in the title: Go) [eligibility] remote, as you want]
	// 0 [[family] a backend role, the family of your target titles [title] the title matches your target “Backend Engineer”] [[eligibility] on-site in Paris; you want remote work only [skills] mentions none of your skills]
}

// An excluded company scores 0 and is marked Excluded, whatever the posting.
func ExampleScore_excluded() {
	profile := &jobpilot.Profile{Preferences: jobpilot.Preferences{ExcludedCompanies: []string{"Evil Corp"}}}
	m := match.Score(profile, &jobpilot.Posting{Company: "Evil Corp Inc.", Title: "Backend Engineer"})
	fmt.Println(m.Score, m.Excluded, m.Against)
	// Output: 0 true [[company] Evil Corp Inc. is on your excluded companies list]
}

// Where the candidate can work decides before skills do: a remote role
// open to the US only is no match for someone in Colombia, whatever it
// asks for. A post that offers several roles is judged by the best one.
func ExampleScorer_Score_eligibility() {
	profile := &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: "Andrés", Location: jobpilot.Location{City: "Medellín", CountryCode: "CO"}},
			Work:   []jobpilot.Work{{Name: "Rutaviva", Position: "Senior Data Engineer", StartDate: "2016-02"}},
			Skills: []jobpilot.Skill{{Name: "Data", Keywords: []string{"Spark", "Airflow", "dbt"}}},
		},
		Preferences: jobpilot.Preferences{Remote: jobpilot.RemoteOnly},
	}
	s := match.NewScorer(profile, match.At(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))

	usOnly := s.Score(&jobpilot.Posting{Title: "Senior Data Engineer", Location: "Remote (US only)", Remote: true,
		Description: "Spark, Airflow and dbt."})
	fmt.Println(usOnly.Score, usOnly.Against)

	multi := s.Score(&jobpilot.Posting{Title: "Hiring: Android, iOS, Backend (Go), Data Engineers", Location: "Remote (Americas)", Remote: true,
		Description: "Senior data engineers: Airflow, Spark, dbt."})
	fmt.Println(multi.Score, multi.For[0])
	// Output:
	// 21 [[eligibility] remote for United States only; you live in Medellín, CO]
	// 76 [family] its “Data Engineers” role is a data engineering role, the family of your current position
}
