package store

import (
	"context"
	"strings"

	"github.com/jobpilot/jobpilot"
)

var _ jobpilot.InboxStore = (*DB)(nil)

// MailboxCursor returns where the mailbox reader stands in folder; a folder
// never read has the zero cursor (UIDVALIDITY 0, last UID 0).
func (db *DB) MailboxCursor(ctx context.Context, folder string) (jobpilot.MailboxCursor, error) {
	c := jobpilot.MailboxCursor{Folder: folder}
	var validity, last int64
	var updated dbTime
	err := db.queryRow(ctx, db.db, "SELECT uid_validity, last_uid, updated_at FROM mailbox_cursors WHERE folder = ?", folder).
		Scan(&validity, &last, &updated)
	if isNoRows(err) {
		return c, nil
	}
	if err != nil {
		return c, dbErr("get mailbox cursor", err)
	}
	c.UIDValidity, c.LastUID, c.UpdatedAt = uint32(validity), uint32(last), updated.Time
	return c, nil
}

// SaveMailboxCursor stores c as the folder's cursor, replacing the last one.
func (db *DB) SaveMailboxCursor(ctx context.Context, c jobpilot.MailboxCursor) error {
	if c.Folder == "" {
		return jobpilot.FieldError("folder", "is required")
	}
	_, err := db.exec(ctx, db.db, `INSERT INTO mailbox_cursors (folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		c.Folder, int64(c.UIDValidity), int64(c.LastUID), db.timeArg(db.clock()))
	return dbErr("save mailbox cursor", err)
}

// MarkAddressBad records a hard bounce of b.Address (kept lower case). The
// first record of an address is kept: it names the application that found
// it out.
func (db *DB) MarkAddressBad(ctx context.Context, b jobpilot.BadAddress) error {
	addr := strings.ToLower(strings.TrimSpace(b.Address))
	if addr == "" {
		return jobpilot.FieldError("address", "is required")
	}
	_, err := db.exec(ctx, db.db, `INSERT INTO bad_addresses (address, status, reason, application_id, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (address) DO NOTHING`, addr, b.Status, b.Reason, b.ApplicationID, db.timeArg(db.clock()))
	return dbErr("mark address bad", err)
}

// BadAddress returns the hard-bounce record of address (case-insensitive),
// or ENOTFOUND.
func (db *DB) BadAddress(ctx context.Context, address string) (*jobpilot.BadAddress, error) {
	b := &jobpilot.BadAddress{}
	var created dbTime
	err := db.queryRow(ctx, db.db, "SELECT address, status, reason, application_id, created_at FROM bad_addresses WHERE address = ?",
		strings.ToLower(strings.TrimSpace(address))).Scan(&b.Address, &b.Status, &b.Reason, &b.ApplicationID, &created)
	if isNoRows(err) {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "address %s has not bounced", address)
	}
	if err != nil {
		return nil, dbErr("get bad address", err)
	}
	b.CreatedAt = created.Time
	return b, nil
}

// ApplicationByMessageID returns the application whose email carried
// messageID (angle brackets included), or ENOTFOUND.
func (db *DB) ApplicationByMessageID(ctx context.Context, messageID string) (*jobpilot.Application, error) {
	if messageID == "" {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "no application has an empty Message-ID")
	}
	a, err := scanApplication(db.queryRow(ctx, db.db, "SELECT "+applicationColumns+" FROM applications WHERE message_id = ? ORDER BY id LIMIT 1", messageID))
	if isNoRows(err) {
		return nil, jobpilot.Errorf(jobpilot.ENOTFOUND, "no application has Message-ID %s", messageID)
	}
	if err != nil {
		return nil, dbErr("find application by message id", err)
	}
	return a, nil
}
