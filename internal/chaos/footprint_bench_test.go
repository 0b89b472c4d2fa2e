package chaos_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/store"
)

// BenchmarkFootprint starts a real `jobpilot serve` on a fresh SQLite file,
// empty or holding 10,000 postings, and reports the time to a healthy
// /health and the resident memory (VmRSS) two seconds later, idle.
// Run with -benchtime 1x: each iteration is a whole process.
func BenchmarkFootprint(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run("postings="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				startup, rss := footprint(b, n)
				b.ReportMetric(float64(startup.Milliseconds()), "startup_ms")
				b.ReportMetric(float64(rss), "rss_kB")
			}
		})
	}
}

func footprint(b *testing.B, postings int) (time.Duration, int) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "fp.db")
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if postings > 0 {
		if _, err := db.UpsertPostings(ctx, chaos.SourceName, chaos.Postings(postings, 1), false); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	addr, err := chaos.FreeAddr()
	if err != nil {
		b.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	srv, err := chaos.StartServer(binary, []string{
		"DATABASE_URL=" + dbURL, "JOBPILOT_DATA_DIR=" + filepath.Join(dir, "data"), "HTTP_ADDR=" + addr,
		"JOBPILOT_EXAMPLES=false", "JOBPILOT_WRITER=template",
	}, addr, log)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop(10 * time.Second)
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	startup, err := srv.WaitHealthy(hctx)
	if err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	status, err := os.ReadFile("/proc/" + strconv.Itoa(srv.Pid()) + "/status")
	if err != nil {
		b.Skip("no /proc: ", err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(v)[0])
			return startup, kb
		}
	}
	b.Fatal("no VmRSS in /proc/<pid>/status")
	return 0, 0
}
