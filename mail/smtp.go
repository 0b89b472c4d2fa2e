package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/jobpilot/jobpilot"
)

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
// is jobpilot.Permanent and keeps the server's text (see ReplyError). The
// configuration's faults are jobpilot.Misconfigured, neither transient nor
// permanent: credentials refused (530, 534, 535, 538), no authentication
// usable over the connection (PLAIN or LOGIN offered without TLS), an
// invalid TLS certificate, a server without the required STARTTLS. When the whole message was written but the reply to it never
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
		"misconfigured", errors.Is(err, jobpilot.ErrMisconfigured),
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
