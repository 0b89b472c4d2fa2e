package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

// SaveDocuments stores an application's documents, replacing any earlier
// version (a re-draft after a profile change, or a retried draft), and sets
// d.CreatedAt. In the same transaction it replaces the application's
// guard_removal events with one per d.Removals entry, so a draft run again
// records its removals once, not once per attempt. ENOTFOUND when the
// application does not exist. Nil PDFs are stored as NULL and read back as
// nil.
func (db *DB) SaveDocuments(ctx context.Context, d *jobpilot.Documents) error {
	resume, err := json.Marshal(d.Resume)
	if err != nil {
		return fmt.Errorf("store: encode tailored resume: %w", err)
	}
	now := db.clock()
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := db.queryRow(ctx, tx, "SELECT 1 FROM applications WHERE id = ?", d.ApplicationID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application", d.ApplicationID)
		}
		if err != nil {
			return dbErr("find application", err)
		}
		_, err = db.exec(ctx, tx, `INSERT INTO documents (application_id, resume, resume_pdf, cover_letter, cover_letter_pdf, writer, removals, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (application_id) DO UPDATE SET resume = excluded.resume, resume_pdf = excluded.resume_pdf,
    cover_letter = excluded.cover_letter, cover_letter_pdf = excluded.cover_letter_pdf, writer = excluded.writer,
    removals = excluded.removals, created_at = excluded.created_at`,
			d.ApplicationID, string(resume), nilIfEmpty(d.ResumePDF), d.CoverLetter, nilIfEmpty(d.CoverLetterPDF),
			d.Writer, removalsJSON(d.Removals), db.timeArg(now))
		if err != nil {
			return dbErr("save documents", err)
		}
		return db.replaceGuardEvents(ctx, tx, d.ApplicationID, d.Removals)
	})
	if err != nil {
		return err
	}
	d.CreatedAt = now
	return nil
}

// Documents returns an application's documents, or ENOTFOUND when none were
// saved (the application may exist and still be drafting).
func (db *DB) Documents(ctx context.Context, applicationID int64) (*jobpilot.Documents, error) {
	var (
		d       jobpilot.Documents
		resume  []byte
		created dbTime
	)
	var removals []byte
	err := db.queryRow(ctx, db.db, `SELECT application_id, resume, resume_pdf, cover_letter, cover_letter_pdf, writer, removals, created_at
FROM documents WHERE application_id = ?`, applicationID).
		Scan(&d.ApplicationID, &resume, &d.ResumePDF, &d.CoverLetter, &d.CoverLetterPDF, &d.Writer, &removals, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "documents of application %d not found", applicationID)
	}
	if err != nil {
		return nil, dbErr("get documents", err)
	}
	if err := json.Unmarshal(resume, &d.Resume); err != nil {
		return nil, fmt.Errorf("store: documents of application %d: decode resume: %w", applicationID, err)
	}
	if len(removals) > 0 {
		if err := json.Unmarshal(removals, &d.Removals); err != nil {
			return nil, fmt.Errorf("store: documents of application %d: decode removals: %w", applicationID, err)
		}
	}
	d.CreatedAt = created.Time
	return &d, nil
}

func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func removalsJSON(rs []jobpilot.Removal) string {
	if len(rs) == 0 {
		return "[]"
	}
	return mustJSON(rs)
}

// replaceGuardEvents deletes an application's guard_removal events and
// records one per removal, in tx.
func (db *DB) replaceGuardEvents(ctx context.Context, tx *sql.Tx, appID int64, rs []jobpilot.Removal) error {
	if _, err := db.exec(ctx, tx, "DELETE FROM events WHERE application_id = ? AND kind = ?", appID, jobpilot.EventGuardRemoval); err != nil {
		return dbErr("replace guard events", err)
	}
	for _, r := range rs {
		e := &jobpilot.Event{ApplicationID: appID, Kind: jobpilot.EventGuardRemoval,
			Message: fmt.Sprintf("removed %q from %s: %s", r.Value, r.Field, r.Reason),
			Data:    map[string]string{"kind": r.Kind, "field": r.Field, "value": r.Value, "reason": r.Reason}}
		if err := db.addEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}
