package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/resilience"
)

// usageCounter sums the usage the lab model reports on every reply.
type usageCounter struct {
	next                     http.Handler
	prompt, completion, call atomic.Int64
	chars                    atomic.Int64 // request and reply text, for a tokenizer-neutral estimate
}

func (u *usageCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(in))
	var req struct {
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(in, &req) == nil {
		for _, m := range req.Messages {
			u.chars.Add(int64(len(m.Content)))
		}
	}
	rec := httptest.NewRecorder()
	u.next.ServeHTTP(rec, r)
	var body struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Usage struct {
			Prompt     int64 `json:"prompt_tokens"`
			Completion int64 `json:"completion_tokens"`
		} `json:"usage"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
		u.prompt.Add(body.Usage.Prompt)
		u.completion.Add(body.Usage.Completion)
		for _, c := range body.Choices {
			u.chars.Add(int64(len(c.Message.Content)))
		}
	}
	u.call.Add(1)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = io.Copy(w, bytes.NewReader(rec.Body.Bytes()))
}

func benchFixture(b *testing.B) (*jobpilot.Profile, *jobpilot.Posting) {
	var p jobpilot.Profile
	var post jobpilot.Posting
	for file, v := range map[string]any{"testdata/profile.json": &p, "testdata/posting.json": &post} {
		raw, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			b.Fatal(err)
		}
	}
	return &p, &post
}

// BenchmarkTokensPerApplication writes one application's documents (the
// tailored resume and the cover letter, with any repair or revision calls)
// against the lab model and reports the tokens it used, prompt and
// completion, as the lab model counts them (words).
//
//	go test -run '^$' -bench TokensPerApplication -benchtime 20x ./llm
func BenchmarkTokensPerApplication(b *testing.B) {
	b.Run("honest", func(b *testing.B) { tokensPerApplication(b, fakellm.ModeHonest) })
	b.Run("liar", func(b *testing.B) { tokensPerApplication(b, fakellm.ModeLiar) })
}

// tokensPerApplication writes documents against the lab model in mode. The
// liar's unusable drafts end in an error (the pipeline would then use the
// template writer, which costs no tokens); their calls count all the same.
func tokensPerApplication(b *testing.B, mode string) {
	u := &usageCounter{next: fakellm.New(fakellm.Options{Mode: mode})}
	srv := httptest.NewServer(u)
	defer srv.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	table := resilience.Defaults()
	table.TimeScale = 0.01
	set := resilience.NewSet(table, resilience.Options{Logger: quiet})
	client := llm.NewClient(llm.Config{BaseURL: srv.URL + "/v1", APIKey: "sk-bench", Model: "fake-gpt"}, llm.WithLogger(quiet))
	w := llm.NewLLMWriter(client, set.Service(resilience.ServiceResume), set.Service(resilience.ServiceCoverLetter), nil)
	p, post := benchFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		t, err := w.TailorResume(ctx, p, post)
		if err != nil && mode == fakellm.ModeHonest {
			b.Fatal(err)
		}
		if err != nil {
			continue // the template writer takes both documents: no letter call
		}
		if _, err := w.WriteCoverLetter(ctx, p, post, t); err != nil && mode == fakellm.ModeHonest {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(u.prompt.Load())/n, "prompt_tokens/app")
	b.ReportMetric(float64(u.completion.Load())/n, "completion_tokens/app")
	b.ReportMetric(float64(u.prompt.Load()+u.completion.Load())/n, "tokens/app")
	b.ReportMetric(float64(u.call.Load())/n, "calls/app")
	// About four characters per token for English and JSON with BPE
	// tokenizers: an estimate that does not depend on how the lab counts.
	b.ReportMetric(float64(u.chars.Load())/4/n, "est_bpe_tokens/app")
}
