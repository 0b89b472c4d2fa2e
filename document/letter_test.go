package document_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/document"
)

const letterText = `Dear Hiring Team,

I am applying for the Staff Engineer role at Þórr Systems. Your posting asks for someone who has run payment systems through failure, and that is what I have done for the last four years at Nordlys Payments.

There I led the redesign of the settlement pipeline in Go and PostgreSQL, and introduced circuit breakers and idempotent retries across 14 services. Before that, at Кибер Софт, I built an order-routing service with gRPC and Kafka.

I would welcome the chance to talk about how I could help your team.`

func letterInputs() (*jobpilot.Profile, *jobpilot.Posting) {
	return &jobpilot.Profile{Resume: *exampleResume()},
		&jobpilot.Posting{Company: "Þórr Systems", Title: "Staff Engineer, Payments", Location: "Reykjavík"}
}

func TestRenderCoverLetter(t *testing.T) {
	prof, post := letterInputs()
	r := document.New(document.WithCreationDate(fixed))
	b, err := r.RenderCoverLetter(prof, post, letterText)
	if err != nil {
		t.Fatal(err)
	}
	pages, text := extract(t, b)
	if pages != 1 {
		t.Errorf("pages = %d, want 1", pages)
	}
	for _, w := range []string{
		"Zoë Ångström", "zoe.angstrom@example.com", // sender
		"28 November 2026",          // the fixed date
		"Þórr Systems", "Reykjavík", // recipient
		"Application: Staff Engineer, Payments", // subject
		"Dear Hiring Team,", "settlement pipeline", "Кибер Софт", "help your team.",
		"Kind regards,", // signature added
	} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	// The name appears in the sender block and the signature.
	if n := strings.Count(text, "Zoë Ångström"); n != 2 {
		t.Errorf("name appears %d times, want 2", n)
	}
	again, _ := r.RenderCoverLetter(prof, post, letterText)
	if !bytes.Equal(b, again) {
		t.Error("same input, different bytes")
	}
	if *writeDocs != "" {
		if err := os.WriteFile(filepath.Join(*writeDocs, "cover-letter-example.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRenderCoverLetterSignature(t *testing.T) {
	prof, post := letterInputs()
	r := document.New(document.WithCreationDate(fixed))
	for name, tc := range map[string]struct {
		text       string
		kindWords  int // "Kind regards," expected
		nameCount  int
		closingRaw string
	}{
		"signed":       {text: "Hello.\n\nBest regards,\nZoë Ångström", kindWords: 0, nameCount: 2, closingRaw: "Best regards,"},
		"closing only": {text: "Hello.\n\nBest regards,", kindWords: 0, nameCount: 2, closingRaw: "Best regards,"},
		"unsigned":     {text: "Hello.", kindWords: 1, nameCount: 2},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := r.RenderCoverLetter(prof, post, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			_, text := extract(t, b)
			if n := strings.Count(text, "Kind regards,"); n != tc.kindWords {
				t.Errorf("%d × Kind regards, want %d:\n%s", n, tc.kindWords, text)
			}
			if n := strings.Count(text, "Zoë Ångström"); n != tc.nameCount {
				t.Errorf("name %d times, want %d:\n%s", n, tc.nameCount, text)
			}
			if tc.closingRaw != "" && !strings.Contains(text, tc.closingRaw) {
				t.Errorf("closing %q lost", tc.closingRaw)
			}
		})
	}
}

func TestRenderCoverLetterLong(t *testing.T) {
	prof, post := letterInputs()
	long := strings.Repeat(letterText+"\n\n", 4)
	b, err := document.New(document.WithCreationDate(fixed)).RenderCoverLetter(prof, post, long)
	if err != nil {
		t.Fatal(err)
	}
	pages, text := extract(t, b)
	if pages != 2 || !strings.Contains(text, "Page 2 of 2") {
		t.Errorf("pages = %d; want 2 with page numbers", pages)
	}
}

func TestRenderCoverLetterInvalid(t *testing.T) {
	prof, post := letterInputs()
	r := document.New()
	for name, tc := range map[string]struct {
		prof *jobpilot.Profile
		post *jobpilot.Posting
		text string
	}{
		"empty text": {prof, post, " \n\n "},
		"no profile": {nil, post, letterText},
		"no posting": {prof, nil, letterText},
		"no name":    {&jobpilot.Profile{}, post, letterText},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := r.RenderCoverLetter(tc.prof, tc.post, tc.text)
			if b != nil || !errors.Is(err, jobpilot.ErrPermanent) || jobpilot.ErrorCode(err) != jobpilot.EINVALID {
				t.Fatalf("got %d bytes, err %v; want a Permanent EINVALID error and no PDF", len(b), err)
			}
		})
	}
}
