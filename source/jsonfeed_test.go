package source_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jobpilot/jobpilot/source"
)

// A malformed field in one entry leaves that entry out; the rest of the
// feed still imports (README, "The JSON feed format").
func TestJSONFeedMalformedEntryLeftOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "feed.json")
	body := `{"postings": [
	  {"external_id": "ok-1", "company": "Hooli", "title": "Backend Engineer", "published_at": "2026-11-02T09:00:00Z"},
	  {"external_id": "bad-date", "company": "Hooli", "title": "SRE", "published_at": "yesterday"},
	  {"external_id": "bad-remote", "company": "Hooli", "title": "Designer", "remote": "yes"},
	  {"external_id": "ok-2", "company": "Hooli", "title": "Data Engineer"}
	]}`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ps := fetch(t, mustNew(t, source.Spec{Type: "json", Name: "hooli", Keys: map[string]string{"url": file}}, nil))
	if len(ps) != 2 || ps[0].ExternalID != "ok-1" || ps[1].ExternalID != "ok-2" {
		t.Fatalf("got %+v, want ok-1 and ok-2", ps)
	}
}

// A title or company with line breaks is an invalid entry, left out like one
// without a company, not joined into one line (README).
func TestJSONFeedMultiLineTitleLeftOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "feed.json")
	body := `[
	  {"external_id": "a", "company": "Hooli", "title": "Backend\nEngineer"},
	  {"external_id": "b", "company": "Hooli\r\nBcc: x@example.com", "title": "SRE"},
	  {"external_id": "c", "company": "Hooli", "title": "Data Engineer"}
	]`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ps := fetch(t, mustNew(t, source.Spec{Type: "json", Name: "hooli", Keys: map[string]string{"url": file}}, nil))
	if len(ps) != 1 || ps[0].ExternalID != "c" {
		t.Fatalf("got %+v, want only c", ps)
	}
}
