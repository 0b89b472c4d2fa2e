package store

import "time"

// SetWalkChunkMax makes the queue's walk in score order read at most n
// rows at a time, so that a test sees it go on from chunk to chunk.
func SetWalkChunkMax(db *DB, n int) { db.walkChunk = n }

// SetClock replaces db's clock.
func SetClock(db *DB, now func() time.Time) { db.now = now }

// SearchTTL is how long a search's matches are reused.
const SearchTTL = searchTTL
