package httpapi

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// DefaultAuthFailuresPerMinute is Options.AuthFailuresPerMinute's default.
const DefaultAuthFailuresPerMinute = 10

// maxThrottledClients bounds the table of client addresses: past it, the
// addresses whose budget is whole again are forgotten first, then any.
const maxThrottledClients = 10000

// authThrottle limits wrong credentials per client address: each address
// has a budget of failures (a token bucket of AuthFailuresPerMinute that
// refills at that rate). While the budget is spent, every authentication
// attempt from the address — right or wrong, bearer or login — is refused
// with 429 before the credential is looked at, so more connections or
// faster requests give no more guesses. Successful attempts cost nothing.
// IPv6 clients are keyed by their /64, which one host usually owns whole.
type authThrottle struct {
	mu      sync.Mutex
	perMin  int
	now     func() time.Time
	clients map[netip.Addr]*bucket
}

// bucket is one address's budget: tokens left at time at.
type bucket struct {
	tokens float64
	at     time.Time
}

func newAuthThrottle(perMinute int, now func() time.Time) *authThrottle {
	return &authThrottle{perMin: perMinute, now: now, clients: make(map[netip.Addr]*bucket)}
}

// clientKey is the throttling key of a request's peer address.
func clientKey(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.Addr()
	}
	return addr
}

// attempt is one authentication attempt that holds a failure of its
// address's budget until it is known to have succeeded.
type attempt struct {
	t *authThrottle
	b *bucket
}

// succeeded gives the reserved failure back: right credentials cost nothing.
func (a attempt) succeeded() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	a.b.tokens = min(a.b.tokens+1, float64(a.t.perMin))
}

// begin reserves one failure of the request address's budget before the
// credential is checked, so concurrent attempts cannot all pass a check
// made before any of them failed. With no budget left it returns false and
// how long the address must wait.
func (t *authThrottle) begin(r *http.Request) (attempt, time.Duration, bool) {
	key := clientKey(r)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.clients[key]
	if !ok {
		if len(t.clients) >= maxThrottledClients {
			t.evict(now)
		}
		b = &bucket{tokens: float64(t.perMin), at: now}
		t.clients[key] = b
	}
	t.refill(b, now)
	if b.tokens < 1 {
		return attempt{}, time.Duration((1 - b.tokens) * float64(t.every())), false
	}
	b.tokens--
	return attempt{t: t, b: b}, 0, true
}

// every is the time one failure takes to be forgiven.
func (t *authThrottle) every() time.Duration { return time.Minute / time.Duration(t.perMin) }

// refill adds the failures forgiven since the bucket was last seen.
func (t *authThrottle) refill(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.tokens = min(b.tokens+float64(now.Sub(b.at))/float64(t.every()), float64(t.perMin))
		b.at = now
	}
}

// evict forgets the addresses whose budget is whole again (they lose
// nothing), and when too few are, an arbitrary tenth of the table: a flood
// of addresses can only make the throttle forget, never grow without bound.
func (t *authThrottle) evict(now time.Time) {
	for k, b := range t.clients {
		if t.refill(b, now); b.tokens >= float64(t.perMin) {
			delete(t.clients, k)
		}
	}
	for k := range t.clients {
		if len(t.clients) < maxThrottledClients*9/10 {
			break
		}
		delete(t.clients, k)
	}
}

// authFailures counts and logs wrong credentials. The log is rate-limited
// (a burst of 5 lines, then one per 10 s, each telling how many failures
// went unlogged since the last), so a guessing client cannot flood it.
type authFailures struct {
	failures  *prometheus.CounterVec
	throttled prometheus.Counter
	log       *slog.Logger
	lines     *rate.Limiter
	mu        sync.Mutex
	unlogged  int
}

func newAuthFailures(reg prometheus.Registerer, log *slog.Logger) *authFailures {
	return &authFailures{
		failures: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobpilot_http_auth_failures_total", Help: "Wrong credentials presented, by kind (bearer, login).",
		}, []string{"kind"})),
		throttled: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jobpilot_http_auth_throttled_total", Help: "Authentication attempts refused because their address spent its failure budget.",
		})),
		log:   log,
		lines: rate.NewLimiter(rate.Every(10*time.Second), 5),
	}
}

// record counts a failure of kind ("bearer", "login") and logs it unless
// the log's own budget is spent. The credential itself is never logged.
func (a *authFailures) record(r *http.Request, kind string) {
	a.failures.WithLabelValues(kind).Inc()
	a.mu.Lock()
	if !a.lines.Allow() {
		a.unlogged++
		a.mu.Unlock()
		return
	}
	unlogged := a.unlogged
	a.unlogged = 0
	a.mu.Unlock()
	a.log.Warn("authentication failed", "kind", kind, "remote", r.RemoteAddr, "path", r.URL.Path,
		"unlogged_failures_before", unlogged)
}

// tooMany answers 429 with Retry-After: the address spent its budget.
func (s *server) tooMany(w http.ResponseWriter, wait time.Duration) {
	s.retryAfter(w, wait)
	writeJSON(w, http.StatusTooManyRequests, ErrorBody{Error: ErrorDetail{Code: codeTooManyRequests, Message: "too many failed authentication attempts from this address; try again later"}})
}

// retryAfter counts a throttled attempt and sets Retry-After (whole
// seconds, rounded up).
func (s *server) retryAfter(w http.ResponseWriter, wait time.Duration) {
	s.authFails.throttled.Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}
