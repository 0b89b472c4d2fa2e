package jobpilot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// Embedder turns texts into vectors with an embeddings endpoint (any
// OpenAI-compatible server: OPENAI_EMBEDDINGS_MODEL). Matching blends the
// cosine similarity of a profile's and a posting's vectors into the score
// when one is configured; without one the deterministic score stands alone.
//
// Embed returns one vector per text, in order. Its errors are classified
// like the LLM's (Transient, TransientAfter, Permanent); a caller that cannot
// embed scores without similarity rather than failing.
type Embedder interface {
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbeddingCache keeps vectors by model and content key (EmbeddingKey), so
// a posting is embedded once, not once per run; the store implements it.
type EmbeddingCache interface {
	// Embeddings returns the cached vectors among keys; missing ones are
	// simply absent from the map.
	Embeddings(ctx context.Context, model string, keys []string) (map[string][]float32, error)
	// PutEmbeddings stores vectors; an existing key keeps its vector.
	PutEmbeddings(ctx context.Context, model string, vectors map[string][]float32) error
}

// EmbeddingKey is the cache key of a text's vector: its SHA-256, hex.
func EmbeddingKey(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
