package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/jobpilot/jobpilot"
)

// ErrOutcomeUnknown is wrapped by Send's error when the whole message,
// including the final ".", reached the server but its reply never came back
// (the connection dropped, or ctx ended while the server was deciding). The
// server may or may not have accepted the message. Such an error is
// classified jobpilot.Permanent so that no generic retry loop sends the
// message a second time; callers check errors.Is(err, ErrOutcomeUnknown)
// first and hand the application to a person (needs_review).
//
// It is jobpilot.ErrOutcomeUnknown, so callers above the mail package test for
// it without importing this one.
var ErrOutcomeUnknown = jobpilot.ErrOutcomeUnknown

// ReplyError is an SMTP reply that refused the transaction. Its text is the
// server's own ("550 5.1.1 mailbox unavailable"). Send wraps it in
// jobpilot.Transient for 4xx codes and jobpilot.Permanent for 5xx codes.
type ReplyError struct {
	Code int    // the SMTP reply code, e.g. 421 or 550
	Text string // the server's reply, e.g. "550 5.1.1 mailbox unavailable"
	Err  error  // what go-mail reported
}

func (e *ReplyError) Error() string {
	if e.Text == "" {
		return e.Err.Error()
	}
	return e.Text + " (" + e.Err.Error() + ")"
}
func (e *ReplyError) Unwrap() error { return e.Err }

// Config is the mail server the SMTP transport sends through.
type Config struct {
	Host     string // SMTP_HOST; required
	Port     int    // SMTP_PORT; 0 = DefaultPort(TLS)
	Username string // SMTP_USERNAME; authentication is used when set
	Password string // SMTP_PASSWORD (secret)
	From     string // SMTP_FROM: envelope and header sender; "" = each message's From
	TLS      string // SMTP_TLS: TLSStartTLS (default, also for ""), TLSImplicit or TLSNone
}

// TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is mandatory
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, port 465)
	TLSNone     = "none"     // no encryption (local relays and tests only)
)

// DefaultPort is the port of a TLS mode (also SMTP_PORT's default): 465 for
// implicit TLS, 25 without TLS, 587 (submission with STARTTLS) otherwise.
func DefaultPort(tlsMode string) int {
	switch tlsMode {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	default:
		return 587
	}
}

// DefaultCommandTimeout bounds each SMTP command's I/O when the caller's
// context has no earlier deadline.
const DefaultCommandTimeout = 30 * time.Second

// Option configures a transport.
type Option func(*options)

type options struct {
	logger    *slog.Logger
	tlsConfig *tls.Config
	timeout   time.Duration
	helo      string
	now       func() time.Time
}

func newOptions(opts []Option) options {
	o := options{logger: slog.Default(), timeout: DefaultCommandTimeout, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the logger (default slog.Default()). Passwords and message
// bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithTLSConfig sets the TLS configuration used for STARTTLS and implicit
// TLS, e.g. with custom RootCAs for a private server. ServerName defaults to
// the SMTP host. The configuration is cloned.
func WithTLSConfig(c *tls.Config) Option {
	return func(o *options) {
		if c != nil {
			o.tlsConfig = c.Clone()
		}
	}
}

// WithCommandTimeout bounds the I/O of each SMTP command (default
// DefaultCommandTimeout). The whole transaction is bounded by the context
// given to Send; this is only the safety net when that context has none.
func WithCommandTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithHELO sets the name sent in EHLO (default: the host name).
func WithHELO(name string) Option { return func(o *options) { o.helo = name } }

// WithClock sets the clock used for the Date header of messages that carry
// none (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// SMTP sends messages to a mail server, one connection per message.
type SMTP struct {
	cfg  Config
	port int
	o    options
}

// New returns an SMTP transport for cfg. It validates the configuration
// (host, TLS mode, From address) without connecting; the server is first
// contacted by Send. Authentication is used when cfg.Username is set: the
// strongest mechanism the server offers, plain-text ones only over TLS.
func New(cfg Config, opts ...Option) (jobpilot.Mailer, error) {
	if cfg.Host == "" {
		return nil, jobpilot.FieldError("SMTP_HOST", "is required for the SMTP transport")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, jobpilot.FieldError("SMTP_TLS", "%q is not one of starttls, tls, none", cfg.TLS)
	}
	port := cfg.Port
	if port == 0 {
		port = DefaultPort(cfg.TLS)
	}
	if port < 1 || port > 65535 {
		return nil, jobpilot.FieldError("SMTP_PORT", "%d is not a port", port)
	}
	if err := checkAddress("SMTP_FROM", cfg.From, false); err != nil {
		return nil, err
	}
	s := &SMTP{cfg: cfg, port: port, o: newOptions(opts)}
	if s.o.tlsConfig == nil {
		s.o.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.o.tlsConfig.ServerName == "" {
		s.o.tlsConfig.ServerName = cfg.Host
	}
	return s, nil
}

// trackedConn remembers which kind of I/O failed first: go-mail ignores the
// error of flushing the final "." and only reports the missing reply, and
// this is how Send tells "the server never got the whole message" (a write
// failed first: safe to retry) from "the server got it and its answer was
// lost" (the reply read failed first: ErrOutcomeUnknown). Later failures,
// such as the QUIT written on a connection already closed, do not count. It
// sits below TLS, so it sees the bytes that really left.
type trackedConn struct {
	net.Conn
	firstFailure atomic.Int32 // 0 none, failedRead, failedWrite
}

const (
	failedRead  = 1
	failedWrite = 2
)

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil || n < len(p) {
		c.firstFailure.CompareAndSwap(0, failedWrite)
	}
	return n, err
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.firstFailure.CompareAndSwap(0, failedRead)
	}
	return n, err
}

// attempt is the state of one Send's connection.
type attempt struct {
	mu   sync.Mutex
	conn *trackedConn
	stop func() bool
}

func (a *attempt) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		a.stop()
	}
	if a.conn != nil {
		a.conn.Close() // go-mail leaves it open when the greeting or EHLO fails
	}
}

// replyLost reports whether the first I/O failure was a read: everything
// written so far had left when the connection failed.
func (a *attempt) replyLost() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conn != nil && a.conn.firstFailure.Load() == failedRead
}

// Send delivers m in one SMTP transaction bounded by ctx.
//
// The message is validated before any connection: CR/LF or other control
// characters in the subject, names, addresses, message ids or attachment
// names return a Permanent EINVALID error and nothing is sent.
//
// ctx bounds everything from the TCP dial to the server's last reply: when it
// ends, the connection is closed at once, so a message that was still being
// written is never completed by the server afterwards (an SMTP server only
// delivers after the final "." and our reply to it).
//
// Errors: a 4xx reply or a network failure is jobpilot.Transient; a 5xx reply
// is jobpilot.Permanent and keeps the server's text (see ReplyError); an
// invalid TLS certificate or a server without the required STARTTLS is
// Permanent. When the whole message was written but the reply to it never
// arrived, the error wraps ErrOutcomeUnknown (and is Permanent: never resend
// it blindly). Once the server has accepted the message, later failures (QUIT)
// are ignored and Send returns nil.
func (s *SMTP) Send(ctx context.Context, m *jobpilot.Message) error {
	msg, err := build(m, s.cfg.From, s.o.now)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxError(fmt.Errorf("mail: send %s: %w", m.MessageID, err), ctx)
	}

	at := &attempt{}
	defer at.close()
	client, err := s.client(ctx, at)
	if err != nil {
		return err
	}
	start := time.Now()
	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		if err != nil {
			s.o.logger.WarnContext(ctx, "mail: accepted by the server, closing failed", "message_id", m.MessageID, "error", err)
		}
		s.o.logger.InfoContext(ctx, "mail: sent", "message_id", m.MessageID, "host", s.cfg.Host,
			"attachments", len(m.Attachments), "duration", time.Since(start).Round(time.Millisecond))
		return nil
	}
	err = s.classify(ctx, m.MessageID, err, at)
	s.o.logger.WarnContext(ctx, "mail: send failed", "message_id", m.MessageID, "host", s.cfg.Host,
		"transient", errors.Is(err, jobpilot.ErrTransient), "outcome_unknown", errors.Is(err, ErrOutcomeUnknown),
		"error", err)
	return err
}

// client builds a go-mail client for one attempt. A client per attempt costs
// nothing (no connection is made here) and keeps concurrent Sends apart.
func (s *SMTP) client(ctx context.Context, at *attempt) (*gomail.Client, error) {
	tlsConfig := s.o.tlsConfig.Clone()
	implicit := s.cfg.TLS == TLSImplicit
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: raw}
		at.mu.Lock()
		at.conn = tc
		// The caller's ctx, not dctx (which go-mail cancels after the dial):
		// its end closes the connection whatever go-mail is doing.
		at.stop = context.AfterFunc(ctx, func() { raw.Close() })
		at.mu.Unlock()
		if !implicit {
			return tc, nil
		}
		tlsConn := tls.Client(tc, tlsConfig)
		if err := tlsConn.HandshakeContext(dctx); err != nil {
			return nil, err
		}
		return tlsConn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.o.timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch s.cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		// The dialer already speaks TLS; "opportunistic" makes go-mail read
		// the connection state and treat the session as encrypted (needed
		// for PLAIN/LOGIN auth) without attempting STARTTLS on top.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.o.helo != "" {
		opts = append(opts, gomail.WithHELO(s.o.helo))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, jobpilot.Permanent(jobpilot.FieldError("SMTP_HOST", "%v", err))
	}
	return c, nil
}

// classify turns go-mail's error into our classes. go-mail's SendError does
// not unwrap to the underlying reply or network error, but reports the SMTP
// code and the phase (Reason) in which it failed.
func (s *SMTP) classify(ctx context.Context, id string, err error, at *attempt) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("mail: send %s via %s: %w", id, s.cfg.Host, err)

	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code == 0 {
			code = leadingCode(se.Error())
		}
		switch {
		case code >= 500 && code < 600:
			return jobpilot.Permanent(newReplyError(code, wrapped))
		case code >= 400 && code < 500:
			return jobpilot.Transient(newReplyError(code, wrapped))
		}
		if se.Reason == gomail.ErrNoUnencoded {
			return jobpilot.Permanent(wrapped)
		}
		// No reply code: the connection failed. After the final "." was
		// written in full, only the reply is missing: the server may have
		// accepted the message.
		if se.Reason == gomail.ErrSMTPDataClose && at.replyLost() {
			return jobpilot.Permanent(fmt.Errorf("%w: %w", ErrOutcomeUnknown, ctxWrap(wrapped, ctx)))
		}
		return ctxError(wrapped, ctx)
	}

	// Failures before MAIL FROM: dial, greeting, EHLO, STARTTLS, AUTH.
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		switch {
		case tpe.Code >= 500:
			return jobpilot.Permanent(newReplyError(tpe.Code, wrapped))
		case tpe.Code >= 400:
			return jobpilot.Transient(newReplyError(tpe.Code, wrapped))
		}
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostnameErr      x509.HostnameError
		invalidCert      x509.CertificateInvalidError
		verifyErr        *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) || errors.As(err, &invalidCert) ||
		errors.As(err, &verifyErr) {
		return jobpilot.Permanent(wrapped) // configuration: a retry meets the same certificate
	}
	for _, e := range []error{gomail.ErrPlainAuthNotSupported, gomail.ErrLoginAuthNotSupported} {
		if errors.Is(err, e) {
			return jobpilot.Permanent(wrapped)
		}
	}
	if code := leadingCode(err.Error()); code >= 500 {
		return jobpilot.Permanent(newReplyError(code, wrapped))
	}
	var ne net.Error
	if errors.As(err, &ne) || ctx.Err() != nil {
		return ctxError(wrapped, ctx)
	}
	if isConfigError(err) {
		return jobpilot.Permanent(wrapped)
	}
	// EOF on the greeting, a reset: the server or the path is in trouble.
	return ctxError(wrapped, ctx)
}

// isConfigError spots go-mail's refusals that no retry fixes: a server
// without the mandatory STARTTLS, or without any usable auth mechanism.
func isConfigError(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"authentication type", "not supported", "unencrypted connection", "does not support starttls"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// newReplyError keeps the server's reply as it was sent: go-mail prints it
// as `550 "5.1.1 mailbox unavailable"`.
func newReplyError(code int, err error) *ReplyError {
	msg := err.Error()
	prefix := strconv.Itoa(code) + " "
	text := ""
	if i := strings.Index(msg, prefix); i >= 0 {
		rest := msg[i+len(prefix):]
		if q, qerr := strconv.QuotedPrefix(rest); qerr == nil {
			if uq, uerr := strconv.Unquote(q); uerr == nil {
				text = prefix + uq
			}
		} else if j := strings.IndexAny(rest, ",\n"); j >= 0 {
			text = prefix + rest[:j]
		} else {
			text = prefix + rest
		}
	}
	return &ReplyError{Code: code, Text: text, Err: err}
}

// leadingCode finds an SMTP reply code ("421 4.3.0 …") in an error text;
// go-mail formats replies as "<phase>: <code> <text>".
func leadingCode(s string) int {
	for i := 0; i+3 <= len(s); i++ {
		if (i == 0 || s[i-1] == ' ') && s[i] >= '2' && s[i] <= '5' &&
			isDigit(s[i+1]) && isDigit(s[i+2]) && (i+3 == len(s) || s[i+3] == ' ' || s[i+3] == '-') {
			n, _ := strconv.Atoi(s[i : i+3])
			if n >= 400 {
				return n
			}
		}
	}
	return 0
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ctxWrap adds ctx's error to err's chain when ctx has ended, so callers see
// context.DeadlineExceeded (our timeout) or context.Canceled (our shutdown).
func ctxWrap(err error, ctx context.Context) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%w)", err, cerr)
	}
	return err
}

// ctxError classifies a failure in which nothing was delivered: Transient,
// with ctx's error in the chain when ctx ended (a retry classifier treats
// context.Canceled, our own shutdown, as final).
func ctxError(err error, ctx context.Context) error {
	return jobpilot.Transient(ctxWrap(err, ctx))
}
