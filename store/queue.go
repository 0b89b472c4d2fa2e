package store

import (
	"context"
	"encoding/json"
	"iter"
	"strconv"
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
	postingFilter := company != "" || source != ""
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
		where, args = append(where, "p.source = ?"), append(args, source)
	}
	if strings.TrimSpace(f.Search) != "" {
		cond, arg, onPosting, err := db.searchCondition(ctx, jobpilot.SearchWords(f.Search))
		if err != nil {
			return nil, err
		}
		postingFilter = postingFilter || onPosting
		where = append(where, cond)
		if arg != "" {
			args = append(args, arg)
		}
	}
	if f.After != nil {
		// "a.score <= ?" bounds the index range; the rest orders ties by ID.
		where = append(where, "a.score <= ? AND (a.score < ? OR a.id > ?)")
		args = append(args, f.After.Score, f.After.Score, f.After.ID)
	}
	// The page's ids first, then their rows: the columns, the posting and
	// the documents are read for the page only, and each database plans
	// the lookups for a few rows rather than for the whole selection.
	page := "SELECT a.id FROM applications a"
	if postingFilter {
		page += " JOIN postings p ON p.id = a.posting_id"
	}
	if len(where) > 0 {
		page += " WHERE " + strings.Join(where, " AND ")
	}
	n := limit(f.Limit)
	page += " ORDER BY a.score DESC, a.id LIMIT ?"
	args = append(args, n+1) // one more tells whether a next page exists
	q := "SELECT " + queueColumns + " FROM (" + page + ") q JOIN applications a ON a.id = q.id" +
		" JOIN postings p ON p.id = a.posting_id ORDER BY a.score DESC, a.id"
	items, err := queryAll(ctx, db, "list the review queue", q, args, scanQueueItem)
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

// searchCondition is the WHERE condition, and its one argument, that keeps
// the postings containing every word as a word prefix. The words are
// letters and digits only (jobpilot.SearchWords), so they carry no query
// syntax into FTS5's or PostgreSQL's query language.
//
// Neither database's planner knows how many postings a search matches
// (SQLite's cannot see inside FTS5; PostgreSQL estimates a word prefix at a
// fixed share of the rows), so the store counts them, up to searchFew: a
// search that matches fewer reads its matches and sorts them; one that
// matches more walks the queue in score order and keeps the matching rows,
// which stops as soon as the page is full instead of sorting tens of
// thousands. On PostgreSQL the few matches' ids are passed on as an array
// (a rare word's page: 23 ms walking the score order, 1.2 ms from its 483
// matches, on 100,000 applications); on SQLite "+" keeps the walk off the
// posting index. onPosting reports whether cond reads the posting (table
// p), which the page's query then joins; the others need only the
// application's posting_id (a rare word's page on SQLite: 2.4 -> 1.4 ms).
func (db *DB) searchCondition(ctx context.Context, words []string) (cond, arg string, onPosting bool, err error) {
	if len(words) == 0 {
		return "1 = 0", "", false, nil
	}
	terms := make([]string, len(words))
	if db.postgres {
		// "w | w:*" matches what "w:*" does, but PostgreSQL estimates a
		// prefix at a fixed 2% of rows and a whole word from its statistics:
		// with the word beside the prefix, a search for a common word is
		// known to be common.
		for i, w := range words {
			terms[i] = "(" + w + " | " + w + ":*)"
		}
		return db.pgSearchCondition(ctx, strings.Join(terms, " & "))
	}
	for i, w := range words {
		terms[i] = `"` + w + `"*`
	}
	match := strings.Join(terms, " AND ")
	var n int
	err = db.queryRow(ctx, db.reader(), "SELECT COUNT(*) FROM (SELECT 1 FROM postings_search WHERE postings_search MATCH ? LIMIT ?)",
		match, searchFew).Scan(&n)
	if err != nil {
		return "", "", false, dbErr("search postings", err)
	}
	column := "a.posting_id"
	if n >= searchFew {
		column = "+a.posting_id"
	}
	return column + " IN (SELECT rowid FROM postings_search WHERE postings_search MATCH ?)", match, false, nil
}

// pgSearchCondition is searchCondition on PostgreSQL for the text-search
// query tsq: the matches' ids as an array literal when there are at most
// searchFew of them, else the query itself. Reading up to searchFew
// matches to count them costs a common word tens of milliseconds (its
// postings are tested one by one), so a query the planner knows from its
// statistics to match at least a tenth of the postings skips the count.
func (db *DB) pgSearchCondition(ctx context.Context, tsq string) (cond, arg string, onPosting bool, err error) {
	byScore := "p.search @@ to_tsquery('simple', ?)"
	if common, err := db.pgCommonSearch(ctx, tsq); err != nil {
		return "", "", false, err
	} else if common {
		return byScore, tsq, true, nil
	}
	rows, err := db.query(ctx, db.reader(), "SELECT id FROM postings WHERE search @@ to_tsquery('simple', ?) LIMIT ?", tsq, searchFew+1)
	if err != nil {
		return "", "", false, dbErr("search postings", err)
	}
	defer rows.Close()
	var ids strings.Builder
	ids.WriteByte('{')
	n := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", "", false, dbErr("search postings", err)
		}
		if n > 0 {
			ids.WriteByte(',')
		}
		ids.WriteString(strconv.FormatInt(id, 10))
		n++
	}
	if err := rows.Err(); err != nil {
		return "", "", false, dbErr("search postings", err)
	}
	if n > searchFew {
		return byScore, tsq, true, nil
	}
	ids.WriteByte('}')
	return "a.posting_id IN (SELECT unnest(?::bigint[]))", ids.String(), false, nil
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

// searchFew is where a search stops reading its matches first: see
// searchCondition.
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
