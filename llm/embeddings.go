package llm

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jobpilot/jobpilot"
	"github.com/openai/openai-go/v3"
)

// embedBatch bounds the texts of one embeddings request.
const embedBatch = 64

// Embedder is an OpenAI-compatible embeddings endpoint (jobpilot.Embedder):
// POST {base}/embeddings with OPENAI_EMBEDDINGS_MODEL (OpenAI's
// text-embedding-3-small, Ollama's nomic-embed-text …). Each request runs
// under its executor, the service that shares the "openai" breaker with
// the writer, so an outage seen by one stops the other; errors are
// classified as the chat client's are. Texts are sent in batches of 64.
type Embedder struct {
	client *Client
	model  string
	ex     jobpilot.Executor
}

// NewEmbedder returns the embedder of cfg's endpoint and the embeddings
// model; ex runs each request (nil: once, without a policy).
func NewEmbedder(cfg Config, model string, ex jobpilot.Executor, opts ...ClientOption) *Embedder {
	if ex == nil {
		ex = direct{}
	}
	c := NewClient(cfg, opts...)
	c.model = model
	return &Embedder{client: c, model: model, ex: ex}
}

// Model is the embeddings model.
func (e *Embedder) Model() string { return e.model }

// Embed returns one vector per text, in order.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += embedBatch {
		batch := texts[start:min(start+embedBatch, len(texts))]
		var vecs [][]float32
		err := e.ex.Do(ctx, func(ctx context.Context) error {
			var err error
			vecs, err = e.embed(ctx, batch)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// embed is one request.
func (e *Embedder) embed(ctx context.Context, batch []string) ([][]float32, error) {
	start := e.client.now()
	resp, err := e.client.sdk.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          openai.EmbeddingModel(e.model),
		Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: batch},
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	})
	latency := e.client.now().Sub(start)
	if err != nil {
		cerr := e.client.classify(ctx, err)
		e.client.log.LogAttrs(ctx, slog.LevelWarn, "embeddings call failed", slog.String("model", e.model),
			slog.Int("texts", len(batch)), slog.Duration("latency", latency), slog.String("error", cerr.Error()))
		return nil, cerr
	}
	vecs := make([][]float32, len(batch))
	for _, d := range resp.Data {
		if d.Index < 0 || int(d.Index) >= len(batch) || len(d.Embedding) == 0 {
			return nil, jobpilot.Permanent(fmt.Errorf("llm: embeddings: %s answered a bad item (index %d of %d)", e.model, d.Index, len(batch)))
		}
		v := make([]float32, len(d.Embedding))
		for i, x := range d.Embedding {
			v[i] = float32(x)
		}
		vecs[d.Index] = v
	}
	for i, v := range vecs {
		if v == nil {
			return nil, jobpilot.Transient(fmt.Errorf("llm: embeddings: %s returned no vector for text %d of %d", e.model, i, len(batch)))
		}
	}
	e.client.log.LogAttrs(ctx, slog.LevelInfo, "embeddings call", slog.String("model", e.model),
		slog.Int("texts", len(batch)), slog.Int64("tokens", resp.Usage.TotalTokens), slog.Duration("latency", latency))
	return vecs, nil
}
