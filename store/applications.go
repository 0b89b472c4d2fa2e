package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

const applicationColumns = "id, profile_id, posting_id, fingerprint, status, score, explanation, apply_via, writer, " +
	"profile_version, posting_hash, attempts, error, message_id, sent_at, followed_up_at, example, guard, " +
	"send_after, delivery, recipient, note, status_at, created_at, updated_at"

// CreateApplication inserts app unless its profile already has an
// application for the same posting fingerprint (the same job in another city
// or from another source); then app is filled with the existing one, created
// is false and tasks are not enqueued.
//
// An empty Fingerprint is taken from the posting, an empty Status is
// StatusMatched. The profile and the posting must exist (ENOTFOUND). A new
// application gets an EventStatus event ("created as <status>") and its
// tasks go through the TaskInserter in the same transaction: when enqueueing
// fails, the application is not created either. A task with ApplicationID 0
// gets the new application's ID.
func (db *DB) CreateApplication(ctx context.Context, app *jobpilot.Application, tasks ...jobpilot.Task) (bool, error) {
	if app.Status == "" {
		app.Status = jobpilot.StatusMatched
	}
	if err := checkNewApplication(app); err != nil {
		return false, err
	}
	explanation, err := json.Marshal(app.Explanation)
	if err != nil {
		return false, fmt.Errorf("store: encode explanation: %w", err)
	}
	var created bool
	var stored *jobpilot.Application
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		fingerprint, source, err := db.parentsOf(ctx, tx, app)
		if err != nil {
			return err
		}
		if app.Fingerprint == "" {
			app.Fingerprint = fingerprint
		}
		if stored, created, err = db.insertApplication(ctx, tx, app, source, explanation); err != nil || !created {
			return err
		}
		err = db.addEvent(ctx, tx, &jobpilot.Event{
			ApplicationID: stored.ID,
			Kind:          jobpilot.EventStatus,
			Message:       "created as " + string(app.Status),
			Data:          map[string]string{"to": string(app.Status)},
		})
		if err != nil {
			return err
		}
		// A task cannot know the id of the application it is created with:
		// ApplicationID 0 means "this application". Copy, so the caller's
		// slice is left as it was (a retried call fills it in again).
		tasks := slices.Clone(tasks)
		for i := range tasks {
			if tasks[i].ApplicationID == 0 {
				tasks[i].ApplicationID = stored.ID
			}
		}
		return db.insertTasks(ctx, tx, tasks)
	})
	if err != nil {
		return false, err
	}
	*app = *stored
	return created, nil
}

func checkNewApplication(app *jobpilot.Application) error {
	switch {
	case !app.Status.Valid():
		return jobpilot.FieldError("status", "unknown status %q", app.Status)
	case app.ProfileID <= 0:
		return jobpilot.FieldError("profile_id", "is required")
	case app.PostingID <= 0:
		return jobpilot.FieldError("posting_id", "is required")
	}
	return nil
}

// parentsOf checks that app's profile and posting exist (ENOTFOUND naming
// the missing one) and returns the posting's fingerprint. One round trip
// checks both; which one is missing is worked out only on failure.
func (db *DB) parentsOf(ctx context.Context, tx *sql.Tx, app *jobpilot.Application) (fingerprint, source string, err error) {
	var profiles int
	err = db.queryRow(ctx, tx, "SELECT fingerprint, source, (SELECT COUNT(*) FROM profiles WHERE id = ?) FROM postings WHERE id = ?",
		app.ProfileID, app.PostingID).Scan(&fingerprint, &source, &profiles)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", "", notFound("posting", app.PostingID)
	case err != nil:
		return "", "", dbErr("find posting", err)
	case profiles == 0:
		return "", "", notFound("profile", app.ProfileID)
	}
	return fingerprint, source, nil
}

// insertApplication inserts app unless the profile already has an
// application with its fingerprint, which it then returns instead, with
// created false. source is the posting's, copied for the queue's source
// filter (migration 0010).
func (db *DB) insertApplication(ctx context.Context, tx *sql.Tx, app *jobpilot.Application, source string, explanation []byte) (stored *jobpilot.Application, created bool, err error) {
	now := db.clock()
	stored, err = scanApplication(db.queryRow(ctx, tx, `INSERT INTO applications (profile_id, posting_id, fingerprint, status, score, explanation,
    apply_via, writer, profile_version, posting_hash, attempts, error, message_id, sent_at, followed_up_at, example,
    recipient, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (profile_id, fingerprint) DO NOTHING RETURNING `+applicationColumns,
		app.ProfileID, app.PostingID, app.Fingerprint, string(app.Status), app.Score, string(explanation),
		app.ApplyVia, app.Writer, app.ProfileVersion, app.PostingHash, app.Attempts, db.clean(app.Error), app.MessageID,
		db.nullTimeArg(app.SentAt), db.nullTimeArg(app.FollowedUpAt), app.Example,
		recipientJSON(app.Recipient), source, db.timeArg(now), db.timeArg(now)))
	if errors.Is(err, sql.ErrNoRows) { // a duplicate: return the existing one
		stored, err = scanApplication(db.queryRow(ctx, tx, "SELECT "+applicationColumns+" FROM applications WHERE profile_id = ? AND fingerprint = ?",
			app.ProfileID, app.Fingerprint))
		if err != nil {
			return nil, false, dbErr("find existing application", err)
		}
		return stored, false, nil
	}
	if err != nil {
		return nil, false, dbErr("create application", err)
	}
	return stored, true, nil
}

// Application returns application id, or ENOTFOUND.
func (db *DB) Application(ctx context.Context, id int64) (*jobpilot.Application, error) {
	a, err := scanApplication(db.queryRow(ctx, db.db, "SELECT "+applicationColumns+" FROM applications WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("application", id)
	}
	if err != nil {
		return nil, dbErr("get application", err)
	}
	return a, nil
}

// Applications returns the applications that match f, by ascending ID, at
// most f.Limit (default DefaultLimit). Pass the last ID as f.AfterID for the
// next page; the order is stable while rows are added.
func (db *DB) Applications(ctx context.Context, f jobpilot.ApplicationFilter) ([]*jobpilot.Application, error) {
	var (
		where []string
		args  []any
	)
	if f.ProfileID > 0 {
		where, args = append(where, "profile_id = ?"), append(args, f.ProfileID)
	}
	if f.PostingID > 0 {
		where, args = append(where, "posting_id = ?"), append(args, f.PostingID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	q := "SELECT " + applicationColumns + " FROM applications"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit(f.Limit))
	return queryAll(ctx, db, "list applications", q, args, scanApplication)
}

// Transition moves application id to status to and applies c, in one
// transaction that also writes an EventStatus event ("from → to: reason")
// and enqueues c.Tasks through the TaskInserter.
//
// It returns ECONFLICT and changes nothing when the move is not in
// jobpilot.Transitions (jobpilot.ErrInvalidTransition) or when c.From is set
// and the application is in none of its statuses (the compare-and-swap lost:
// someone else moved it first). ENOTFOUND for a missing application; EINVALID
// for an unknown status. When enqueueing fails the transition is rolled back.
func (db *DB) Transition(ctx context.Context, id int64, to jobpilot.Status, c jobpilot.Change) (*jobpilot.Application, error) {
	if !to.Valid() {
		return nil, jobpilot.FieldError("status", "unknown status %q", to)
	}
	return db.change(ctx, id, &to, c)
}

// Update applies c to application id without a status change and enqueues
// c.Tasks, in one transaction. c.From, when set, is checked as in
// Transition. No event is written: the caller records what it did.
func (db *DB) Update(ctx context.Context, id int64, c jobpilot.Change) (*jobpilot.Application, error) {
	return db.change(ctx, id, nil, c)
}

func (db *DB) change(ctx context.Context, id int64, to *jobpilot.Status, c jobpilot.Change) (*jobpilot.Application, error) {
	var out *jobpilot.Application
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		a, err := scanApplication(db.queryRow(ctx, tx, "SELECT "+applicationColumns+" FROM applications WHERE id = ?"+db.forUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application", id)
		}
		if err != nil {
			return dbErr("get application", err)
		}
		from := a.Status
		if len(c.From) > 0 && !slices.Contains(c.From, from) {
			return &jobpilot.Error{Code: jobpilot.ECONFLICT, Message: fmt.Sprintf("application %d is %s, not %s", id, from, statusList(c.From))}
		}
		if to != nil && !from.CanTransition(*to) {
			return jobpilot.ErrInvalidTransition(id, from, *to)
		}
		now := db.clock()
		applyChange(a, to, c, now)
		a.Error = db.clean(a.Error)
		_, err = db.exec(ctx, tx, `UPDATE applications SET status = ?, score = ?, explanation = ?, writer = ?, profile_version = ?,
    posting_hash = ?, attempts = ?, error = ?, message_id = ?, sent_at = ?, followed_up_at = ?, guard = ?,
    send_after = ?, delivery = ?, recipient = ?, note = ?, status_at = ?, updated_at = ? WHERE id = ?`,
			string(a.Status), a.Score, mustJSON(a.Explanation), a.Writer, a.ProfileVersion, a.PostingHash, a.Attempts,
			a.Error, a.MessageID, db.nullTimeArg(a.SentAt), db.nullTimeArg(a.FollowedUpAt), mustJSON(a.Guard),
			db.nullTimeArg(a.SendAfter), a.Delivery, recipientJSON(a.Recipient), a.Note, db.nullTimeArg(a.StatusAt),
			db.timeArg(now), id)
		if err != nil {
			return dbErr("update application", err)
		}
		if to != nil {
			msg := string(from) + " → " + string(*to)
			data := map[string]string{"from": string(from), "to": string(*to)}
			if c.Reason != "" {
				msg += ": " + c.Reason
				data["reason"] = c.Reason
			}
			if err := db.addEvent(ctx, tx, &jobpilot.Event{ApplicationID: id, Kind: jobpilot.EventStatus, Message: msg, Data: data}); err != nil {
				return err
			}
		}
		if err := db.insertTasks(ctx, tx, c.Tasks); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyChange applies c (and the new status, if any) to a.
func applyChange(a *jobpilot.Application, to *jobpilot.Status, c jobpilot.Change, now time.Time) {
	if to != nil {
		a.Status = *to
	}
	if c.Score != nil {
		a.Score = *c.Score
	}
	if c.Explanation != nil {
		a.Explanation = *c.Explanation
	}
	if c.ProfileVersion != nil {
		a.ProfileVersion = *c.ProfileVersion
	}
	if c.PostingHash != nil {
		a.PostingHash = *c.PostingHash
	}
	if c.Writer != nil {
		a.Writer = *c.Writer
	}
	if c.Error != nil {
		a.Error = *c.Error
	}
	if c.MessageID != nil {
		a.MessageID = *c.MessageID
	}
	if c.SentAt != nil {
		t := c.SentAt.UTC().Truncate(time.Microsecond)
		a.SentAt = &t
	}
	if c.FollowedUpAt != nil {
		t := c.FollowedUpAt.UTC().Truncate(time.Microsecond)
		a.FollowedUpAt = &t
	}
	if c.IncAttempts {
		a.Attempts++
	}
	if c.Guard != nil {
		a.Guard = *c.Guard
	}
	if c.ClearSendAfter {
		a.SendAfter = nil
	}
	if c.SendAfter != nil {
		t := c.SendAfter.UTC().Truncate(time.Microsecond)
		a.SendAfter = &t
	}
	if c.Delivery != nil {
		a.Delivery = *c.Delivery
	}
	if c.Recipient != nil {
		r := *c.Recipient
		a.Recipient = &r
	}
	if c.Note != nil {
		a.Note = *c.Note
	}
	if c.StatusAt != nil {
		t := c.StatusAt.UTC().Truncate(time.Microsecond)
		a.StatusAt = &t
	}
	a.UpdatedAt = now
}

func statusList(ss []jobpilot.Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// CountByStatus counts a profile's applications per status; profileID 0
// counts every profile's. Statuses without applications are absent.
func (db *DB) CountByStatus(ctx context.Context, profileID int64) (map[jobpilot.Status]int, error) {
	q := "SELECT status, COUNT(*) FROM applications"
	var args []any
	if profileID > 0 {
		q += " WHERE profile_id = ?"
		args = append(args, profileID)
	}
	q += " GROUP BY status"
	rows, err := db.query(ctx, db.reader(), q, args...)
	if err != nil {
		return nil, dbErr("count applications", err)
	}
	defer rows.Close()
	out := map[jobpilot.Status]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, dbErr("count applications", err)
		}
		out[jobpilot.Status(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("count applications", err)
	}
	return out, nil
}

// SentSince counts a profile's applications with SentAt at or after t,
// whatever their status now (a sent application that moved on to
// interviewing still counts against the day's cap). profileID 0 counts every
// profile's.
func (db *DB) SentSince(ctx context.Context, profileID int64, t time.Time) (int, error) {
	q := "SELECT COUNT(*) FROM applications WHERE sent_at IS NOT NULL AND sent_at >= ?"
	args := []any{db.timeArg(t)}
	if profileID > 0 {
		q += " AND profile_id = ?"
		args = append(args, profileID)
	}
	var n int
	if err := db.queryRow(ctx, db.db, q, args...).Scan(&n); err != nil {
		return 0, dbErr("count sent applications", err)
	}
	return n, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil { // our own plain structs: cannot happen
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return string(b)
}

func scanApplication(s scanner) (*jobpilot.Application, error) {
	var (
		a                               jobpilot.Application
		status                          string
		explanation, guard, recipient   []byte
		sent, followed, created, update dbTime
		sendAfter, statusAt             dbTime
	)
	err := s.Scan(&a.ID, &a.ProfileID, &a.PostingID, &a.Fingerprint, &status, &a.Score, &explanation, &a.ApplyVia,
		&a.Writer, &a.ProfileVersion, &a.PostingHash, &a.Attempts, &a.Error, &a.MessageID, &sent, &followed,
		&a.Example, &guard, &sendAfter, &a.Delivery, &recipient, &a.Note, &statusAt, &created, &update)
	if err != nil {
		return nil, err
	}
	a.Status = jobpilot.Status(status)
	if len(explanation) > 0 {
		if err := json.Unmarshal(explanation, &a.Explanation); err != nil {
			return nil, fmt.Errorf("application %d: decode explanation: %w", a.ID, err)
		}
	}
	if len(guard) > 0 {
		if err := json.Unmarshal(guard, &a.Guard); err != nil {
			return nil, fmt.Errorf("application %d: decode guard report: %w", a.ID, err)
		}
	}
	if len(recipient) > 0 {
		a.Recipient = &jobpilot.Recipient{}
		if err := json.Unmarshal(recipient, a.Recipient); err != nil {
			return nil, fmt.Errorf("application %d: decode recipient: %w", a.ID, err)
		}
	}
	a.SentAt, a.FollowedUpAt, a.CreatedAt, a.UpdatedAt = sent.ptr(), followed.ptr(), created.Time, update.Time
	a.SendAfter, a.StatusAt = sendAfter.ptr(), statusAt.ptr()
	return &a, nil
}

// recipientJSON is the recipient column: empty when none was checked.
func recipientJSON(r *jobpilot.Recipient) string {
	if r == nil {
		return ""
	}
	return mustJSON(r)
}
