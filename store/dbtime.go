package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Time handling. PostgreSQL keeps microseconds; we truncate on both
// databases so a value reads back equal to what was written wherever it is
// stored. SQLite gets a fixed-width UTC text form, which sorts and compares
// correctly as a string (SentSince, ordering by time).
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// timeResolution is the precision kept on both databases.
const timeResolution = time.Microsecond

func (db *DB) clock() time.Time { return db.now().UTC().Truncate(timeResolution) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// timeArg is the query argument for t.
func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.postgres {
		return t
	}
	return t.Format(sqliteTimeLayout)
}

// nullTimeArg is the query argument for an optional time: NULL when t is nil
// or zero.
func (db *DB) nullTimeArg(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return db.timeArg(*t)
}

// dbTime scans a time stored by either database.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: v.UTC(), Valid: true}
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("store: cannot scan %T into a time", src)
}

func (t *dbTime) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	*t = dbTime{Time: v.UTC(), Valid: true}
	return nil
}

// ptr returns the time as an optional value.
func (t dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
