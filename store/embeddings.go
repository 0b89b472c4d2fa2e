package store

import (
	"context"
	"encoding/binary"
	"math"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// embeddingChunk bounds the keys of one lookup (SQLite's parameter limit
// is far above it).
const embeddingChunk = 500

var _ jobpilot.EmbeddingCache = (*DB)(nil)

// Embeddings returns the cached vectors of model among keys; keys without
// one are absent from the map.
func (db *DB) Embeddings(ctx context.Context, model string, keys []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(keys))
	for start := 0; start < len(keys); start += embeddingChunk {
		chunk := keys[start:min(start+embeddingChunk, len(keys))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, model)
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := db.query(ctx, db.db, "SELECT key, vector FROM embeddings WHERE model = ? AND key IN (?"+
			strings.Repeat(", ?", len(chunk)-1)+")", args...)
		if err != nil {
			return nil, dbErr("get embeddings", err)
		}
		for rows.Next() {
			var key string
			var blob []byte
			if err := rows.Scan(&key, &blob); err != nil {
				rows.Close()
				return nil, dbErr("scan embedding", err)
			}
			out[key] = decodeVector(blob)
		}
		if err := rows.Close(); err != nil {
			return nil, dbErr("get embeddings", err)
		}
		if err := rows.Err(); err != nil {
			return nil, dbErr("get embeddings", err)
		}
	}
	return out, nil
}

// PutEmbeddings stores vectors of model; a key already stored keeps its
// vector (the same text gives the same vector).
func (db *DB) PutEmbeddings(ctx context.Context, model string, vectors map[string][]float32) error {
	if len(vectors) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return dbErr("put embeddings", err)
	}
	defer tx.Rollback()
	now := db.timeArg(db.clock())
	for key, v := range vectors {
		if _, err := db.exec(ctx, tx, "INSERT INTO embeddings (model, key, dims, vector, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (model, key) DO NOTHING",
			model, key, len(v), encodeVector(v), now); err != nil {
			return dbErr("put embedding", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return dbErr("put embeddings", err)
	}
	return nil
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
