package system_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
)

// The real system's health (what /health serves): unhealthy until the
// scheduler runs, healthy once it does (the database answers, every circuit
// breaker is closed), unhealthy again once it stopped.
func ExampleSystem_Health() {
	dir, _ := os.MkdirTemp("", "jobpilot-example")
	defer os.RemoveAll(dir)
	env := map[string]string{
		"JOBPILOT_DATA_DIR": dir, "DATABASE_URL": "sqlite://" + filepath.Join(dir, "jobpilot.db"),
		"JOBPILOT_EXAMPLES": "false", "JOBPILOT_WRITER": "template", "JOBPILOT_NODE_ID": "example",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	sys, err := system.Open(ctx, cfg, system.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FastStart: true})
	if err != nil {
		log.Fatal(err)
	}
	defer sys.Close()
	show := func(when string) {
		h := sys.Health(ctx)
		fmt.Printf("%s: %s (database ok: %t, scheduler running: %t)\n", when, h.Status, h.Database.OK, h.Scheduler.Running)
	}
	show("opened")
	if err := sys.Start(ctx); err != nil {
		log.Fatal(err)
	}
	show("started")
	if err := sys.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	show("stopped")
	// Output:
	// opened: unhealthy (database ok: true, scheduler running: false)
	// started: healthy (database ok: true, scheduler running: true)
	// stopped: unhealthy (database ok: true, scheduler running: false)
}
