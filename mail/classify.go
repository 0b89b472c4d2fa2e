package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"

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
		case isAuthRefusal(code, se.Error()):
			return jobpilot.Misconfigured(newReplyError(code, wrapped))
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
		case isAuthRefusal(tpe.Code, tpe.Msg):
			return jobpilot.Misconfigured(newReplyError(tpe.Code, wrapped))
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
		return jobpilot.Misconfigured(wrapped) // a retry meets the same certificate
	}
	// No authentication we may use: a server offering only PLAIN or LOGIN
	// over a connection without TLS, or none at all. Configuration, not an
	// outage: retrying cannot help.
	for _, e := range []error{gomail.ErrPlainAuthNotSupported, gomail.ErrLoginAuthNotSupported, gomail.ErrNoSupportedAuthDiscovered} {
		if errors.Is(err, e) {
			return jobpilot.Misconfigured(fmt.Errorf("%w (the server offers no authentication usable over this connection: check SMTP_TLS and SMTP_PORT)", wrapped))
		}
	}
	if code := leadingCode(err.Error()); code >= 500 {
		if isAuthRefusal(code, err.Error()) {
			return jobpilot.Misconfigured(newReplyError(code, wrapped))
		}
		return jobpilot.Permanent(newReplyError(code, wrapped))
	}
	var ne net.Error
	if errors.As(err, &ne) || ctx.Err() != nil {
		return ctxError(wrapped, ctx)
	}
	if isConfigError(err) {
		return jobpilot.Misconfigured(wrapped)
	}
	// EOF on the greeting, a reset: the server or the path is in trouble.
	return ctxError(wrapped, ctx)
}

// isAuthRefusal reports whether an SMTP reply refuses our credentials or
// asks for authentication we did not give: 530 (authentication required),
// 534 (mechanism too weak), 535 (credentials invalid), 538 (encryption
// required for the mechanism), or their enhanced codes 5.7.8, 5.7.9 and
// 5.7.11, or a 5.7.0 that asks to authenticate first. These are the
// configuration's fault, never the message's: no application is failed
// for them.
func isAuthRefusal(code int, text string) bool {
	switch code {
	case 530, 534, 535, 538:
		return true
	}
	if code < 500 || code >= 600 {
		return false
	}
	for _, enhanced := range []string{"5.7.8", "5.7.9", "5.7.11"} {
		if strings.Contains(text, enhanced) {
			return true
		}
	}
	lower := strings.ToLower(text)
	return strings.Contains(text, "5.7.0") && strings.Contains(lower, "authenticat")
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
