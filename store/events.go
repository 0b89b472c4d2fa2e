package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// AddEvent records e and sets its ID and CreatedAt (now, when zero).
// ApplicationID 0 makes it a service-wide event; a non-zero one must name an
// existing application (ENOTFOUND otherwise).
func (db *DB) AddEvent(ctx context.Context, e *jobpilot.Event) error {
	if strings.TrimSpace(e.Kind) == "" {
		return jobpilot.FieldError("kind", "is required")
	}
	if e.ApplicationID != 0 {
		var one int
		if err := db.queryRow(ctx, db.db, "SELECT 1 FROM applications WHERE id = ?", e.ApplicationID).Scan(&one); err != nil {
			if isNoRows(err) {
				return notFound("application", e.ApplicationID)
			}
			return dbErr("find application", err)
		}
	}
	return db.addEvent(ctx, db.db, e)
}

// addEvent inserts e with q (a transaction, or the pool).
func (db *DB) addEvent(ctx context.Context, q querier, e *jobpilot.Event) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = db.clock()
	} else {
		e.CreatedAt = e.CreatedAt.UTC().Truncate(timeResolution)
	}
	var appID, data any
	if e.ApplicationID != 0 {
		appID = e.ApplicationID
	}
	e.Message = db.clean(e.Message)
	if len(e.Data) > 0 {
		clean := make(map[string]string, len(e.Data))
		for k, v := range e.Data {
			clean[k] = db.clean(v)
		}
		e.Data = clean
		b, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("store: encode event data: %w", err)
		}
		data = string(b)
	}
	err := db.queryRow(ctx, q, "INSERT INTO events (application_id, kind, message, data, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		appID, e.Kind, e.Message, data, db.timeArg(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return dbErr("add event", err)
	}
	return nil
}

// Events returns the events that match f, newest first (by descending ID),
// at most f.Limit (default DefaultLimit). Pass the last ID as f.BeforeID for
// the next (older) page. ApplicationID 0 selects every event, service-wide
// ones included.
func (db *DB) Events(ctx context.Context, f jobpilot.EventFilter) ([]*jobpilot.Event, error) {
	var (
		where []string
		args  []any
	)
	if f.ApplicationID > 0 {
		where, args = append(where, "application_id = ?"), append(args, f.ApplicationID)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	q := "SELECT id, application_id, kind, message, data, created_at FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit(f.Limit))
	return queryAll(ctx, db, "list events", q, args, scanEvent)
}

func scanEvent(s scanner) (*jobpilot.Event, error) {
	var (
		e       jobpilot.Event
		appID   *int64
		data    []byte
		created dbTime
	)
	if err := s.Scan(&e.ID, &appID, &e.Kind, &e.Message, &data, &created); err != nil {
		return nil, err
	}
	if appID != nil {
		e.ApplicationID = *appID
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &e.Data); err != nil {
			return nil, fmt.Errorf("event %d: decode data: %w", e.ID, err)
		}
	}
	e.CreatedAt = created.Time
	return &e, nil
}
