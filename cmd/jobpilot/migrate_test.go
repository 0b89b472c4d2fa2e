package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/store"
)

// migrate creates our tables and River's on a fresh SQLite file, and a second
// run is a no-op that still exits 0. A bad DATABASE_URL is a usage error.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"JOBPILOT_DATA_DIR": dir}
	for i := range 2 {
		code, out, errOut := runCLI(t, env, "migrate")
		if code != 0 || !strings.Contains(out, "migrations applied (sqlite)") {
			t.Fatalf("run %d: exit %d\nstdout: %s\nstderr: %s", i+1, code, out, errOut)
		}
	}
	db, err := store.Open(context.Background(), "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"profiles", "postings", "applications", "events", "river_job", "river_leader"} {
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: found %d, err %v", table, n, err)
		}
	}
	if code, _, errOut := runCLI(t, map[string]string{"DATABASE_URL": "mysql://x"}, "migrate"); code != 2 || !strings.Contains(errOut, "DATABASE_URL") {
		t.Errorf("bad DATABASE_URL: exit %d, %s", code, errOut)
	}
}
