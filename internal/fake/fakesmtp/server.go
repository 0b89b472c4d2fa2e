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
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	netmail "net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
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

// StartTest starts a server on a free loopback port for the test and closes
// it when the test ends.
func StartTest(t testing.TB, opts ...Option) *Server {
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

// Handler is the side HTTP API:
//
//	GET  /messages        accepted messages (add ?raw=1 for the raw bytes)
//	GET  /attempts        {"<message-id>": attempts}
//	GET  /stats           counters, plus "duplicates"
//	POST /schedule        body: a spec; replaces the schedule (400 on a bad spec)
//	POST /reset           forget messages, attempts and counters
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		msgs := s.Messages()
		if r.URL.Query().Get("raw") != "1" {
			for i := range msgs {
				msgs[i].Raw = nil
			}
		}
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, msgs)
	})
	mux.HandleFunc("GET /attempts", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.AllAttempts()) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, struct {
			Stats
			Duplicates int    `json:"duplicates"`
			Schedule   string `json:"schedule"`
		}{s.Stats(), s.Duplicates(), s.Schedule().String()})
	})
	mux.HandleFunc("POST /schedule", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sc, err := ParseSchedule(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetSchedule(sc)
		s.logger.Info("fakesmtp: schedule replaced", "schedule", sc.String())
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// listener applies down windows and tracks raw connections so that Close
// can end every one of them, whatever state go-smtp has them in.
type listener struct {
	net.Listener
	srv   *Server
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.srv.count(func(st *Stats) { st.Connections++ })
		if l.srv.sched.Load().IsDown(l.srv.now().Sub(l.srv.start)) {
			l.srv.count(func(st *Stats) { st.Refused++ })
			c.Close()
			continue
		}
		l.mu.Lock()
		if l.done {
			l.mu.Unlock()
			c.Close()
			return nil, net.ErrClosed
		}
		if tcp, ok := c.(*net.TCPConn); ok {
			// A small receive window keeps a stalled DATA from being
			// swallowed whole by kernel buffers (see Hang).
			_ = tcp.SetReadBuffer(64 << 10)
		}
		tc := &trackedConn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

func (l *listener) closeAll() {
	l.mu.Lock()
	l.done = true
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// session is one SMTP connection's state.
type session struct {
	srv      *Server
	conn     *smtp.Conn
	from     string
	rcpts    []string
	authUser string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.srv.user == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.srv.user || password != ss.srv.pass || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		ss.authUser = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.user != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *session) Reset()        { ss.from, ss.rcpts = "", nil }
func (ss *session) Logout() error { return nil }

var errAborted = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "fakesmtp: connection lost"}

// Data reads the headers, counts the attempt for its Message-ID, asks the
// schedule what to do, and does it.
func (ss *session) Data(r io.Reader) error {
	s := ss.srv
	s.dataWG.Add(1)
	defer s.dataWG.Done()

	br := bufio.NewReader(r)
	var raw bytes.Buffer
	for {
		line, err := br.ReadBytes('\n')
		raw.Write(line)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break // a message without a body
			}
			s.count(func(st *Stats) { st.Aborted++ })
			return errAborted
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
	}
	id := ""
	if h, err := netmail.ReadMessage(bytes.NewReader(append(raw.Bytes(), '\r', '\n'))); err == nil {
		id = strings.TrimSpace(h.Header.Get("Message-Id"))
	}
	s.mu.Lock()
	s.attempts[id]++
	attempt := s.attempts[id]
	s.mu.Unlock()

	act := s.sched.Load().Decide(attempt)
	log := s.logger.With("message_id", id, "attempt", attempt, "action", act.String())

	if act.Kind == Drop {
		s.count(func(st *Stats) { st.Dropped++ })
		log.Info("fakesmtp: dropping the connection mid-DATA")
		ss.conn.Conn().Close()
		return errAborted
	}
	if act.Kind == Hang {
		s.count(func(st *Stats) { st.Hung++ })
		log.Info("fakesmtp: stalling in DATA until the client goes away")
		ss.waitForDisconnect()
		s.count(func(st *Stats) { st.HangsEnded++ })
		log.Info("fakesmtp: stalled client went away; message not recorded")
		return errAborted
	}
	if _, err := io.Copy(&raw, br); err != nil {
		s.count(func(st *Stats) { st.Aborted++ })
		log.Info("fakesmtp: client went away during DATA", "error", err)
		return errAborted
	}

	switch act.Kind {
	case Cut:
		s.count(func(st *Stats) { st.Cut++ })
		log.Info("fakesmtp: message read in full; cutting the connection before the reply")
		ss.conn.Conn().Close()
		return errAborted
	case Reply:
		s.count(func(st *Stats) { st.Rejected++ })
		log.Info("fakesmtp: refusing the message", "code", act.Code)
		return replyError(act)
	}

	m := parseMessage(raw.Bytes())
	m.MessageID = id
	m.MailFrom = ss.from
	m.RcptTo = append([]string(nil), ss.rcpts...)
	m.Attempt = attempt
	m.AuthUser = ss.authUser
	_, m.TLS = ss.conn.TLSConnectionState()
	m.ReceivedAt = s.now()
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.stats.Accepted++
	s.mu.Unlock()
	log.Info("fakesmtp: message accepted", "attachments", len(m.Attachments))
	return nil
}

// waitForDisconnect stalls until the client closes the connection or the
// server closes. It drains the connection at a trickle (4 KiB every 20 ms):
// enough to notice the client going away, too slow for a large message to
// get through, and whatever arrives is never answered nor recorded.
func (ss *session) waitForDisconnect() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4<<10)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if _, err := ss.conn.Conn().Read(buf); err != nil {
				return
			}
			select {
			case <-t.C:
			case <-ss.srv.closed:
				return
			}
		}
	}()
	select {
	case <-done:
	case <-ss.srv.closed:
	}
	ss.conn.Conn().Close()
	<-done
}

func replyError(a Action) error {
	text := a.Text
	enhanced := smtp.EnhancedCode{a.Code / 100, 0, 0}
	if text == "" {
		switch {
		case a.Code == 421:
			enhanced, text = smtp.EnhancedCode{4, 3, 0}, "service not available, try again later (fakesmtp)"
		case a.Code == 450 || a.Code == 451:
			enhanced, text = smtp.EnhancedCode{4, 3, 0}, "temporary local problem, try again later (fakesmtp)"
		case a.Code == 452:
			enhanced, text = smtp.EnhancedCode{4, 3, 1}, "insufficient system storage (fakesmtp)"
		case a.Code == 550:
			enhanced, text = smtp.EnhancedCode{5, 1, 1}, "mailbox unavailable"
		case a.Code == 552:
			enhanced, text = smtp.EnhancedCode{5, 3, 4}, "message too big"
		case a.Code == 554:
			enhanced, text = smtp.EnhancedCode{5, 7, 1}, "message rejected"
		case a.Code >= 500:
			text = "permanent failure (fakesmtp)"
		default:
			text = "temporary failure (fakesmtp)"
		}
	}
	return &smtp.SMTPError{Code: a.Code, EnhancedCode: enhanced, Message: text}
}

// parseMessage extracts headers, subject and attachment names; a message
// that does not parse is still recorded with its raw bytes.
func parseMessage(raw []byte) Message {
	m := Message{Raw: append([]byte(nil), raw...)}
	pm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m
	}
	m.Header = map[string][]string(pm.Header)
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(pm.Header.Get("Subject")); err == nil {
		m.Subject = subj
	} else {
		m.Subject = pm.Header.Get("Subject")
	}
	m.Attachments = attachmentNames(pm.Header.Get("Content-Type"), pm.Body, 0)
	return m
}

func attachmentNames(contentType string, body io.Reader, depth int) []string {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") || depth > 5 {
		return nil
	}
	var names []string
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if name := p.FileName(); name != "" {
			names = append(names, name)
			continue
		}
		names = append(names, attachmentNames(p.Header.Get("Content-Type"), p, depth+1)...)
	}
	return names
}
