package llm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/llm"
)

// The embedder speaks the real /v1/embeddings protocol (through the
// official SDK) to the fake server: one vector per text, in order, in
// batches of 64; the same text gets the same vector; an outage is a
// transient error.
func TestEmbedder(t *testing.T) {
	fake := fakellm.New(fakellm.Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	e := llm.NewEmbedder(llm.Config{BaseURL: srv.URL + "/v1"}, "fake-embed", nil)
	if e.Model() != "fake-embed" {
		t.Errorf("model %q", e.Model())
	}
	texts := make([]string, 130)
	for i := range texts {
		texts[i] = fmt.Sprintf("posting number %d about Go and PostgreSQL", i)
	}
	texts[129] = texts[0]
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) || len(vecs[0]) != fakellm.EmbeddingDims {
		t.Fatalf("%d vectors of %d", len(vecs), len(vecs[0]))
	}
	for i, want := range [][]float64{fakellm.Vector(texts[0]), fakellm.Vector(texts[77])} {
		got := vecs[[]int{0, 77}[i]]
		for j := range want {
			if math.Abs(float64(got[j])-want[j]) > 1e-6 {
				t.Fatalf("vector %d differs at %d: %v vs %v", i, j, got[j], want[j])
			}
		}
	}
	if fmt.Sprint(vecs[0]) != fmt.Sprint(vecs[129]) {
		t.Error("the same text got two vectors")
	}
	calls := 0
	for _, r := range fake.Requests() {
		if r.Embeddings > 0 {
			calls++
			if r.Embeddings > 64 || r.Model != "fake-embed" {
				t.Errorf("request of %d texts for %q", r.Embeddings, r.Model)
			}
		}
	}
	if calls != 3 {
		t.Errorf("%d requests for 130 texts, want 3", calls)
	}

	down := fakellm.New(fakellm.Options{Down: []fakellm.Window{{From: 0, To: time.Hour}}})
	dsrv := httptest.NewServer(down)
	defer dsrv.Close()
	_, err = llm.NewEmbedder(llm.Config{BaseURL: dsrv.URL + "/v1"}, "fake-embed", nil).Embed(context.Background(), texts[:2])
	if !errors.Is(err, jobpilot.ErrTransient) {
		t.Errorf("an outage: %v, want a transient error", err)
	}
}
