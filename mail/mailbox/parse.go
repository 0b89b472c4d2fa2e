package mailbox

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// maxText bounds the text of a message that the classifier reads.
const maxText = 32 << 10

// maxDepth bounds the nesting of multipart bodies walked.
const maxDepth = 5

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	return r, nil // utf-8 and us-ascii are read as they are; others keep their bytes
}}

// Parse reads one raw message (RFC 5322, possibly cut short by a partial
// fetch) into what the mailbox reader needs: the identifiers that tie it to
// an application, the sender, recipients, subject and date, and its class
// (Classify). It never fails on a malformed body: what could be read is
// used, and a message whose header cannot be read is of class other with
// nothing to match.
func Parse(raw []byte) jobpilot.InboxMessage {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return jobpilot.InboxMessage{Class: jobpilot.MailOther}
	}
	h := msg.Header
	m := jobpilot.InboxMessage{
		MessageID:  firstMsgID(h.Get("Message-Id")),
		InReplyTo:  firstMsgID(h.Get("In-Reply-To")),
		References: msgIDs(h.Get("References")),
		From:       address(h.Get("From")),
		Subject:    decodeHeader(h.Get("Subject")),
	}
	for _, k := range []string{"To", "Cc"} {
		if list, err := h.AddressList(k); err == nil {
			for _, a := range list {
				m.To = append(m.To, strings.ToLower(a.Address))
			}
		}
	}
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}
	p := &part{header: textproto.MIMEHeader(h), body: msg.Body}
	content := walk(p, 0)
	m.Class, m.Bounce = classify(h, m, content)
	return m
}

// content is what walking a message's parts found.
type content struct {
	text     strings.Builder // the human-readable text parts, decoded, capped
	report   []byte          // a message/delivery-status part
	original []byte          // the returned message or its headers (message/rfc822, text/rfc822-headers)
	isReport bool            // multipart/report; report-type=delivery-status
}

type part struct {
	header textproto.MIMEHeader
	body   io.Reader
}

// walk collects the text, delivery-status and returned-message parts of p.
func walk(p *part, depth int) *content {
	c := &content{}
	c.add(p, depth)
	return c
}

func (c *content) add(p *part, depth int) {
	ctype, params, err := mime.ParseMediaType(p.header.Get("Content-Type"))
	if err != nil || ctype == "" {
		ctype = "text/plain"
	}
	body := decodeTransfer(p.header.Get("Content-Transfer-Encoding"), p.body)
	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		if ctype == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") && depth == 0 {
			c.isReport = true
		}
		if depth >= maxDepth || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			np, err := mr.NextRawPart()
			if err != nil {
				return // the end, or a body cut short by a partial fetch
			}
			c.add(&part{header: np.Header, body: np}, depth+1)
		}
	case ctype == "message/delivery-status" || ctype == "message/global-delivery-status":
		c.report, _ = io.ReadAll(io.LimitReader(body, maxText))
	case ctype == "message/rfc822" || ctype == "text/rfc822-headers" || ctype == "message/global" || ctype == "message/global-headers":
		c.original, _ = io.ReadAll(io.LimitReader(body, maxText))
	case ctype == "text/plain" || ctype == "text/html":
		if p.header.Get("Content-Disposition") != "" && strings.HasPrefix(strings.ToLower(p.header.Get("Content-Disposition")), "attachment") {
			return
		}
		room := maxText - c.text.Len()
		if room <= 0 {
			return
		}
		b, _ := io.ReadAll(io.LimitReader(body, int64(room)))
		s := string(b)
		if ctype == "text/html" {
			s = stripTags(s)
		}
		c.text.WriteString(s)
		c.text.WriteString("\n")
	}
}

func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &lineJoiner{r: bufio.NewReader(r)})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// lineJoiner drops line breaks, which base64 bodies have and the decoder
// refuses.
type lineJoiner struct{ r *bufio.Reader }

func (j *lineJoiner) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := j.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b == '\r' || b == '\n' || b == ' ' || b == '\t' {
			continue
		}
		p[n] = b
		n++
	}
	return n, nil
}

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

func stripTags(s string) string { return tagRE.ReplaceAllString(s, " ") }

var msgIDRE = regexp.MustCompile(`<[^<>\s]+@[^<>\s]+>`)

func firstMsgID(s string) string {
	if ids := msgIDs(s); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func msgIDs(s string) []string { return msgIDRE.FindAllString(s, 50) }

// address is the bare, lower-case address of a From header, or the header
// as written when it does not parse.
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return strings.ToLower(a.Address)
	}
	if m := emailRE.FindString(s); m != "" {
		return strings.ToLower(m)
	}
	return strings.ToLower(strings.TrimSpace(s))
}

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func decodeHeader(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return strings.TrimSpace(d)
	}
	return strings.TrimSpace(s)
}
