package mail

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/jobpilot/jobpilot"
)

// invalid returns the Permanent EINVALID error for a refused message field.
// Invalid input never gets better with a retry, hence Permanent.
func invalid(field, format string, args ...any) error {
	return jobpilot.Permanent(jobpilot.FieldError(field, format, args...))
}

// hasControl reports whether s holds CR, LF or any other control character
// (TAB excepted): each of them could end a header line early or smuggle a new
// header ("Subject: hi\r\nBcc: everyone@example.com").
func hasControl(s string) bool {
	for _, r := range s {
		if r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return true
		}
	}
	return false
}

// checkText refuses a header text (subject, display name) with control
// characters or of an unreasonable length.
func checkText(field, s string, max int) error {
	if hasControl(s) {
		return invalid(field, "must not contain line breaks or control characters")
	}
	if len(s) > max {
		return invalid(field, "is longer than %d bytes", max)
	}
	return nil
}

// checkAddress refuses anything but a bare RFC 5322 address: a display name,
// a group, comments or a second address inside the field would let a caller
// add recipients or headers.
func checkAddress(field, s string, required bool) error {
	if s == "" {
		if required {
			return invalid(field, "is required")
		}
		return nil
	}
	if hasControl(s) {
		return invalid(field, "must not contain line breaks or control characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || strings.ContainsAny(s, ",;<>\"() ") {
		return invalid(field, "%q is not a single plain email address", s)
	}
	return nil
}

// checkMsgID refuses anything but one "<left@right>" message identifier.
func checkMsgID(field, s string, required bool) error {
	if s == "" {
		if required {
			return invalid(field, "is required")
		}
		return nil
	}
	if hasControl(s) || strings.ContainsAny(s, " ,;\"()\\") || !strings.HasPrefix(s, "<") ||
		!strings.HasSuffix(s, ">") || strings.Count(s, "<") != 1 || strings.Count(s, ">") != 1 ||
		strings.Count(s, "@") != 1 || len(s) > 250 {
		return invalid(field, "%q is not a message id of the form <left@right>", s)
	}
	at := strings.IndexByte(s, '@')
	if at < 2 || at > len(s)-3 {
		return invalid(field, "%q is not a message id of the form <left@right>", s)
	}
	for _, r := range s {
		if r > 0x7e {
			return invalid(field, "%q must be ASCII", s)
		}
	}
	return nil
}

// checkFilename refuses attachment names that could break the
// Content-Disposition header or point outside a directory when saved.
func checkFilename(field, s string) error {
	switch {
	case s == "":
		return invalid(field, "is required")
	case hasControl(s):
		return invalid(field, "must not contain line breaks or control characters")
	case strings.ContainsAny(s, "\"/\\"):
		return invalid(field, "must not contain quotes or path separators")
	case s == "." || s == "..":
		return invalid(field, "is not a file name")
	case len(s) > 200:
		return invalid(field, "is longer than 200 bytes")
	}
	return nil
}

// Validate checks every field of m that ends up in a header and returns a
// Permanent EINVALID *jobpilot.Error naming the first bad field. Both
// transports call it before doing any I/O, so an injection attempt never
// reaches a server or the outbox.
func Validate(m *jobpilot.Message) error {
	if m == nil {
		return invalid("message", "is nil")
	}
	if err := checkMsgID("message_id", m.MessageID, true); err != nil {
		return err
	}
	if err := checkAddress("from", m.From, false); err != nil {
		return err
	}
	if err := checkText("from_name", m.FromName, 200); err != nil {
		return err
	}
	if err := checkAddress("to", m.To, true); err != nil {
		return err
	}
	if err := checkAddress("reply_to", m.ReplyTo, false); err != nil {
		return err
	}
	for i, b := range m.Bcc {
		if err := checkAddress(fmt.Sprintf("bcc[%d]", i), b, true); err != nil {
			return err
		}
	}
	if err := checkText("subject", m.Subject, 900); err != nil {
		return err
	}
	if err := checkMsgID("in_reply_to", m.InReplyTo, false); err != nil {
		return err
	}
	for i, ref := range m.References {
		if err := checkMsgID(fmt.Sprintf("references[%d]", i), ref, true); err != nil {
			return err
		}
	}
	for i, a := range m.Attachments {
		if err := checkFilename(fmt.Sprintf("attachments[%d].filename", i), a.Filename); err != nil {
			return err
		}
		if a.ContentType != "" {
			if hasControl(a.ContentType) {
				return invalid(fmt.Sprintf("attachments[%d].content_type", i), "must not contain line breaks or control characters")
			}
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
				return invalid(fmt.Sprintf("attachments[%d].content_type", i), "%q is not a media type", a.ContentType)
			}
		}
	}
	return nil
}

// build turns a validated message into a go-mail message. from overrides
// m.From when set (SMTP_FROM); the candidate's own address then becomes the
// Reply-To unless one is given, so the employer's answer reaches them.
func build(m *jobpilot.Message, from string, now func() time.Time) (*gomail.Msg, error) {
	if err := Validate(m); err != nil {
		return nil, err
	}
	if err := checkAddress("smtp_from", from, false); err != nil {
		return nil, err
	}
	replyTo := m.ReplyTo
	if from == "" {
		from = m.From
	} else if replyTo == "" && m.From != "" && !strings.EqualFold(m.From, from) {
		replyTo = m.From
	}
	if from == "" {
		return nil, invalid("from", "is required (set SMTP_FROM or the message's From)")
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	var err error
	if m.FromName != "" {
		err = msg.FromFormat(m.FromName, from)
	} else {
		err = msg.From(from)
	}
	if err != nil {
		return nil, invalid("from", "%v", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, invalid("to", "%v", err)
	}
	// Blind copies are envelope recipients only: go-mail writes no Bcc
	// header, so the employer never sees them.
	if len(m.Bcc) > 0 {
		if err := msg.Bcc(m.Bcc...); err != nil {
			return nil, invalid("bcc", "%v", err)
		}
	}
	if replyTo != "" {
		if err := msg.ReplyTo(replyTo); err != nil {
			return nil, invalid("reply_to", "%v", err)
		}
	}
	msg.Subject(m.Subject)
	// Message identifiers are written as they are: they are validated ASCII
	// and must not be re-encoded, or threading breaks.
	// go-mail generates a random Message-ID unless one is set this way.
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	if m.InReplyTo != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	refs := m.References
	if len(refs) == 0 && m.InReplyTo != "" {
		refs = []string{m.InReplyTo}
	}
	if len(refs) > 0 {
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	date := m.Date
	if date.IsZero() {
		date = now()
	}
	msg.SetDateWithValue(date)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = mime.TypeByExtension(extension(a.Filename))
			if ct == "" {
				ct = "application/octet-stream"
			}
		}
		if err := msg.AttachReader(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, invalid("attachments", "%s: %v", a.Filename, err)
		}
	}
	return msg, nil
}

func extension(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}
