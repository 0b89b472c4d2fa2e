package fakellm

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"unicode"
)

// EmbeddingDims is the length of the fake's vectors.
const EmbeddingDims = 256

type embeddingRequest struct {
	Model string          `json:"model"`
	Input json.RawMessage `json:"input"`
}

// serveEmbeddings answers POST /v1/embeddings with deterministic vectors:
// each text's words (lower-cased, short words left out) hashed into
// EmbeddingDims buckets, normalised to unit length. Texts that share words
// are close, so cosine similarity means something, and the same text
// always gets the same vector. An outage window answers 503 as the chat
// endpoint does.
func (s *Server) serveEmbeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid JSON body: "+err.Error(), "")
		return
	}
	var texts []string
	if err := json.Unmarshal(req.Input, &texts); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "input must be a string or an array of strings", "")
			return
		}
		texts = []string{one}
	}
	s.mu.Lock()
	now := s.opts.Clock()
	rec := &Request{Model: req.Model, At: now, Embeddings: len(texts)}
	s.requests = append(s.requests, rec)
	if s.IsDown(now.Sub(s.epoch)) {
		s.down++
		s.notify()
		s.mu.Unlock()
		s.finish(rec, http.StatusServiceUnavailable)
		writeError(w, http.StatusServiceUnavailable, "server_error", "the server is down (fakellm outage window)", "service_unavailable")
		return
	}
	s.notify()
	s.mu.Unlock()

	data := make([]map[string]any, len(texts))
	tokens := 0
	for i, t := range texts {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": Vector(t)}
		tokens += len(strings.Fields(t))
	}
	s.finish(rec, http.StatusOK)
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list", "model": req.Model, "data": data,
		"usage": map[string]any{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

// Vector is the fake's embedding of a text (see serveEmbeddings).
func Vector(text string) []float64 {
	v := make([]float64, EmbeddingDims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' && r != '#' }) {
		if len([]rune(w)) < 3 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		sum := h.Sum32()
		v[sum%EmbeddingDims]++
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v {
			v[i] /= norm
		}
	}
	return v
}
