package apply

import (
	"context"
	"log/slog"
	"slices"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/match"
)

// similarities returns the cosine similarity of the profile with each
// posting, by posting ID, when an Embedder is configured. Vectors come from
// the cache when it has them; the others are embedded (under the embedder's
// policy, on the shared "openai" breaker) and cached. Any failure is logged
// and the run goes on with the deterministic scores alone: similarity
// refines a score, it never blocks one.
func (s *Service) similarities(ctx context.Context, p *jobpilot.Profile, postings []*jobpilot.Posting) map[int64]float64 {
	if s.Embedder == nil || len(postings) == 0 {
		return nil
	}
	texts := map[string]string{}
	profileKey := jobpilot.EmbeddingKey(match.ProfileText(p))
	texts[profileKey] = match.ProfileText(p)
	keys := make([]string, len(postings))
	for i, post := range postings {
		t := match.PostingText(post)
		keys[i] = jobpilot.EmbeddingKey(t)
		texts[keys[i]] = t
	}
	vecs, err := s.vectors(ctx, texts)
	if err != nil {
		s.log().LogAttrs(ctx, slog.LevelWarn, "embeddings unavailable: scoring without similarity",
			slog.Int64("profile", p.ID), slog.String("model", s.Embedder.Model()), slog.String("error", err.Error()))
		return nil
	}
	out := make(map[int64]float64, len(postings))
	for i, post := range postings {
		out[post.ID] = match.Cosine(vecs[profileKey], vecs[keys[i]])
	}
	return out
}

// vectors returns a vector for every key of texts (key → text).
func (s *Service) vectors(ctx context.Context, texts map[string]string) (map[string][]float32, error) {
	model := s.Embedder.Model()
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vecs := map[string][]float32{}
	if s.EmbeddingCache != nil {
		cached, err := s.EmbeddingCache.Embeddings(ctx, model, keys)
		if err != nil {
			return nil, err
		}
		vecs = cached
	}
	var missing, missingTexts []string
	for _, k := range keys {
		if _, ok := vecs[k]; !ok {
			missing = append(missing, k)
			missingTexts = append(missingTexts, texts[k])
		}
	}
	if len(missing) == 0 {
		return vecs, nil
	}
	fresh, err := s.Embedder.Embed(ctx, missingTexts)
	if err != nil {
		return nil, err
	}
	put := make(map[string][]float32, len(missing))
	for i, k := range missing {
		vecs[k], put[k] = fresh[i], fresh[i]
	}
	if s.EmbeddingCache != nil {
		if err := s.EmbeddingCache.PutEmbeddings(ctx, model, put); err != nil {
			return nil, err
		}
	}
	return vecs, nil
}
