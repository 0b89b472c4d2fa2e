package store

import (
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// queueColumns are the application's columns (table a) and its posting's
// summary (table p), then whether it has documents.
var queueColumns = "a." + strings.ReplaceAll(applicationColumns, ", ", ", a.") +
	", p.source, p.company, p.title, p.location, p.remote, p.work_mode, p.url, p.apply_url, p.contact_email, p.closed_at" +
	", EXISTS (SELECT 1 FROM documents d WHERE d.application_id = a.id)"

// Queue returns a page of the review queue: the applications f selects with
// their posting's summary, by descending score and then ascending ID, at
// most f.Limit (default DefaultLimit). Next is the position to pass as
// f.After for the following page, nil on the last one. The order is total,
// so a row is never skipped nor shown twice across pages while none
// changes; one whose score or status changes meanwhile may move.
//
// Search words match word prefixes of the title, company and description
// (FTS5 on SQLite, a GIN text-search index on PostgreSQL); a search with no
// letter or digit selects nothing rather than everything.
func (db *DB) Queue(ctx context.Context, f jobpilot.QueueFilter) (*jobpilot.QueuePage, error) {
	var (
		where []string
		args  []any
	)
	company, source := strings.TrimSpace(f.Company), strings.TrimSpace(f.Source)
	// The page's query joins the postings only for a condition on them.
	postingFilter := company != ""
	if f.ProfileID > 0 {
		where, args = append(where, "a.profile_id = ?"), append(args, f.ProfileID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "a.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.MinScore > 0 {
		where, args = append(where, "a.score >= ?"), append(args, f.MinScore)
	}
	if company != "" {
		where, args = append(where, "lower(p.company) = lower(?)"), append(args, company)
	}
	if source != "" {
		// The application's copy of its posting's source (migration 0010).
		where, args = append(where, "a.source = ?"), append(args, source)
	}
	var walk *matchSet
	if strings.TrimSpace(f.Search) != "" {
		set, q, err := db.search(ctx, jobpilot.SearchWords(f.Search))
		if err != nil {
			return nil, err
		}
		switch {
		case set.count == 0:
			return &jobpilot.QueuePage{Items: []jobpilot.QueueItem{}}, nil
		case !set.many() && db.postgres:
			where, args = append(where, "a.posting_id IN (SELECT unnest(?::bigint[]))"), append(args, set.idArray(true))
		case !set.many():
			where, args = append(where, "a.posting_id IN (SELECT value FROM json_each(?))"), append(args, set.idArray(false))
		case db.postgres:
			// PostgreSQL tests each row's stored words as it walks the
			// queue in score order.
			where, args = append(where, "p.search @@ to_tsquery('simple', ?)"), append(args, q)
			postingFilter = true
		default:
			walk = set
		}
	}
	if f.After != nil {
		// "a.score <= ?" bounds the index range; the rest orders ties by ID.
		where = append(where, "a.score <= ? AND (a.score < ? OR a.id > ?)")
		args = append(args, f.After.Score, f.After.Score, f.After.ID)
	}
	from := " FROM applications a"
	if postingFilter {
		from += " JOIN postings p ON p.id = a.posting_id"
	}
	n := limit(f.Limit)
	// The page's ids first, then their rows: the columns, the posting and
	// the documents are read for the page only, and each database plans
	// the lookups for a few rows rather than for the whole selection.
	var (
		page     string
		pageArgs []any
	)
	if walk != nil {
		ids, err := db.walkQueue(ctx, from, where, args, walk, n+1)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return &jobpilot.QueuePage{Items: []jobpilot.QueueItem{}}, nil
		}
		page, pageArgs = "SELECT value AS id FROM json_each(?)", []any{(&matchSet{ids: ids}).idArray(false)}
	} else {
		page = "SELECT a.id" + from
		if len(where) > 0 {
			page += " WHERE " + strings.Join(where, " AND ")
		}
		page += " ORDER BY a.score DESC, a.id LIMIT ?"
		pageArgs = append(args, n+1) // one more tells whether a next page exists
	}
	q := "SELECT " + queueColumns + " FROM (" + page + ") q JOIN applications a ON a.id = q.id" +
		" JOIN postings p ON p.id = a.posting_id ORDER BY a.score DESC, a.id"
	items, err := queryAll(ctx, db, "list the review queue", q, pageArgs, scanQueueItem)
	if err != nil {
		return nil, err
	}
	out := &jobpilot.QueuePage{Items: items}
	if len(items) > n {
		out.Items = items[:n]
		last := out.Items[n-1]
		out.Next = &jobpilot.QueueCursor{Score: last.Score, ID: last.ID}
	}
	if out.Items == nil {
		out.Items = []jobpilot.QueueItem{}
	}
	return out, nil
}

// search returns what the search words match (searchMatches) and the
// query in the database's full-text language. The words are letters and
// digits only (jobpilot.SearchWords), so they carry no query syntax into
// FTS5's or PostgreSQL's query language; no word matches nothing rather
// than everything.
//
// Neither database's planner knows how many postings a search matches
// (SQLite's cannot see inside FTS5; PostgreSQL estimates a word prefix at a
// fixed share of the rows), so Queue goes by the matches: up to searchFew
// are joined by id and sorted (a rare word's page on PostgreSQL: 23 ms
// walking the score order, 1.2 ms from its 483 matches, on 100,000
// applications); more are found by walking the queue in score order and
// keeping the matching rows, which stops as soon as the page is full
// instead of sorting tens of thousands.
func (db *DB) search(ctx context.Context, words []string) (*matchSet, string, error) {
	if len(words) == 0 {
		return &matchSet{}, "", nil
	}
	terms := make([]string, len(words))
	var q string
	if db.postgres {
		// "w | w:*" matches what "w:*" does, but PostgreSQL estimates a
		// prefix at a fixed 2% of rows and a whole word from its statistics:
		// with the word beside the prefix, a search for a common word is
		// known to be common.
		for i, w := range words {
			terms[i] = "(" + w + " | " + w + ":*)"
		}
		q = strings.Join(terms, " & ")
	} else {
		for i, w := range words {
			terms[i] = `"` + w + `"*`
		}
		q = strings.Join(terms, " AND ")
	}
	set, err := db.searchMatches(ctx, q)
	return set, q, err
}

// walkQueue walks the queue the conditions where select (from names its
// tables) in its order and returns the ids of the first want rows whose
// posting is in set, reading rows in chunks sized by how many it expects
// to read (set's density), each chunk twice the last: a word in 83 % of
// the postings reads about one row and a fifth for each it keeps.
func (db *DB) walkQueue(ctx context.Context, from string, where []string, args []any, set *matchSet, want int) ([]int64, error) {
	most := walkChunkMax
	if db.walkChunk > 0 {
		most = db.walkChunk
	}
	chunk := min(max(int(float64(want)/set.density()*1.5), 64), most)
	var (
		kept  []int64
		after *jobpilot.QueueCursor
	)
	for {
		w, a := slices.Clip(where), slices.Clip(args)
		if after != nil {
			w = append(w, "a.score <= ? AND (a.score < ? OR a.id > ?)")
			a = append(a, after.Score, after.Score, after.ID)
		}
		q := "SELECT a.id, a.score, a.posting_id" + from
		if len(w) > 0 {
			q += " WHERE " + strings.Join(w, " AND ")
		}
		q += " ORDER BY a.score DESC, a.id LIMIT ?"
		rows, err := db.query(ctx, db.reader(), q, append(a, chunk)...)
		if err != nil {
			return nil, dbErr("list the review queue", err)
		}
		read := 0
		for rows.Next() {
			var (
				id, posting int64
				score       int
			)
			if err := rows.Scan(&id, &score, &posting); err != nil {
				rows.Close()
				return nil, dbErr("list the review queue", err)
			}
			read++
			after = &jobpilot.QueueCursor{Score: score, ID: id}
			if set.has(posting) {
				if kept = append(kept, id); len(kept) == want {
					break
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, dbErr("list the review queue", err)
		}
		if len(kept) == want || read < chunk {
			return kept, nil
		}
		chunk = min(chunk*2, most)
	}
}

// walkChunkMax bounds the rows walkQueue reads at once.
const walkChunkMax = 8192

// searchFew is where a search stops reading its matches first: see
// search.
const searchFew = 2000

// QueueLister reads the review queue a page at a time; jobpilot.Store and
// *DB satisfy it.
type QueueLister interface {
	Queue(ctx context.Context, f jobpilot.QueueFilter) (*jobpilot.QueuePage, error)
}

// AllQueue yields every queue item f selects, in the queue's order, a page
// at a time (f.Limit per page, default DefaultPageSize) by keyset
// pagination from f.After on: see AllApplications.
func AllQueue(ctx context.Context, st QueueLister, f jobpilot.QueueFilter) iter.Seq2[jobpilot.QueueItem, error] {
	f.Limit = pageSize(f.Limit)
	start := f.After
	return pages(f.Limit, func(after *jobpilot.QueueCursor) ([]jobpilot.QueueItem, error) {
		f.After = start
		if after != nil {
			f.After = after
		}
		page, err := st.Queue(ctx, f)
		if err != nil {
			return nil, err
		}
		return page.Items, nil
	}, func(it jobpilot.QueueItem) *jobpilot.QueueCursor {
		return &jobpilot.QueueCursor{Score: it.Score, ID: it.ID}
	})
}

func scanQueueItem(s scanner) (jobpilot.QueueItem, error) {
	var (
		it     jobpilot.QueueItem
		closed dbTime
	)
	p := &it.Posting
	app, err := scanApplication(extraScanner{s, []any{&p.Source, &p.Company, &p.Title, &p.Location, &p.Remote,
		&p.WorkMode, &p.URL, &p.ApplyURL, &p.ContactEmail, &closed, &it.HasDocuments}})
	if err != nil {
		return it, err
	}
	it.Application = app
	p.ID = app.PostingID
	p.ClosedAt = closed.ptr()
	return it, nil
}

// extraScanner scans the columns of more after those its caller asks for:
// a query that selects a row type's columns and then some reuses that
// type's scan function.
type extraScanner struct {
	s    scanner
	more []any
}

func (e extraScanner) Scan(dest ...any) error { return e.s.Scan(append(dest, e.more...)...) }
