package document_test

import (
	"fmt"

	"github.com/jobpilot/jobpilot"
)

// exampleResume is a realistic profile with accented and Cyrillic text.
func exampleResume() *jobpilot.Resume {
	return &jobpilot.Resume{
		Basics: jobpilot.Basics{
			Name:     "Zoë Ångström",
			Label:    "Senior Backend Engineer",
			Email:    "zoe.angstrom@example.com",
			Phone:    "+46 70 123 45 67",
			URL:      "https://zoe.example.dev/",
			Summary:  "Backend engineer with nine years of experience building reliable distributed systems in Go. I design services that keep working when their dependencies fail, and I enjoy mentoring engineers and making operations boring.",
			Location: jobpilot.Location{City: "Göteborg", CountryCode: "SE"},
			Profiles: []jobpilot.SocialProfile{
				{Network: "GitHub", Username: "zoeangstrom", URL: "https://github.com/zoeangstrom"},
			},
		},
		Work: []jobpilot.Work{
			{Name: "Nordlys Payments", Position: "Senior Backend Engineer", Location: "Stockholm (remote)",
				StartDate: "2021-01", Highlights: []string{
					"Led the redesign of the settlement pipeline in Go and PostgreSQL, cutting end-of-day processing from 4 hours to 25 minutes.",
					"Introduced circuit breakers and idempotent retries across 14 services; paging incidents fell by 60%.",
					"Mentored five engineers; two were promoted to senior.",
				}},
			{Name: "Кибер Софт", Position: "Backend Engineer", Location: "Москва",
				StartDate: "2017-03", EndDate: "2020-12", Highlights: []string{
					"Built the order-routing service handling 3,000 requests per second with gRPC and Kafka.",
					"Разработал систему мониторинга на Prometheus для 40 сервисов.",
				}},
			{Name: "Café Müller GmbH", Position: "Software Developer", Location: "München",
				StartDate: "2015-06", EndDate: "2017-02", Highlights: []string{
					"Maintained the online ordering platform (PHP, MySQL) and moved it to Docker.",
				}},
		},
		Projects: []jobpilot.Project{
			{Name: "jobpilot", Description: "A self-hosted service that automates job applications and keeps working when its dependencies fail.",
				Keywords: []string{"Go", "River", "SQLite"}, StartDate: "2024", URL: "https://github.com/jobpilot/jobpilot"},
		},
		Education: []jobpilot.Education{
			{Institution: "Chalmers tekniska högskola", StudyType: "Master of Science", Area: "Computer Science",
				StartDate: "2013", EndDate: "2015"},
		},
		Certificates: []jobpilot.Certificate{
			{Name: "Certified Kubernetes Administrator", Issuer: "CNCF", Date: "2022-05"},
		},
		Skills: []jobpilot.Skill{
			{Name: "Backend", Level: "Expert", Keywords: []string{"Go", "PostgreSQL", "gRPC", "Kafka"}},
			{Name: "Operations", Keywords: []string{"Kubernetes", "Prometheus", "Terraform"}},
			{Name: "Practices", Keywords: []string{"Distributed systems", "Observability", "Code review"}},
		},
		Languages: []jobpilot.Language{
			{Language: "Svenska", Fluency: "Native"},
			{Language: "English", Fluency: "Fluent"},
			{Language: "Русский", Fluency: "Intermediate"},
		},
	}
}

// longResume is the example with many positions and projects: far more than
// two pages at normal spacing.
func longResume() *jobpilot.Resume {
	r := exampleResume()
	base := r.Work
	r.Work = nil
	for i := 0; i < 12; i++ {
		for _, w := range base {
			w.Name = fmt.Sprintf("%s %d", w.Name, i+1)
			var hs []string
			for j := 0; j < 8; j++ {
				hs = append(hs, fmt.Sprintf("Highlight %d of position %d: delivered a measurable improvement to a system that mattered to the business and its customers.", j+1, i+1))
			}
			w.Highlights = hs
			w.Summary = "Worked on the core platform team, owning services end to end from design to on-call."
			r.Work = append(r.Work, w)
		}
	}
	for i := 0; i < 10; i++ {
		r.Projects = append(r.Projects, jobpilot.Project{Name: fmt.Sprintf("Project %d", i+1),
			Description: "An open-source tool with a long description that wraps over more than one line of text on the page.",
			Highlights:  []string{"Used by many.", "Fast."}, Keywords: []string{"Go"}})
	}
	for i := 0; i < 10; i++ {
		r.Certificates = append(r.Certificates, jobpilot.Certificate{Name: fmt.Sprintf("Certificate %d", i+1), Issuer: "Issuer"})
	}
	r.Education[0].Courses = []string{"Distributed Systems", "Compilers", "Databases"}
	return r
}
