package chaos_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// recoveryScale is JOBPILOT_TIME_SCALE for the recovery run: the email
// breaker's 5 min recovery is 1.5 s, EMAIL_TIMEOUT 150 ms, retries 10/20/40 ms.
const recoveryScale = 0.005

// breakerMark is one breaker transition with the SMTP connections made so far.
type breakerMark struct {
	at          time.Time
	from, to    string
	connections int
}

// BenchmarkSMTPRecovery runs the whole system (engine, direct mode, 20
// postings, template writer, real SMTP client) against fakesmtp answering
// "421 always" until the email breaker has opened and one half-open probe
// has failed (so a second recovery window starts), then switches the server
// to accept. From the recorded breaker events (system.Options.
// OnResilienceEvent) and the server's connection count it reports the time
// from the end of the outage to the first accepted message, the number of
// half-open windows, and the largest number of SMTP connections made during
// one half-open window (the probes; it must be 1). Every application must
// end sent.
//
//	go test -run '^$' -bench SMTPRecovery -benchtime 1x ./internal/chaos
func BenchmarkSMTPRecovery(b *testing.B) {
	ctx := context.Background()
	const n = 20
	dbURL := "sqlite://" + filepath.ToSlash(filepath.Join(b.TempDir(), "recovery.db"))
	profile, err := chaos.Profile(n)
	if err != nil {
		b.Fatal(err)
	}
	profileID, _, err := chaos.Seed(ctx, dbURL, profile, chaos.Postings(n, 9))
	if err != nil {
		b.Fatal(err)
	}
	smtpSrv, err := fakesmtp.Start("127.0.0.1:0", "", fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("421 always")))
	if err != nil {
		b.Fatal(err)
	}
	defer smtpSrv.Close()

	var mu sync.Mutex
	var marks []breakerMark
	changed := make(chan struct{}, 64)
	onEvent := func(ev resilience.Event) {
		if ev.Kind != resilience.KindBreaker || ev.Breaker != resilience.BreakerEmail {
			return
		}
		mu.Lock()
		marks = append(marks, breakerMark{at: time.Now(), from: ev.From, to: ev.To, connections: smtpSrv.Stats().Connections})
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	vars := map[string]string{
		"DATABASE_URL": dbURL, "JOBPILOT_DATA_DIR": b.TempDir(), "JOBPILOT_EXAMPLES": "false",
		"JOBPILOT_WRITER": "template", "APPLY_MODE": "direct",
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": strconv.Itoa(smtpSrv.Port()), "SMTP_TLS": "none",
		"SMTP_FROM": "candidate@bench.example.org", "WORKERS": "10",
		"JOBPILOT_TIME_SCALE": strconv.FormatFloat(recoveryScale, 'g', -1, 64),
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		b.Fatal(err)
	}
	sys, err := system.Open(ctx, cfg, system.Options{Logger: quiet(), FastStart: true, OnResilienceEvent: onEvent})
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close()
	if err := sys.Engine.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskAutomationRun}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := sys.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = sys.Stop(sctx)
	}()

	// The outage lasts until the breaker has opened twice (its first
	// half-open probe failed too).
	dbtest.EventuallyOn(b, changed, 30*time.Second, "the breaker to open twice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		opens := 0
		for _, m := range marks {
			if m.to == "open" {
				opens++
			}
		}
		return opens >= 2
	})
	smtpSrv.SetSchedule(fakesmtp.MustParseSchedule("accept"))
	outageEnd := time.Now()
	if _, err := smtpSrv.WaitStats(ctx, func(s fakesmtp.Stats) bool { return s.Accepted >= 1 }); err != nil {
		b.Fatal(err)
	}
	firstSend := time.Since(outageEnd)
	deadline := time.Now().Add(time.Minute)
	for {
		counts, err := sys.Store.CountByStatus(ctx, profileID)
		if err != nil {
			b.Fatal(err)
		}
		if counts[jobpilot.StatusSent] == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("after the outage not every application was sent: %v", counts)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()

	mu.Lock()
	defer mu.Unlock()
	windows, maxProbes, opens := 0, 0, 0
	for i, m := range marks {
		if m.to == "open" {
			opens++
		}
		if m.to != "half_open" {
			continue
		}
		windows++
		end := smtpSrv.Stats().Connections
		if i+1 < len(marks) {
			end = marks[i+1].connections
		}
		probes := end - m.connections
		maxProbes = max(maxProbes, probes)
		b.Logf("half-open window %d at +%s: %d SMTP connection(s), then %s", windows, m.at.Sub(marks[0].at).Round(time.Millisecond), probes, nextState(marks, i))
	}
	b.ReportMetric(float64(firstSend.Milliseconds()), "first_send_after_outage_ms")
	b.ReportMetric(float64(windows), "half_open_windows")
	b.ReportMetric(float64(maxProbes), "max_probes_per_window")
	b.ReportMetric(float64(opens), "breaker_opens")
	b.ReportMetric(0, "ns/op")
	if windows == 0 || maxProbes != 1 {
		b.Fatalf("half-open windows %d, at most %d probe(s) in one: want ≥ 1 window and exactly 1 probe", windows, maxProbes)
	}
	if d := smtpSrv.Duplicates(); d != 0 {
		b.Fatalf("%d duplicate deliveries", d)
	}
}

func nextState(marks []breakerMark, i int) string {
	if i+1 < len(marks) {
		return marks[i+1].to
	}
	return "still half_open"
}
