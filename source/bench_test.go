package source_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jobpilot/jobpilot/source"
)

// BenchmarkFetchNormalize2000 fetches a 2,000-posting Greenhouse board from a
// local server and normalises it: JSON decoding, entity unescaping,
// sanitising, HTML to text, fingerprints and validation.
func BenchmarkFetchNormalize2000(b *testing.B) {
	type job struct {
		ID          int64             `json:"id"`
		Title       string            `json:"title"`
		UpdatedAt   string            `json:"updated_at"`
		AbsoluteURL string            `json:"absolute_url"`
		CompanyName string            `json:"company_name"`
		Location    map[string]string `json:"location"`
		Content     string            `json:"content"`
	}
	content := html.EscapeString(`<div class="content-intro"><p>At <strong>Acme</strong> we build robots &amp; the software that runs them. ` +
		`We are a team of 40 engineers across Berlin, Lisbon and remote.</p></div><h3>What you'll do</h3><ul>` +
		`<li>Design and run services in Go on PostgreSQL</li><li>Own reliability: SLOs, on-call, incident reviews</li>` +
		`<li>Mentor engineers and review designs</li></ul><h3>Requirements</h3><ul><li>5+ years of backend work</li>` +
		`<li>Kubernetes, AWS, Terraform</li><li>Clear writing</li></ul><p>Salary: 80&nbsp;000&nbsp;€ &ndash; 100&nbsp;000&nbsp;€<br>` +
		`Visa sponsorship available. Crème brûlée on Fridays.</p><script>track('view')</script>`)
	jobs := make([]job, 2000)
	for i := range jobs {
		jobs[i] = job{ID: int64(4000000 + i), Title: fmt.Sprintf("Backend Engineer %d", i), UpdatedAt: "2026-11-20T10:15:00-05:00",
			AbsoluteURL: fmt.Sprintf("https://boards.greenhouse.io/acme/jobs/%d", 4000000+i), CompanyName: "Acme",
			Location: map[string]string{"name": "Berlin, Germany"}, Content: content}
	}
	body, err := json.Marshal(map[string]any{"jobs": jobs})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	s, err := source.New(source.Spec{Type: "greenhouse", Name: "acme", BaseURL: srv.URL, Keys: map[string]string{"token": "acme"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		ps, err := s.Fetch(context.Background())
		if err != nil || len(ps) != 2000 {
			b.Fatalf("%d postings, %v", len(ps), err)
		}
	}
}
