package mail

import (
	"crypto/tls"
	"log/slog"
	"time"
)

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
