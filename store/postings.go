package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

const postingColumns = "id, source, external_id, company, title, location, remote, description, url, apply_url, contact_email, " +
	"published_at, fingerprint, content_hash, closed_at, example, created_at, updated_at, " + detailColumns

// UpsertPostings imports one source's postings in one transaction:
//
//   - each posting is normalised (Fingerprint, ContentHash) and validated; a
//     posting whose Source is empty takes source, one naming another source is
//     EINVALID. Any invalid posting fails the whole import and stores nothing;
//   - unknown (source, external id) pairs are inserted (New);
//   - known ones whose content hash changed are updated and reopened
//     (Updated); a closed posting that reappears unchanged is reopened and
//     counted as Updated too; the rest are Unchanged;
//   - with closeMissing, the source's open postings absent from ps get
//     closed_at set (Closed). They are never deleted: applications refer to
//     them. Use closeMissing only with a complete listing of the board.
//
// ps[i].ID, CreatedAt, UpdatedAt and ClosedAt are set from the stored rows.
// A posting listed twice in ps counts once as new and then as unchanged or
// updated.
func (db *DB) UpsertPostings(ctx context.Context, source string, ps []jobpilot.Posting, closeMissing bool) (jobpilot.UpsertResult, error) {
	var res jobpilot.UpsertResult
	if strings.TrimSpace(source) == "" {
		return res, jobpilot.FieldError("source", "is required")
	}
	for i := range ps {
		p := &ps[i]
		if p.Source == "" {
			p.Source = source
		}
		if p.Source != source {
			return res, jobpilot.FieldError("source", "posting %q is from %q, not %q", p.ExternalID, p.Source, source)
		}
		p.Normalize()
		if !p.PublishedAt.IsZero() {
			p.PublishedAt = p.PublishedAt.UTC().Truncate(time.Microsecond)
		}
		if err := p.Validate(); err != nil {
			return res, err
		}
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		res = jobpilot.UpsertResult{}
		now := db.clock()
		seen := make(map[string]bool, len(ps))
		var err error
		for i := range ps {
			p := &ps[i]
			seen[p.ExternalID] = true
			var o upsertOutcome
			o, err = db.upsertPosting(ctx, tx, p, now)
			if err != nil {
				return err
			}
			switch o {
			case upsertNew:
				res.New++
			case upsertUpdated:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		if !closeMissing {
			return nil
		}
		res.Closed, err = db.closeMissing(ctx, tx, source, seen, now)
		return err
	})
	if err != nil {
		return jobpilot.UpsertResult{}, err
	}
	if res.New > 0 || res.Updated > 0 {
		db.postingsChanged()
	}
	return res, nil
}

// CloseMissingPostings marks closed the source's open postings whose
// external id is not in seen, and returns how many. It completes an import
// made in several UpsertPostings calls (a big board stored in batches, with
// closeMissing false): call it only after the board was read in full.
// Postings are never deleted: applications refer to them.
func (db *DB) CloseMissingPostings(ctx context.Context, source string, seen []string) (int, error) {
	keep := make(map[string]bool, len(seen))
	for _, s := range seen {
		keep[s] = true
	}
	var closed int
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		closed, err = db.closeMissing(ctx, tx, source, keep, db.clock())
		return err
	})
	return closed, err
}

// closeMissing closes the source's open postings absent from seen.
func (db *DB) closeMissing(ctx context.Context, tx *sql.Tx, source string, seen map[string]bool, now time.Time) (int, error) {
	rows, err := db.query(ctx, tx, "SELECT id, external_id FROM postings WHERE source = ? AND closed_at IS NULL", source)
	if err != nil {
		return 0, dbErr("find missing postings", err)
	}
	var missing []int64
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			rows.Close()
			return 0, dbErr("find missing postings", err)
		}
		if !seen[ext] {
			missing = append(missing, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, dbErr("find missing postings", err)
	}
	for _, id := range missing {
		if _, err := db.exec(ctx, tx, "UPDATE postings SET closed_at = ?, updated_at = ? WHERE id = ?", db.timeArg(now), db.timeArg(now), id); err != nil {
			return 0, dbErr("close posting", err)
		}
	}
	return len(missing), nil
}

type upsertOutcome int

const (
	upsertUnchanged upsertOutcome = iota
	upsertNew
	upsertUpdated
)

// upsertPosting stores one normalised posting and fills in its ID and
// timestamps.
func (db *DB) upsertPosting(ctx context.Context, tx *sql.Tx, p *jobpilot.Posting, now time.Time) (upsertOutcome, error) {
	// Two imports of one source may race (on PostgreSQL, two nodes): the
	// insert then finds the other's row (ON CONFLICT DO NOTHING returns no
	// row once that transaction commits) and we go round once more to treat
	// it as an existing posting.
	for attempt := 0; ; attempt++ {
		var (
			id                       int64
			hash                     string
			closed, created, updated dbTime
		)
		err := db.queryRow(ctx, tx, "SELECT id, content_hash, closed_at, created_at, updated_at FROM postings WHERE source = ? AND external_id = ?"+db.forUpdate(),
			p.Source, p.ExternalID).Scan(&id, &hash, &closed, &created, &updated)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = db.queryRow(ctx, tx, `INSERT INTO postings (source, external_id, company, title, location, remote, description,
    url, apply_url, contact_email, published_at, fingerprint, content_hash, example, created_at, updated_at, `+detailColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+detailPlaceholders+`)
ON CONFLICT (source, external_id) DO NOTHING RETURNING id`,
				append([]any{p.Source, p.ExternalID, p.Company, p.Title, p.Location, p.Remote, p.Description,
					p.URL, p.ApplyURL, p.ContactEmail, db.nullTimeArg(&p.PublishedAt), p.Fingerprint, p.ContentHash,
					p.Example, db.timeArg(now), db.timeArg(now)}, detailArgs(p)...)...).Scan(&p.ID)
			if errors.Is(err, sql.ErrNoRows) && attempt == 0 {
				continue
			}
			if err != nil {
				return 0, dbErr("insert posting", err)
			}
			p.CreatedAt, p.UpdatedAt, p.ClosedAt = now, now, nil
			return upsertNew, nil
		case err != nil:
			return 0, dbErr("find posting", err)
		case hash != p.ContentHash || closed.Valid:
			_, err = db.exec(ctx, tx, `UPDATE postings SET company = ?, title = ?, location = ?, remote = ?, description = ?,
    url = ?, apply_url = ?, contact_email = ?, published_at = ?, fingerprint = ?, content_hash = ?, example = ?,
    closed_at = NULL, updated_at = ?, `+detailAssignments+` WHERE id = ?`,
				append(append([]any{p.Company, p.Title, p.Location, p.Remote, p.Description, p.URL, p.ApplyURL, p.ContactEmail,
					db.nullTimeArg(&p.PublishedAt), p.Fingerprint, p.ContentHash, p.Example, db.timeArg(now)}, detailArgs(p)...), id)...)
			if err != nil {
				return 0, dbErr("update posting", err)
			}
			p.ID, p.CreatedAt, p.UpdatedAt, p.ClosedAt = id, created.Time, now, nil
			return upsertUpdated, nil
		default:
			p.ID, p.CreatedAt, p.UpdatedAt, p.ClosedAt = id, created.Time, updated.Time, nil
			return upsertUnchanged, nil
		}
	}
}

// Posting returns posting id, or ENOTFOUND.
func (db *DB) Posting(ctx context.Context, id int64) (*jobpilot.Posting, error) {
	p, err := scanPosting(db.queryRow(ctx, db.db, "SELECT "+postingColumns+" FROM postings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("posting", id)
	}
	if err != nil {
		return nil, dbErr("get posting", err)
	}
	return p, nil
}

// Postings returns the postings that match f, by ascending ID, at most
// f.Limit (default DefaultLimit). Pass the last ID as f.AfterID for the next
// page. Query matches a case-insensitive substring of company or title.
func (db *DB) Postings(ctx context.Context, f jobpilot.PostingFilter) ([]*jobpilot.Posting, error) {
	var (
		where []string
		args  []any
	)
	if f.Source != "" {
		where, args = append(where, "source = ?"), append(args, f.Source)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := "%" + escapeLike(strings.ToLower(q)) + "%"
		where = append(where, `(lower(company) LIKE ? ESCAPE '\' OR lower(title) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	if f.Remote != nil {
		where, args = append(where, "remote = ?"), append(args, *f.Remote)
	}
	if f.OpenOnly {
		where = append(where, "closed_at IS NULL")
	}
	if f.HasEmail != nil {
		if *f.HasEmail {
			where = append(where, "contact_email <> ''")
		} else {
			where = append(where, "contact_email = ''")
		}
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.ExampleOff {
		where, args = append(where, "example = ?"), append(args, false)
	}
	q := "SELECT " + postingColumns + " FROM postings"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit(f.Limit))
	return queryAll(ctx, db, "list postings", q, args, scanPosting)
}

// escapeLike escapes LIKE's wildcards so user text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func scanPosting(s scanner) (*jobpilot.Posting, error) {
	var (
		p                                   jobpilot.Posting
		published, closed, created, updated dbTime
		d                                   detailScan
	)
	err := s.Scan(append([]any{&p.ID, &p.Source, &p.ExternalID, &p.Company, &p.Title, &p.Location, &p.Remote, &p.Description,
		&p.URL, &p.ApplyURL, &p.ContactEmail, &published, &p.Fingerprint, &p.ContentHash, &closed, &p.Example,
		&created, &updated}, d.dest()...)...)
	if err != nil {
		return nil, err
	}
	p.PublishedAt, p.ClosedAt, p.CreatedAt, p.UpdatedAt = published.Time, closed.ptr(), created.Time, updated.Time
	if err := d.fill(&p); err != nil {
		return nil, err
	}
	return &p, nil
}
