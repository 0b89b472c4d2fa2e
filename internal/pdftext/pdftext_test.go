package pdftext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/document"
	"github.com/jobpilot/jobpilot/internal/pdftext"
)

// A letter rendered by the document package reads back with its accents and
// Cyrillic intact; bytes that are not a PDF are a permanent EINVALID error.
func TestPages(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Zoë Ångström", Email: "zoe@example.com"}}}
	post := &jobpilot.Posting{Company: "Кибер Софт", Title: "Backend Engineer"}
	b, err := document.New().RenderCoverLetter(p, post, "Dear team – I build Go services.")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := pdftext.Pages(b)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pages, "\n")
	for _, want := range []string{"Zoë Ångström", "Dear team – I build Go services."} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	_, err = pdftext.Pages([]byte("not a pdf"))
	if jobpilot.ErrorCode(err) != jobpilot.EINVALID || !errors.Is(err, jobpilot.ErrPermanent) {
		t.Errorf("not a PDF: %v, want a permanent EINVALID", err)
	}
}
