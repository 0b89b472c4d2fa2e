package store_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/store"
)

// Vectors round-trip bit for bit on both databases, per model; a key
// stored twice keeps its first vector; lookups of many keys are chunked.
func TestEmbeddingsCache(t *testing.T) {
	t.Parallel()
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k1, k2 := jobpilot.EmbeddingKey("posting one"), jobpilot.EmbeddingKey("posting two")
		v1 := []float32{0.25, -1.5, float32(math.Pi), 1e-7}
		if err := db.PutEmbeddings(ctx, "m1", map[string][]float32{k1: v1, k2: {1, 2}}); err != nil {
			t.Fatal(err)
		}
		if err := db.PutEmbeddings(ctx, "m1", map[string][]float32{k1: {9, 9, 9, 9}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Embeddings(ctx, "m1", []string{k1, k2, "missing"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || fmt.Sprint(got[k1]) != fmt.Sprint(v1) || fmt.Sprint(got[k2]) != "[1 2]" {
			t.Errorf("got %v", got)
		}
		if other, err := db.Embeddings(ctx, "m2", []string{k1}); err != nil || len(other) != 0 {
			t.Errorf("another model sees %v (%v)", other, err)
		}
		many := map[string][]float32{}
		var keys []string
		for i := range 1200 {
			k := jobpilot.EmbeddingKey(fmt.Sprint(i))
			many[k] = []float32{float32(i)}
			keys = append(keys, k)
		}
		if err := db.PutEmbeddings(ctx, "m3", many); err != nil {
			t.Fatal(err)
		}
		all, err := db.Embeddings(ctx, "m3", keys)
		if err != nil || len(all) != 1200 || all[keys[1199]][0] != 1199 {
			t.Errorf("1200 keys: %d found (%v)", len(all), err)
		}
	})
}
