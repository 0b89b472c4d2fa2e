package fakellm

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faulty puts a seeded random fault in front of a Server: a fraction Rate of
// the chat calls is answered, before it reaches the Server, with either 429
// and a Retry-After (half of them) or 500 (the other half). It is what the
// chaos harness and `jobpilot lab llm --fail RATE` use to make an otherwise
// healthy provider flaky. Calls that pass go to the Server, whose own rate
// limit, latency and script still apply. During the Server's outage windows
// (Options.Down) calls go straight to the Server, which answers 503: an
// outage draws no random fault, so the faults after it are the same as in a
// run without it.
type Faulty struct {
	*Server
	rate       float64
	retryAfter string

	mu       sync.Mutex
	rng      *rand.Rand
	tooMany  int
	internal int
}

// NewFaulty wraps s. rate is clamped to [0, 1]; retryAfter is the header
// sent with the injected 429s ("1" when empty). A zero seed is a valid seed:
// the same seed and call order give the same faults.
func NewFaulty(s *Server, rate float64, seed int64, retryAfter string) *Faulty {
	rate = min(max(rate, 0), 1)
	if retryAfter == "" {
		retryAfter = "1"
	}
	return &Faulty{Server: s, rate: rate, retryAfter: retryAfter, rng: rand.New(rand.NewSource(seed))}
}

// ServeHTTP injects the faults into chat calls and hands everything else to
// the Server.
func (f *Faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/chat/completions") && !f.Server.downNow() {
		f.mu.Lock()
		fail := f.rate > 0 && f.rng.Float64() < f.rate
		tooMany := fail && f.rng.Intn(2) == 0
		switch {
		case tooMany:
			f.tooMany++
		case fail:
			f.internal++
		}
		f.mu.Unlock()
		if tooMany {
			w.Header().Set("Retry-After", f.retryAfter)
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "injected rate limit (fakellm)", "rate_limit_exceeded")
			return
		}
		if fail {
			writeError(w, http.StatusInternalServerError, "server_error", "injected server error (fakellm)", "")
			return
		}
	}
	f.Server.ServeHTTP(w, r)
}

// Injected returns how many 429s and 500s the wrapper answered itself.
func (f *Faulty) Injected() (tooMany, internal int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tooMany, f.internal
}

// Listen serves h on addr (e.g. "127.0.0.1:0") until the returned stop is
// called; baseURL ends in "/v1", ready for OPENAI_BASE_URL. stop shuts the
// server down gracefully within ctx and returns once it has. When h is a
// *Server or a *Faulty, its outage windows count from here.
func Listen(addr string, h http.Handler) (baseURL string, stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("fakellm: listen: %w", err)
	}
	if r, ok := h.(restarter); ok {
		r.restart()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop = func(ctx context.Context) error {
		err := srv.Shutdown(ctx)
		if err != nil {
			_ = srv.Close()
		}
		if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		return err
	}
	return "http://" + ln.Addr().String() + "/v1", stop, nil
}
