package httpapi_test

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/httpapi"
)

// Clients choose the method and the path of their requests; neither may
// reach a metric label as sent, or every request with a new method or path
// adds a series to /metrics for ever (RSS and the scrape grow without a
// token). Two rounds of random requests must leave the same series.
func TestMetricsLabelsStayBounded(t *testing.T) {
	const token = "metrics-test-token-0123456789abcdef"
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Token: token}))
	defer srv.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rnd.IntN(len(letters))]
		}
		return string(b)
	}
	var sent []string
	round := func() {
		for i := range 150 {
			method, path := "X"+word(12), "/"+word(10)+"/"+word(6)
			switch i % 5 {
			case 1:
				path = "/api/v1/applications/" + word(8)
			case 2:
				method = http.MethodGet
			case 3:
				path = "/health"
			}
			sent = append(sent, method, path)
			req, err := http.NewRequest(method, srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	scrape := func() (series []string, text string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for line := range strings.Lines(string(b)) {
			if strings.HasPrefix(line, "jobpilot_http_") {
				name, _, _ := strings.Cut(line, " ")
				series = append(series, name)
			}
		}
		return series, string(b)
	}

	round()
	first, _ := scrape()
	round()
	second, text := scrape()
	// The second scrape adds the first scrape's own series at most.
	if len(second) > len(first)+len(first)/4+14 || len(second) > 80 {
		t.Errorf("series grew from %d to %d with random requests:\n%s", len(first), len(second), strings.Join(second, "\n"))
	}
	for i := 0; i < len(sent); i += 2 {
		if sent[i] != http.MethodGet && strings.Contains(text, sent[i]) {
			t.Fatalf("method %q appears in /metrics", sent[i])
		}
		if strings.Contains(text, sent[i+1]) && sent[i+1] != "/health" {
			t.Fatalf("path %q appears in /metrics", sent[i+1])
		}
	}
	if !strings.Contains(text, `method="OTHER"`) {
		t.Errorf("unknown methods are not counted as OTHER:\n%s", text)
	}
}
