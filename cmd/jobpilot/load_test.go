package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/chaos"
)

// TestLoadHarness is the HTTP load test: a built `jobpilot serve` with the
// example data, then 200 clients, each from a loopback address of its own
// (127.0.0.2 …) with keep-alive, calling one endpoint as fast as they can
// for 20 s; it prints requests per second, p50, p99 and the answers that
// were not 200. It runs only when JOBPILOT_LOAD_BINARY names the binary, so
// the same harness measures any build:
//
//	go build -o /tmp/jobpilot ./cmd/jobpilot
//	JOBPILOT_LOAD_BINARY=/tmp/jobpilot go test -run TestLoadHarness -v -timeout 10m ./cmd/jobpilot
//
// JOBPILOT_LOAD_CLIENTS and JOBPILOT_LOAD_SECONDS change the defaults.
func TestLoadHarness(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("JOBPILOT_LOAD_BINARY")
	if bin == "" {
		t.Skip("JOBPILOT_LOAD_BINARY is not set: the load harness is skipped")
	}
	clients, seconds := envInt("JOBPILOT_LOAD_CLIENTS", 200), envInt("JOBPILOT_LOAD_SECONDS", 20)
	const token = "load-harness-token-0123456789abcdefgh"
	addr := freeAddr(t)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	srv, err := chaos.StartServer(bin, []string{
		"JOBPILOT_DATA_DIR=" + t.TempDir(), "HTTP_ADDR=" + addr, "JOBPILOT_API_TOKEN=" + token,
		"JOBPILOT_WRITER=template",
	}, addr, logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(20 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := srv.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	// Let the start-up fetch and automation settle, as a user's server is
	// between runs most of the time.
	time.Sleep(5 * time.Second)

	for _, path := range []string{"/health", "/api/v1/postings"} {
		r := loadEndpoint(t, "http://"+addr+path, token, clients, time.Duration(seconds)*time.Second)
		t.Logf("%-18s %d clients %ds: %6.0f req/s  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  not-200 %d  errors %d",
			path, clients, seconds, r.rate, ms(r.p50), ms(r.p99), ms(r.max), r.not200, r.errors)
		fmt.Fprintf(os.Stdout, "LOAD %s clients=%d seconds=%d rate=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f not200=%d errors=%d\n",
			path, clients, seconds, r.rate, ms(r.p50), ms(r.p99), ms(r.max), r.not200, r.errors)
	}
}

type loadResult struct {
	rate           float64
	p50, p99, max  time.Duration
	not200, errors int
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadEndpoint runs the clients against url for d and collects every
// request's latency.
func loadEndpoint(t *testing.T, url, token string, clients int, d time.Duration) loadResult {
	t.Helper()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		res       loadResult
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for i := range clients {
		// One address per client (127.0.0.2 …): they are distinct
		// clients, as they would be on a network.
		ip := net.IPv4(127, 0, byte(1+(i+1)/250), byte(2+i%250))
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext:         (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}).DialContext,
			MaxIdleConnsPerHost: 1,
		}}
		wg.Go(func() {
			var own []time.Duration
			var not200, errs int
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					errs++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				own = append(own, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					not200++
				}
			}
			c.CloseIdleConnections()
			mu.Lock()
			latencies = append(latencies, own...)
			res.not200 += not200
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		t.Fatalf("%s: no request answered (%d errors)", url, res.errors)
	}
	slices.Sort(latencies)
	at := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	res.rate = float64(len(latencies)) / elapsed.Seconds()
	res.p50, res.p99, res.max = at(0.50), at(0.99), latencies[len(latencies)-1]
	return res
}
