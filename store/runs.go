package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// StartRun records the start of an automation or fetch pass (status
// running) and returns it with its ID.
func (db *DB) StartRun(ctx context.Context, kind string) (*jobpilot.Run, error) {
	if strings.TrimSpace(kind) == "" {
		return nil, jobpilot.FieldError("kind", "is required")
	}
	r := &jobpilot.Run{Kind: kind, Status: jobpilot.RunRunning, StartedAt: db.clock()}
	err := db.queryRow(ctx, db.db, "INSERT INTO runs (kind, status, started_at) VALUES (?, ?, ?) RETURNING id",
		r.Kind, r.Status, db.timeArg(r.StartedAt)).Scan(&r.ID)
	if err != nil {
		return nil, dbErr("start run", err)
	}
	return r, nil
}

// FinishRun stores r's Status, Counts and Error and its FinishedAt (set to
// now when nil). A run left "running" by a crash stays so; the engine's
// next pass starts a new one. ENOTFOUND for an unknown run.
func (db *DB) FinishRun(ctx context.Context, r *jobpilot.Run) error {
	if r.Status == "" || r.Status == jobpilot.RunRunning {
		return jobpilot.FieldError("status", "a finished run needs a final status, got %q", r.Status)
	}
	if r.FinishedAt == nil {
		t := db.clock()
		r.FinishedAt = &t
	}
	r.Error = db.clean(r.Error)
	var counts any
	if len(r.Counts) > 0 {
		b, err := json.Marshal(r.Counts)
		if err != nil {
			return fmt.Errorf("store: encode run counts: %w", err)
		}
		counts = string(b)
	}
	res, err := db.exec(ctx, db.db, "UPDATE runs SET status = ?, counts = ?, error = ?, finished_at = ? WHERE id = ?",
		r.Status, counts, r.Error, db.nullTimeArg(r.FinishedAt), r.ID)
	if err != nil {
		return dbErr("finish run", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return notFound("run", r.ID)
	}
	return nil
}

// Runs returns the latest runs, newest first, at most limit (default
// DefaultLimit).
func (db *DB) Runs(ctx context.Context, n int) ([]*jobpilot.Run, error) {
	return queryAll(ctx, db, "list runs", "SELECT id, kind, status, counts, error, started_at, finished_at FROM runs ORDER BY id DESC LIMIT ?",
		[]any{limit(n)}, scanRun)
}

func scanRun(s scanner) (*jobpilot.Run, error) {
	var (
		r                 jobpilot.Run
		counts            []byte
		started, finished dbTime
	)
	if err := s.Scan(&r.ID, &r.Kind, &r.Status, &counts, &r.Error, &started, &finished); err != nil {
		return nil, err
	}
	if len(counts) > 0 {
		if err := json.Unmarshal(counts, &r.Counts); err != nil {
			return nil, fmt.Errorf("run %d: decode counts: %w", r.ID, err)
		}
	}
	r.StartedAt, r.FinishedAt = started.Time, finished.ptr()
	return &r, nil
}
