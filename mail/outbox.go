package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// OutboxDir returns where the outbox transport writes under a data directory:
// <dataDir>/outbox.
func OutboxDir(dataDir string) string { return filepath.Join(dataDir, "outbox") }

// Outbox is the transport used when no SMTP server is configured: each
// message becomes a standard .eml file (RFC 5322, the exact bytes go-mail
// would send in DATA) in one directory, named from its Message-ID.
//
// Sending is idempotent: the file is written to a temporary name, synced and
// then hard-linked to its final name, which fails when that name exists. A
// repeat of the same Message-ID (a retry, a restart, a concurrent duplicate)
// therefore leaves the first file as it is and succeeds; a crash mid-write
// leaves at worst a ".tmp-*" file, never a truncated .eml.
//
// The directory is created 0700 and every message 0600: an application
// carries the candidate's contact details and documents.
type Outbox struct {
	dir string
	o   options
}

// NewOutbox returns the outbox transport writing into dir (use OutboxDir to
// derive it from the data directory). dir is created on the first Send.
func NewOutbox(dir string, opts ...Option) jobpilot.Mailer {
	return &Outbox{dir: dir, o: newOptions(opts)}
}

// Path returns the file a message with this Message-ID is written to.
func (b *Outbox) Path(messageID string) string {
	return filepath.Join(b.dir, FileName(messageID))
}

// FileName maps a Message-ID to a safe file name: the identifier without its
// angle brackets when it is made of safe characters only, otherwise the
// sanitised identifier plus a short hash so that two identifiers never share
// a file.
func FileName(messageID string) string {
	id := strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">")
	var b strings.Builder
	changed := false
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@', r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
			changed = true
		}
	}
	name := b.String()
	if changed || name == "" || strings.HasPrefix(name, ".") {
		sum := sha256.Sum256([]byte(messageID))
		name = strings.TrimLeft(name, ".") + "-" + hex.EncodeToString(sum[:4])
	}
	return name + ".eml"
}

// Send validates m and writes it to the outbox. A message whose file already
// exists is not written again.
func (b *Outbox) Send(ctx context.Context, m *jobpilot.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := build(m, "", b.o.now)
	if err != nil {
		return err
	}
	final := b.Path(m.MessageID)
	if _, err := os.Stat(final); err == nil {
		b.o.logger.DebugContext(ctx, "outbox: message already written", "message_id", m.MessageID, "path", final)
		return nil
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	tmp, err := os.CreateTemp(b.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the link, only the temporary name goes
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: write %s: %w", m.MessageID, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: close: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	switch err := os.Link(tmp.Name(), final); {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		// A concurrent Send of the same message won: one file, as promised.
		return nil
	default:
		// No hard links on this file system: rename is still atomic, only a
		// concurrent duplicate could replace the file with identical content.
		if err := os.Rename(tmp.Name(), final); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	if d, err := os.Open(b.dir); err == nil {
		_ = d.Sync() // make the new name durable; best effort
		d.Close()
	}
	b.o.logger.InfoContext(ctx, "outbox: message written", slog.String("message_id", m.MessageID),
		slog.String("path", final), slog.Int("attachments", len(m.Attachments)))
	return nil
}
