package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// A search's matches are the postings it finds, worked out once and reused
// by the pages that follow (the candidate paging through a search, or
// refreshing it) for searchTTL: the full-text index is read once instead of
// once a page. Finding a word most postings contain costs SQLite's FTS5 a
// read of its whole doclist (83,000 rowids of 100,000 postings: ≈ 15 ms of
// CPU), and a rare word costs PostgreSQL a prefix scan of its index and a
// visit of each match's row (≈ 8 ms for 483). See the design notes, "The
// review queue is one keyset query".
//
// Only the set of postings is kept; the applications' status and score are
// read live with every page. A posting stored or edited through this *DB
// clears every kept set at once (postingsChanged), so what a process wrote
// it finds straight away; one written by another process (a second node,
// a CLI command) is found within searchTTL.
const (
	searchTTL = 5 * time.Second
	// searchKept bounds the kept sets: one large set is a bitmap of the
	// posting ids (12.5 KB for 100,000 postings).
	searchKept = 16
)

// matchSet is what a search matches.
type matchSet struct {
	// count is how many postings match; on PostgreSQL, when there are
	// more than searchFew, only that there are more (searchFew+1).
	count int
	// ids are the matches, ascending, when there are at most searchFew
	// of them.
	ids []int64
	// bits has a bit set for each match's id when there are more than
	// searchFew on SQLite, where the queue is walked in score order and
	// filtered by it (Queue). nil otherwise.
	bits []uint64
}

// many reports whether the search matches more than searchFew postings.
func (m *matchSet) many() bool { return m.count > searchFew }

// has reports whether posting id matches (bits only).
func (m *matchSet) has(id int64) bool {
	i := id >> 6
	return id >= 0 && i < int64(len(m.bits)) && m.bits[i]&(1<<(id&63)) != 0
}

// density is the share of posting ids below the largest match that match:
// how many rows a walk in score order reads for each one it keeps.
func (m *matchSet) density() float64 {
	if len(m.bits) == 0 {
		return 1
	}
	return float64(m.count) / float64(len(m.bits)*64)
}

// idArray is the ids as an array literal ("{1,2,3}" on PostgreSQL, "[1,2,3]"
// for SQLite's json_each).
func (m *matchSet) idArray(postgres bool) string {
	var b strings.Builder
	open, end := byte('['), byte(']')
	if postgres {
		open, end = '{', '}'
	}
	b.WriteByte(open)
	for i, id := range m.ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(end)
	return b.String()
}

// searchCache keeps the matches of recent searches; the zero value is
// ready.
type searchCache struct {
	// gen counts the writes of postings' text; a set found before the
	// latest is not reused.
	gen    atomic.Uint64
	flight singleflight.Group

	mu   sync.Mutex
	kept map[string]keptMatches
}

type keptMatches struct {
	set *matchSet
	gen uint64
	at  time.Time
}

// postingsChanged forgets every search's matches: call it once a write
// of postings' searchable text has committed.
func (db *DB) postingsChanged() { db.searches.gen.Add(1) }

// searchMatches returns the matches of the search query q (FTS5's or
// PostgreSQL's query text), from the cache when found there within
// searchTTL and since the last write of postings. Concurrent requests for
// one search share one read of the index; a caller that gives up does not
// cancel it for the others.
func (db *DB) searchMatches(ctx context.Context, q string) (*matchSet, error) {
	c := &db.searches
	gen, now := c.gen.Load(), db.now()
	c.mu.Lock()
	k, ok := c.kept[q]
	c.mu.Unlock()
	if ok && k.gen == gen && now.Sub(k.at) < searchTTL && !now.Before(k.at) {
		return k.set, nil
	}
	key := strconv.FormatUint(gen, 10) + "\x00" + q
	ch := c.flight.DoChan(key, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		start := db.now()
		set, err := db.readMatches(lctx, q)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.kept == nil {
			c.kept = map[string]keptMatches{}
		}
		if len(c.kept) >= searchKept {
			for old, k := range c.kept {
				if k.gen != c.gen.Load() || db.now().Sub(k.at) >= searchTTL {
					delete(c.kept, old)
				}
			}
			for old := range c.kept { // still full: any one goes
				if len(c.kept) < searchKept {
					break
				}
				delete(c.kept, old)
			}
		}
		c.kept[q] = keptMatches{set: set, gen: gen, at: start}
		return set, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*matchSet), nil
	case <-ctx.Done():
		return nil, dbErr("search postings", ctx.Err())
	}
}

// readMatches reads what q matches from the full-text index.
func (db *DB) readMatches(ctx context.Context, q string) (*matchSet, error) {
	if db.postgres {
		return db.pgReadMatches(ctx, q)
	}
	// One row for all the rowids: 83,000 rows through database/sql cost
	// more than the index read itself.
	var list string
	err := db.queryRow(ctx, db.reader(), "SELECT coalesce(group_concat(rowid), '') FROM postings_search WHERE postings_search MATCH ?", q).Scan(&list)
	if err != nil {
		return nil, dbErr("search postings", err)
	}
	set := &matchSet{}
	var all []int64
	for f := range strings.SplitSeq(list, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, dbErr("search postings", err)
		}
		all = append(all, id)
	}
	set.count = len(all)
	if !set.many() {
		set.ids = all
		return set, nil
	}
	var largest int64
	for _, id := range all {
		largest = max(largest, id)
	}
	set.bits = make([]uint64, largest/64+1)
	for _, id := range all {
		set.bits[id>>6] |= 1 << (id & 63)
	}
	return set, nil
}

// pgReadMatches is readMatches on PostgreSQL, for the text-search query
// tsq: its matches' ids when there are at most searchFew, else only that
// there are more, which the page's query then tests row by row in score
// order. Reading up to searchFew matches to count them costs a common word
// tens of milliseconds (its postings are tested one by one), so a query the
// planner knows from its statistics to match at least a tenth of the
// postings skips the count.
func (db *DB) pgReadMatches(ctx context.Context, tsq string) (*matchSet, error) {
	if common, err := db.pgCommonSearch(ctx, tsq); err != nil {
		return nil, err
	} else if common {
		return &matchSet{count: searchFew + 1}, nil
	}
	rows, err := db.query(ctx, db.reader(), "SELECT id FROM postings WHERE search @@ to_tsquery('simple', ?) LIMIT ?", tsq, searchFew+1)
	if err != nil {
		return nil, dbErr("search postings", err)
	}
	defer rows.Close()
	set := &matchSet{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, dbErr("search postings", err)
		}
		set.ids = append(set.ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("search postings", err)
	}
	set.count = len(set.ids)
	if set.many() {
		set.ids = nil
	}
	slices.Sort(set.ids) // read in the index's order, not sorted there: that would walk the ids
	return set, nil
}

// pgCommonSearch reports whether PostgreSQL's planner estimates that tsq
// matches at least a tenth of the postings. Its estimate of a whole word
// comes from the column's statistics; that of a word prefix is a fixed
// 2.5 %, so a rare word is never taken for a common one.
func (db *DB) pgCommonSearch(ctx context.Context, tsq string) (bool, error) {
	var plan string
	if err := db.queryRow(ctx, db.reader(), "EXPLAIN (FORMAT JSON) SELECT 1 FROM postings WHERE search @@ to_tsquery('simple', ?)", tsq).Scan(&plan); err != nil {
		return false, dbErr("plan the search", err)
	}
	var explained []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	var total float64
	if err := db.queryRow(ctx, db.reader(), "SELECT reltuples FROM pg_class WHERE oid = 'postings'::regclass").Scan(&total); err != nil {
		return false, dbErr("plan the search", err)
	}
	if err := json.Unmarshal([]byte(plan), &explained); err != nil || len(explained) == 0 || total <= 0 {
		return false, nil // no estimate (never analysed): count
	}
	return explained[0].Plan.Rows >= total/10, nil
}
