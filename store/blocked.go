package store

import (
	"context"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// BlockCompany blocks b.Company for b.ProfileID, keyed by
// jobpilot.CompanyKey so "Acme, Inc." and "ACME" are one company; blocking
// it again replaces the name and the reason. The profile must exist
// (ENOTFOUND).
func (db *DB) BlockCompany(ctx context.Context, b *jobpilot.BlockedCompany) error {
	b.Company = strings.TrimSpace(b.Company)
	key := jobpilot.CompanyKey(b.Company)
	switch {
	case key == "":
		return jobpilot.FieldError("company", "is required")
	case len(b.Reason) > jobpilot.MaxNoteLen:
		return jobpilot.FieldError("reason", "must be at most %d characters", jobpilot.MaxNoteLen)
	}
	if _, err := db.Profile(ctx, b.ProfileID); err != nil {
		return err
	}
	b.CreatedAt = db.clock()
	_, err := db.exec(ctx, db.db, `INSERT INTO blocked_companies (profile_id, company_key, company, reason, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (profile_id, company_key) DO UPDATE SET company = excluded.company, reason = excluded.reason`,
		b.ProfileID, key, b.Company, b.Reason, db.timeArg(b.CreatedAt))
	if err != nil {
		return dbErr("block company", err)
	}
	return nil
}

// BlockedCompanies lists a profile's blocked companies by name.
func (db *DB) BlockedCompanies(ctx context.Context, profileID int64) ([]jobpilot.BlockedCompany, error) {
	return queryAll(ctx, db, "list blocked companies",
		"SELECT profile_id, company, reason, created_at FROM blocked_companies WHERE profile_id = ? ORDER BY company_key",
		[]any{profileID}, func(s scanner) (jobpilot.BlockedCompany, error) {
			var (
				b       jobpilot.BlockedCompany
				created dbTime
			)
			err := s.Scan(&b.ProfileID, &b.Company, &b.Reason, &created)
			b.CreatedAt = created.Time
			return b, err
		})
}
