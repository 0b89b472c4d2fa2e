package document_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/internal/pdftext"
)

// A resume renders to PDF bytes; with a fixed creation date the bytes are the
// same on every run, so documents can be stored, compared and cached.
func ExampleRenderer_RenderResume() {
	r := document.New(document.WithCreationDate(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)))
	res := &jobpilot.Resume{
		Basics: jobpilot.Basics{Name: "Zoë Ångström", Label: "Backend Engineer", Email: "zoe@example.com"},
		Work: []jobpilot.Work{{Name: "Кибер Софт", Position: "Engineer", StartDate: "2021-01",
			Highlights: []string{"Built the order-routing service."}}},
		Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "PostgreSQL"}}},
	}
	a, err := r.RenderResume(res)
	if err != nil {
		panic(err)
	}
	b, _ := r.RenderResume(res)
	pages, _ := pdftext.Pages(a)
	fmt.Println("identical:", string(a) == string(b))
	fmt.Println("pages:", len(pages))
	fmt.Println(strings.Join(strings.Split(pages[0], "\n")[:5], "\n"))
	// Output:
	// identical: true
	// pages: 1
	// Zoë Ångström
	// Backend Engineer
	// zoe@example.com
	// EXPERIENCE
	// Engineer — Кибер Софт Jan 2021 – present
}

// Invalid input is a permanent error (no retry can fix it) with the
// offending field, and no document.
func ExampleRenderer_RenderResume_invalid() {
	_, err := document.New().RenderResume(&jobpilot.Resume{Basics: jobpilot.Basics{Name: "A"},
		Work: []jobpilot.Work{{Name: "Acme", StartDate: "spring 2020"}}})
	fmt.Println(jobpilot.ErrorCode(err))
	fmt.Println(err)
	// Output:
	// invalid
	// resume.work[0].startDate: must be a date as YYYY, YYYY-MM or YYYY-MM-DD, got "spring 2020"
}

// A cover letter gets a sender block, the date, the company, a subject line
// and a signature around the text the writer produced.
func ExampleRenderer_RenderCoverLetter() {
	r := document.New(document.WithCreationDate(time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)))
	prof := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Дмитрий Иванов"}}}
	post := &jobpilot.Posting{Company: "Acme", Title: "Go Developer"}
	pdf, err := r.RenderCoverLetter(prof, post, "Dear Hiring Team,\n\nI would like to join Acme.")
	if err != nil {
		panic(err)
	}
	pages, _ := pdftext.Pages(pdf)
	fmt.Println(pages[0])
	// Output:
	// Дмитрий Иванов
	// 14 March 2026
	// Hiring Team
	// Acme
	// Application: Go Developer
	// Dear Hiring Team,
	// I would like to join Acme.
	// Kind regards,
	// Дмитрий Иванов
}
