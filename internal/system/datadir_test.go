package system_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
)

// modes lists the mode of everything under dir, by path relative to it.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// openAndUse runs a system on the data directory the way serve does: it
// opens (and migrates) the database, takes the node lock, writes an email
// to the outbox, and returns the modes under dataDir while it runs (the
// -wal and -shm files go when the database closes), then stops.
func openAndUse(t *testing.T, dataDir string, log *slog.Logger) map[string]fs.FileMode {
	t.Helper()
	env := map[string]string{"JOBPILOT_DATA_DIR": dataDir, "JOBPILOT_EXAMPLES": "off", "SHUTDOWN_GRACE": "1", "JOBPILOT_NODE_ID": "datadir-test"}
	cfg, err := config.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sys, err := system.Open(ctx, cfg, system.Options{Logger: log, FastStart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if err := sys.Start(ctx); err != nil {
		t.Fatal(err)
	}
	msg := &jobpilot.Message{MessageID: jobpilot.MessageID(1, "candidate.example.org"), From: "ada@candidate.example.org",
		To: "jobs@example.com", Subject: "Application", Body: "Dear team,\n\nAda", Date: time.Now()}
	if err := sys.Apply.Mailer.Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	running := modes(t, dataDir)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sys.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	return running
}

// The data directory is created 0700 and everything jobpilot writes in it
// is 0600, whatever the umask lets through: the database and its -wal and
// -shm, the lock files and the outbox's emails. Looser modes left by an
// older version are tightened at the next start, with a warning.
func TestDataDirectoryIsPrivate(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	got := openAndUse(t, dataDir, quietLogger())
	var files []string
	for path, mode := range got {
		want := fs.FileMode(0o600)
		if info, err := os.Stat(filepath.Join(dataDir, path)); err == nil && info.IsDir() || path == "." {
			want = 0o700
		} else {
			files = append(files, path)
		}
		if mode != want {
			t.Errorf("%s has mode %04o, want %04o", path, mode, want)
		}
	}
	for _, want := range []string{"jobpilot.db", "jobpilot.db-wal", "jobpilot.db-shm", "jobpilot.db.migrate.lock", "outbox"} {
		found := false
		for _, f := range files {
			found = found || f == want || strings.HasPrefix(f, want)
		}
		if !found {
			t.Errorf("no %s among the files %v: the test did not see what it checks", want, files)
		}
	}
	if !strings.Contains(strings.Join(files, " "), ".node-datadir-test.lock") {
		t.Errorf("no node lock among %v", files)
	}

	// An older version left everything readable by all.
	for path := range modes(t, dataDir) {
		mode := fs.FileMode(0o644)
		if info, _ := os.Stat(filepath.Join(dataDir, path)); info.IsDir() {
			mode = 0o755
		}
		if err := os.Chmod(filepath.Join(dataDir, path), mode); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	for path, mode := range openAndUse(t, dataDir, slog.New(slog.NewTextHandler(&logs, nil))) {
		if mode&0o077 != 0 {
			t.Errorf("after a restart %s still has mode %04o", path, mode)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"tightened the permissions of the data directory") ||
		!strings.Contains(logs.String(), filepath.Join(dataDir, "jobpilot.db")+" (was 0644)") {
		t.Errorf("no warning naming what was tightened:\n%s", logs.String())
	}
	// Nothing to tighten: no warning.
	logs.Reset()
	openAndUse(t, dataDir, slog.New(slog.NewTextHandler(&logs, nil)))
	if strings.Contains(logs.String(), "tightened") {
		t.Errorf("warned with nothing to tighten:\n%s", logs.String())
	}
}

// A database outside the data directory is tightened with its companions,
// and its directory (perhaps the user's home) is left as it is.
func TestDatabaseOutsideTheDataDirectory(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(home, "jobs.db")
	other := filepath.Join(home, "notes.txt")
	for _, f := range []string{db, db + "-wal", other} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"JOBPILOT_DATA_DIR": filepath.Join(t.TempDir(), "data"), "DATABASE_URL": "sqlite://" + db}
	cfg, err := config.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := system.SecureDataDir(cfg, quietLogger()); err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{home: 0o755, db: 0o600, db + "-wal": 0o600, other: 0o644, cfg.DataDir: 0o700}
	for path, mode := range want {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s: mode %04o, want %04o", path, info.Mode().Perm(), mode)
		}
	}
}
