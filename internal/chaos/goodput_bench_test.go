package chaos_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/chaos"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/resilience"
)

// Goodput settings: the lab LLM allows goodputR calls per (server) minute,
// and its clock runs goodputK times faster than the wall clock, so its
// one-minute window lasts 60/goodputK = 10 s of real time. Everything on
// jobpilot's side is scaled the same way (JOBPILOT_TIME_SCALE = 1/goodputK)
// and the server's Retry-After is converted to real seconds, so the run is
// the real-time scenario played goodputK times faster.
const (
	goodputR       = 600
	goodputK       = 6
	goodputWindows = 3 // the run lasts this many windows
	goodputWorkers = 8 // concurrent generations on each side (WORKERS-like)
)

// BenchmarkLLMGoodput runs resume + cover-letter generations through
// jobpilot's LLM writer (resume and cover_letter policies: Retry-After
// honoured, the shared "openai" breaker) and, side by side against its own
// identical lab LLM, a naive client that resends at once on 429. Each side
// has goodputWorkers concurrent generations for goodputWindows rate-limit
// windows. It reports, per side, the fraction of R achieved (accepted calls
// ÷ (R × windows)), the 429s provoked, and complete generations.
//
//	go test -run '^$' -bench LLMGoodput -benchtime 1x ./internal/chaos
func BenchmarkLLMGoodput(b *testing.B) {
	ctx := context.Background()
	window := time.Minute / goodputK
	run := window * goodputWindows

	jpSrv, jpURL := rateLimitedLLM(b)
	nvSrv, nvURL := rateLimitedLLM(b)

	vars := map[string]string{
		"OPENAI_BASE_URL": jpURL, "OPENAI_API_KEY": "bench-not-a-secret", "OPENAI_MODEL": "fake-gpt",
		"JOBPILOT_WRITER": "llm", "JOBPILOT_DATA_DIR": b.TempDir(),
		"JOBPILOT_TIME_SCALE": strconv.FormatFloat(1.0/goodputK, 'g', -1, 64),
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		b.Fatal(err)
	}
	var opened atomic.Int32
	set := resilience.NewSet(system.ResilienceConfig(cfg), resilience.Options{Logger: quiet(), OnEvent: func(ev resilience.Event) {
		if ev.Kind == resilience.KindBreaker && ev.To == "open" {
			opened.Add(1)
		}
	}})
	writer := system.NewWriter(cfg, set, quiet(), nil)
	profile, err := chaos.Profile(1)
	if err != nil {
		b.Fatal(err)
	}
	postings := chaos.Postings(64, 5)

	b.ResetTimer()
	rctx, cancel := context.WithTimeout(ctx, run)
	defer cancel()
	var wg sync.WaitGroup
	var jpGens, nvGens, nv429 atomic.Int64
	for w := range goodputWorkers {
		wg.Add(2)
		go func() { // jobpilot: the writer under its policies, re-run as the engine would
			defer wg.Done()
			for i := w; rctx.Err() == nil; i += goodputWorkers {
				post := &postings[i%len(postings)]
				t, err := writer.TailorResume(rctx, profile, post)
				if err == nil {
					_, err = writer.WriteCoverLetter(rctx, profile, post, t)
				}
				if err == nil {
					jpGens.Add(1)
					continue
				}
				engineBackoff(rctx, err, window)
			}
		}()
		go func() { // naive: two calls per generation, each resent at once on 429
			defer wg.Done()
			for rctx.Err() == nil {
				if naiveCall(rctx, nvURL, &nv429) && naiveCall(rctx, nvURL, &nv429) {
					nvGens.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()

	capacity := float64(goodputR * goodputWindows)
	b.ReportMetric(float64(jpSrv.Accepted())/capacity, "jobpilot_fraction_of_R")
	b.ReportMetric(float64(jpSrv.Rejected()), "jobpilot_429s")
	b.ReportMetric(float64(jpGens.Load()), "jobpilot_generations")
	b.ReportMetric(float64(opened.Load()), "jobpilot_breaker_opens")
	b.ReportMetric(float64(nvSrv.Accepted())/capacity, "naive_fraction_of_R")
	b.ReportMetric(float64(nvSrv.Rejected()), "naive_429s")
	b.ReportMetric(float64(nvGens.Load()), "naive_generations")
	b.ReportMetric(0, "ns/op")
	if jpSrv.Accepted() > goodputR*goodputWindows || nvSrv.Accepted() > goodputR*goodputWindows {
		b.Fatalf("accepted more than R per window: jobpilot %d, naive %d (the lab's limiter is broken)", jpSrv.Accepted(), nvSrv.Accepted())
	}
}

// engineBackoff waits as the engine would before running a failed job
// again: until an open breaker half-opens, or the error's Retry-After, or a
// short scaled backoff.
func engineBackoff(ctx context.Context, err error, window time.Duration) {
	d := window / 10
	var oe *resilience.OpenError
	if errors.As(err, &oe) && oe.RetryIn > 0 {
		d = oe.RetryIn
	} else if after, ok := jobpilot.RetryAfter(err); ok {
		d = after
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// naiveCall posts one chat completion, resending immediately on 429 until
// it is accepted or ctx ends. It reports whether it was accepted.
func naiveCall(ctx context.Context, baseURL string, n429 *atomic.Int64) bool {
	body := []byte(`{"model":"fake-gpt","messages":[{"role":"user","content":"Write a cover letter."}]}`)
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/chat/completions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return true
		case http.StatusTooManyRequests:
			n429.Add(1)
		default:
			return false
		}
	}
	return false
}

// rateLimitedLLM starts a lab LLM allowing goodputR calls per server minute
// on a clock goodputK times faster than the wall clock, its Retry-After
// converted back to real seconds. It returns the server and its /v1 URL.
func rateLimitedLLM(b *testing.B) (*fakellm.Server, string) {
	start := time.Now()
	srv := fakellm.New(fakellm.Options{RateLimit: goodputR, Clock: func() time.Time {
		return start.Add(time.Since(start) * goodputK)
	}})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(&realSecondsWriter{ResponseWriter: w}, r)
	})
	url, stop, err := fakellm.Listen("127.0.0.1:0", h)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stop(context.Background()) })
	return srv, url
}

// realSecondsWriter divides a Retry-After in server seconds by goodputK
// (rounded up) as the header is written.
type realSecondsWriter struct{ http.ResponseWriter }

func (w *realSecondsWriter) WriteHeader(code int) {
	if v := w.Header().Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(float64(s)/goodputK))))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}
