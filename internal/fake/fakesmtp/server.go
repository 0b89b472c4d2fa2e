// Package fakesmtp is a fault-injecting SMTP server for tests and the chaos
// harness, built on emersion/go-smtp. It records every message it accepts
// (Message-ID, headers, attachment names, raw bytes), counts delivery
// attempts per Message-ID, and injects faults from a Schedule: 4xx/5xx
// replies, connections dropped mid-DATA, stalls in DATA until the client
// gives up, and down windows during which connections are closed at once.
//
// In-process, use Start (or StartTest) and read Messages; standalone, give
// Start a side HTTP address and read GET /messages, GET /attempts and
// GET /stats, or swap the schedule with POST /schedule.
//
// It is a test fixture: never wire it into a production path.
package fakesmtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is an accepted message as the server recorded it.
type Message struct {
	MessageID   string              `json:"message_id"`
	MailFrom    string              `json:"mail_from"` // envelope sender
	RcptTo      []string            `json:"rcpt_to"`   // envelope recipients
	Subject     string              `json:"subject"`   // decoded
	Header      map[string][]string `json:"header"`
	Attachments []string            `json:"attachments"` // file names, in order
	Attempt     int                 `json:"attempt"`     // which attempt of this Message-ID was accepted
	TLS         bool                `json:"tls"`
	AuthUser    string              `json:"auth_user,omitempty"`
	ReceivedAt  time.Time           `json:"received_at"`
	Raw         []byte              `json:"raw,omitempty"` // the DATA bytes as received (CRLF line ends)
}

// Stats counts what the server saw.
type Stats struct {
	Connections int `json:"connections"` // accepted TCP connections, refused ones included
	Refused     int `json:"refused"`     // closed at once during a down window
	Accepted    int `json:"accepted"`    // messages recorded
	Rejected    int `json:"rejected"`    // messages refused with a 4xx/5xx reply
	Dropped     int `json:"dropped"`     // connections closed mid-DATA
	Cut         int `json:"cut"`         // connections closed after the final "." without a reply
	Hung        int `json:"hung"`        // messages stalled in DATA
	HangsEnded  int `json:"hangs_ended"` // stalls that ended because the client (or the server) went away
	Aborted     int `json:"aborted"`     // DATA that never reached its final "." (client went away)
}

// Option configures a Server.
type Option func(*Server)

// WithSchedule sets the fault schedule (default: accept everything).
func WithSchedule(s *Schedule) Option { return func(srv *Server) { srv.sched.Store(s) } }

// WithSeed seeds the schedule's random rules unless its spec names a seed.
func WithSeed(seed uint64) Option { return func(srv *Server) { srv.seed = &seed } }

// WithTLS offers STARTTLS with cfg.
func WithTLS(cfg *tls.Config) Option {
	return func(srv *Server) { srv.tlsConfig, srv.implicit = cfg, false }
}

// WithImplicitTLS speaks TLS from the first byte (SMTPS) with cfg.
func WithImplicitTLS(cfg *tls.Config) Option {
	return func(srv *Server) { srv.tlsConfig, srv.implicit = cfg, true }
}

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM.
// Over a plain connection the server still refuses it, as real servers do,
// unless TLS is configured.
func WithAuth(username, password string) Option {
	return func(srv *Server) { srv.user, srv.pass = username, password }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(srv *Server) { srv.logger = l } }

// WithClock sets the clock that down windows are measured with.
func WithClock(now func() time.Time) Option { return func(srv *Server) { srv.now = now } }

// WithOnAccept calls f with every message the server accepts, before it
// replies 250: the recipients' mail servers have it from then on (the lab
// delivers it into a mailbox served over IMAP). f must be quick.
func WithOnAccept(f func(Message)) Option { return func(srv *Server) { srv.onAccept = f } }

// Server is a running fake SMTP server.
type Server struct {
	sched     atomic.Pointer[Schedule]
	seed      *uint64
	tlsConfig *tls.Config
	implicit  bool
	user      string
	pass      string
	logger    *slog.Logger
	now       func() time.Time
	start     time.Time
	onAccept  func(Message)

	smtp     *smtp.Server
	ln       *listener
	httpSrv  *http.Server
	httpLn   net.Listener
	wg       sync.WaitGroup // Serve loops
	dataWG   sync.WaitGroup // DATA in progress (hangs included)
	closed   chan struct{}
	closeMu  sync.Mutex
	isClosed bool

	mu       sync.Mutex
	messages []Message
	attempts map[string]int
	stats    Stats
}

// Start listens on addr ("127.0.0.1:0" for a free port) and, when
// sideHTTPAddr is not empty, serves the JSON side API there. The server runs
// until Close.
func Start(addr, sideHTTPAddr string, opts ...Option) (*Server, error) {
	s := &Server{
		logger:   slog.New(slog.DiscardHandler),
		now:      time.Now,
		closed:   make(chan struct{}),
		attempts: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.sched.Load() == nil {
		s.sched.Store(&Schedule{})
	}
	if s.seed != nil {
		s.sched.Store(s.sched.Load().WithSeed(*s.seed))
	}
	s.start = s.now()

	raw, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakesmtp: %w", err)
	}
	s.ln = &listener{Listener: raw, srv: s, conns: map[net.Conn]struct{}{}}
	var l net.Listener = s.ln
	if s.implicit {
		l = tls.NewListener(s.ln, s.tlsConfig)
	}

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "fakesmtp.test"
	srv.TLSConfig = s.tlsConfig
	srv.AllowInsecureAuth = s.tlsConfig == nil
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 50
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.smtp = srv
	s.wg.Go(func() { _ = srv.Serve(l) })

	if sideHTTPAddr != "" {
		hl, err := net.Listen("tcp", sideHTTPAddr)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("fakesmtp: side http: %w", err)
		}
		s.httpLn = hl
		s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
		s.wg.Go(func() { _ = s.httpSrv.Serve(hl) })
	}
	s.logger.Info("fakesmtp: listening", "addr", s.Addr(), "http", s.HTTPAddr(), "schedule", s.sched.Load().String(),
		"tls", s.tlsConfig != nil, "implicit_tls", s.implicit)
	return s, nil
}

// TB is the part of testing.TB that StartTest uses; *testing.T and
// *testing.B satisfy it. Taking it instead of testing.TB keeps the testing
// package out of the binaries that link the lab (jobpilot lab smtp).
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// StartTest starts a server on a free loopback port for the test and closes
// it when the test ends.
func StartTest(t TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", "", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Addr is the SMTP listen address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host and Port split Addr for an SMTP client's configuration.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr()); return h }

// Port is the SMTP listen port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// HTTPAddr is the side API's address, "" when none.
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// SetSchedule replaces the fault schedule for the connections and messages
// that come next. Down windows keep counting from Start.
func (s *Server) SetSchedule(sc *Schedule) {
	if sc == nil {
		sc = &Schedule{}
	}
	if s.seed != nil {
		sc = sc.WithSeed(*s.seed)
	}
	s.sched.Store(sc)
}

// Schedule returns the current schedule.
func (s *Server) Schedule() *Schedule { return s.sched.Load() }

// Messages returns the accepted messages in arrival order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Attempts returns how many DATA attempts a Message-ID has seen, accepted
// or not.
func (s *Server) Attempts(messageID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[messageID]
}

// AllAttempts returns the attempt counts of every Message-ID seen.
func (s *Server) AllAttempts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.attempts))
	for k, v := range s.attempts {
		out[k] = v
	}
	return out
}

// Duplicates counts Message-IDs accepted more than once (each extra copy
// counts one).
func (s *Server) Duplicates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]int{}
	dups := 0
	for _, m := range s.messages {
		seen[m.MessageID]++
		if seen[m.MessageID] > 1 {
			dups++
		}
	}
	return dups
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// WaitStats polls the counters until cond holds or ctx ends; it returns the
// last counters seen and ctx's error when it gave up. Tests use it to wait
// for the server to notice a client's disconnect.
func (s *Server) WaitStats(ctx context.Context, cond func(Stats) bool) (Stats, error) {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		st := s.Stats()
		if cond(st) {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-t.C:
		}
	}
}

// Reset forgets the recorded messages, attempts and counters.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages, s.attempts, s.stats = nil, map[string]int{}, Stats{}
}

// Close stops the server: listeners and every connection are closed at once
// (stalled sessions end), and Close returns when all of its goroutines have.
func (s *Server) Close() error {
	s.closeMu.Lock()
	if s.isClosed {
		s.closeMu.Unlock()
		return nil
	}
	s.isClosed = true
	close(s.closed)
	s.closeMu.Unlock()

	err := s.smtp.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	// go-smtp closes only the listeners its Serve has registered; a Close
	// right after Start can come first, so close ours too.
	_ = s.ln.Listener.Close()
	s.ln.closeAll()
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = s.httpSrv.Shutdown(ctx)
		cancel()
	}
	s.dataWG.Wait()
	s.wg.Wait()
	return err
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}
