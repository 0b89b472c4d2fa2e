package system

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jobpilot/jobpilot/config"
)

// Modes of what jobpilot keeps on disk: the candidate's profile, documents
// and emails are for the account that runs jobpilot only.
const (
	privateDirMode  fs.FileMode = 0o700
	privateFileMode fs.FileMode = 0o600
)

// SecureDataDir creates JOBPILOT_DATA_DIR as 0700 and tightens what is
// already there: every directory under it to 0700 and every file (the
// SQLite database and its -wal and -shm, lock files, the outbox's .eml
// files, the API token) to 0600, when their modes let anyone else in. An
// SQLite database outside the data directory is tightened with its
// companions ("<file>*"), not its directory, which may be the user's own.
// A warning names what was changed, since it means another local user may
// have read it already. Symbolic links are left alone.
func SecureDataDir(cfg *config.Config, log *slog.Logger) error {
	dir := cfg.DataDir
	if dir == "" || runtime.GOOS == "windows" { // modes are ACLs there
		return nil
	}
	if err := os.MkdirAll(dir, privateDirMode); err != nil {
		return fmt.Errorf("creating JOBPILOT_DATA_DIR: %w", err)
	}
	var changed []string
	tighten := func(path string, d fs.DirEntry) error {
		if d.Type()&fs.ModeSymlink != 0 || !(d.IsDir() || d.Type().IsRegular()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := privateFileMode
		if d.IsDir() {
			want = privateDirMode
		}
		if info.Mode().Perm()&^want == 0 {
			return nil
		}
		if err := os.Chmod(path, info.Mode().Perm()&want); err != nil {
			return err
		}
		changed = append(changed, fmt.Sprintf("%s (was %04o)", path, info.Mode().Perm()))
		return nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked (a temporary file)
			}
			return err
		}
		return tighten(path, d)
	})
	if err != nil {
		return fmt.Errorf("securing JOBPILOT_DATA_DIR: %w", err)
	}
	if db := cfg.SQLitePath(); db != "" && db != ":memory:" && !inside(dir, db) {
		matches, _ := filepath.Glob(globEscape(db) + "*")
		for _, m := range matches {
			info, err := os.Lstat(m)
			if err != nil {
				continue
			}
			if err := tighten(m, fs.FileInfoToDirEntry(info)); err != nil {
				return fmt.Errorf("securing the database file: %w", err)
			}
		}
	}
	if len(changed) > 0 {
		const shown = 5
		paths := changed
		if len(paths) > shown {
			paths = append(paths[:shown:shown], fmt.Sprintf("and %d more", len(changed)-shown))
		}
		log.Warn("tightened the permissions of the data directory: it holds the candidate's personal data, and other local users could read it",
			"count", len(changed), "paths", strings.Join(paths, ", "), "dirs", "0700", "files", "0600")
	}
	return nil
}

// inside reports whether path lies in dir.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// globEscape quotes the pattern characters of a literal path.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
