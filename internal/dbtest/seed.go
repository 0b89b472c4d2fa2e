package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// Seeded describes what Seed stored.
type Seeded struct {
	ProfileID int64
	// Companies and Sources are every company and source name used.
	Companies, Sources []string
	// Counts are the applications per status.
	Counts map[jobpilot.Status]int
}

// seedStatuses is the mix of a long search: most postings skipped, a fifth
// waiting for review, the rest on their way or done.
var seedStatuses = []struct {
	status jobpilot.Status
	share  int // in percent
}{
	{jobpilot.StatusSkipped, 50}, {jobpilot.StatusReady, 20}, {jobpilot.StatusSent, 15},
	{jobpilot.StatusFollowedUp, 5}, {jobpilot.StatusFailed, 4}, {jobpilot.StatusInterviewing, 3},
	{jobpilot.StatusRejected, 2}, {jobpilot.StatusNeedsReview, 1},
}

// seedWords make up the postings' text; "zeppelin" is rare on purpose (a
// search with few hits), "engineer" common (a search with many).
var seedWords = strings.Fields(`engineer backend frontend platform data reliability senior staff lead go python
	rust java kubernetes postgresql kafka redis aws gcp terraform services api distributed systems team product
	customers payments logistics search ranking observability on-call latency throughput migrations testing
	review mentoring remote hybrid berlin lisbon london paris amsterdam warsaw equity benefits learning budget`)

// Seed stores one profile and n postings with one application each, in
// bulk (multi-row INSERTs, 500 rows a statement, one transaction per
// batch), for load tests: about 700 bytes of description per posting, 2,000
// companies over 20 sources, scores spread over 0–100, statuses in the mix
// of seedStatuses, and small documents (no PDFs) for the ready ones. The
// random choices are seeded, so two runs store the same rows.
func Seed(tb testing.TB, db *store.DB, n int) Seeded {
	tb.Helper()
	ctx := context.Background()
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Load Test", Email: "load@example.com"}}}
	if err := db.CreateProfile(ctx, p); err != nil {
		tb.Fatal(err)
	}
	s := Seeded{ProfileID: p.ID, Counts: map[jobpilot.Status]int{}}
	for i := range 2000 {
		s.Companies = append(s.Companies, fmt.Sprintf("Company %04d", i))
	}
	for i := range 20 {
		s.Sources = append(s.Sources, fmt.Sprintf("greenhouse:board%02d", i))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 500
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var posts, apps, docs [][]any
		for i := start; i < end; i++ {
			company := s.Companies[rng.IntN(len(s.Companies))]
			source := s.Sources[rng.IntN(len(s.Sources))]
			title := seedWords[rng.IntN(10)] + " " + seedWords[rng.IntN(len(seedWords))] + " engineer"
			var desc strings.Builder
			for desc.Len() < 700 {
				desc.WriteString(seedWords[rng.IntN(len(seedWords))])
				desc.WriteByte(' ')
			}
			if rng.IntN(200) == 0 {
				desc.WriteString("zeppelin")
			}
			fp := "seed-" + strconv.Itoa(i)
			posts = append(posts, []any{source, fp, company, title, desc.String(), "https://jobs.example.com/" + fp,
				"jobs@" + strings.ToLower(strings.ReplaceAll(company, " ", "")) + ".example.com", fp, fp, stamp(db, now), stamp(db, now)})
			st := pick(rng)
			s.Counts[st]++
			score := rng.IntN(101)
			apps = append(apps, []any{p.ID, source, fp, string(st), score,
				fmt.Sprintf(`{"score":%d,"for":["title matches %s","%s named in the posting"],"against":["no salary given"]}`, score, title, seedWords[rng.IntN(len(seedWords))]),
				jobpilot.ApplyViaEmail, "template", stamp(db, now)})
			if st == jobpilot.StatusReady {
				docs = append(docs, []any{fp})
			}
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := insertRows(ctx, db, tx, "INSERT INTO postings (source, external_id, company, title, description, url, contact_email, fingerprint, content_hash, created_at, updated_at) VALUES ", posts); err != nil {
				return err
			}
			// Each application's posting is found by its source and
			// external id (the unique index), the fingerprint's twin here.
			// A VALUES list's columns are column1, column2 … on both.
			explanation := "v.column6"
			if db.Postgres() {
				explanation += "::jsonb"
			}
			if err := insertRows(ctx, db, tx, "INSERT INTO applications (profile_id, posting_id, source, fingerprint, status, score, explanation, apply_via, writer, created_at, updated_at) "+
				"SELECT v.column1, p.id, p.source, v.column3, v.column4, v.column5, "+explanation+", v.column7, v.column8, v.column9, v.column9 FROM (VALUES ", apps,
				") AS v JOIN postings p ON p.source = v.column2 AND p.external_id = v.column3"); err != nil {
				return err
			}
			if len(docs) == 0 {
				return nil
			}
			return insertRows(ctx, db, tx, `INSERT INTO documents (application_id, resume, cover_letter, writer, created_at) SELECT a.id, '{}', 'Dear hiring manager', 'template', a.created_at FROM (VALUES `, docs,
				") AS v JOIN applications a ON a.profile_id = "+strconv.FormatInt(p.ID, 10)+" AND a.fingerprint = v.column1")
		})
		if err != nil {
			tb.Fatalf("seed rows %d–%d: %v", start, end, err)
		}
	}
	// The statistics, and on PostgreSQL what autovacuum would soon do to a
	// bulk load: set the rows' hint bits and the visibility map, without
	// which the first read of every row writes its page.
	analyze := "ANALYZE"
	if db.Postgres() {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := db.SQL().ExecContext(ctx, analyze); err != nil {
		tb.Fatalf("%s: %v", analyze, err)
	}
	return s
}

func pick(rng *rand.Rand) jobpilot.Status {
	r := rng.IntN(100)
	for _, s := range seedStatuses {
		if r < s.share {
			return s.status
		}
		r -= s.share
	}
	return jobpilot.StatusSkipped
}

// stamp is a time as the store writes it (text on SQLite).
func stamp(db *store.DB, t time.Time) any {
	if db.Postgres() {
		return t
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

// insertRows runs head, then one "(…)" tuple of placeholders per row, then
// tail, with the rows' values as arguments ($n on PostgreSQL).
func insertRows(ctx context.Context, db *store.DB, tx *sql.Tx, head string, rows [][]any, tail ...string) error {
	var b strings.Builder
	b.WriteString(head)
	var args []any
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			if db.Postgres() {
				b.WriteString("$" + strconv.Itoa(len(args)))
				if i == 0 {
					b.WriteString(pgCast(v))
				}
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	b.WriteString(strings.Join(tail, ""))
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

// pgCast types the first row of a VALUES list, which PostgreSQL needs to
// type the columns of the list.
func pgCast(v any) string {
	switch v.(type) {
	case int, int64:
		return "::bigint"
	case time.Time:
		return "::timestamptz"
	}
	return "::text"
}
