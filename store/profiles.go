package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

const profileColumns = "id, resume, preferences, version, example, created_at, updated_at"

// CreateProfile validates p, stores it and sets its ID, Version (1) and
// timestamps. An invalid profile is EINVALID and nothing is stored.
func (db *DB) CreateProfile(ctx context.Context, p *jobpilot.Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	resume, prefs, err := profileJSON(p)
	if err != nil {
		return err
	}
	now := db.clock()
	err = db.queryRow(ctx, db.db,
		"INSERT INTO profiles (resume, preferences, version, example, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?) RETURNING id",
		resume, prefs, p.Example, db.timeArg(now), db.timeArg(now)).Scan(&p.ID)
	if err != nil {
		return dbErr("create profile", err)
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
	return nil
}

// ReplaceProfile replaces the resume and preferences of profile p.ID, bumps
// its version and sets p.Version and the timestamps from the stored row.
// Example is stored as given, so replacing the example profile with real
// facts (p.Example false) makes it a real one. ENOTFOUND when the profile
// does not exist; EINVALID, and nothing changes, when p is invalid.
func (db *DB) ReplaceProfile(ctx context.Context, p *jobpilot.Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	resume, prefs, err := profileJSON(p)
	if err != nil {
		return err
	}
	now := db.clock()
	var created dbTime
	err = db.queryRow(ctx, db.db,
		"UPDATE profiles SET resume = ?, preferences = ?, version = version + 1, example = ?, updated_at = ? WHERE id = ? RETURNING version, created_at",
		resume, prefs, p.Example, db.timeArg(now), p.ID).Scan(&p.Version, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("profile", p.ID)
	}
	if err != nil {
		return dbErr("replace profile", err)
	}
	p.CreatedAt, p.UpdatedAt = created.Time, now
	return nil
}

// Profile returns profile id, or ENOTFOUND.
func (db *DB) Profile(ctx context.Context, id int64) (*jobpilot.Profile, error) {
	p, err := scanProfile(db.queryRow(ctx, db.db, "SELECT "+profileColumns+" FROM profiles WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("profile", id)
	}
	if err != nil {
		return nil, dbErr("get profile", err)
	}
	return p, nil
}

// Profiles returns every profile by ID.
func (db *DB) Profiles(ctx context.Context) ([]*jobpilot.Profile, error) {
	return queryAll(ctx, db, "list profiles", "SELECT "+profileColumns+" FROM profiles ORDER BY id", nil, scanProfile)
}

func profileJSON(p *jobpilot.Profile) (resume, prefs string, err error) {
	r, err := json.Marshal(p.Resume)
	if err != nil {
		return "", "", fmt.Errorf("store: encode resume: %w", err)
	}
	pr, err := json.Marshal(p.Preferences)
	if err != nil {
		return "", "", fmt.Errorf("store: encode preferences: %w", err)
	}
	return string(r), string(pr), nil
}

type scanner interface{ Scan(dest ...any) error }

func scanProfile(s scanner) (*jobpilot.Profile, error) {
	var (
		p                jobpilot.Profile
		resume, prefs    []byte
		created, updated dbTime
	)
	if err := s.Scan(&p.ID, &resume, &prefs, &p.Version, &p.Example, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resume, &p.Resume); err != nil {
		return nil, fmt.Errorf("profile %d: decode resume: %w", p.ID, err)
	}
	if err := json.Unmarshal(prefs, &p.Preferences); err != nil {
		return nil, fmt.Errorf("profile %d: decode preferences: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	return &p, nil
}
