package document_test

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/document"
)

var writeDocs = flag.Bool("docs", false, "write example PDFs to ../docs/")

var fixed = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func TestWriteDocs(t *testing.T) {
	if !*writeDocs {
		t.Skip("run with -docs to write ../docs/resume-example.pdf")
	}
	r := document.New(document.WithCreationDate(fixed))
	pdf, err := r.RenderResume(exampleResume())
	if err != nil {
		t.Fatal(err)
	}
	long, err := r.RenderResume(longResume())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"/tmp/resume-example.pdf": pdf, "/tmp/resume-long.pdf": long} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_ = bytes.MinRead
}
