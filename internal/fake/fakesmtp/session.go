package fakesmtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

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
	if err := readHeader(br, &raw); err != nil {
		s.count(func(st *Stats) { st.Aborted++ })
		return errAborted
	}
	id := messageID(raw.Bytes())
	attempt := s.countAttempt(id)
	act := s.sched.Load().Decide(attempt)
	log := s.logger.With("message_id", id, "attempt", attempt, "action", act.String())

	if err := ss.faultBeforeBody(act, log); err != nil {
		return err
	}
	if _, err := io.Copy(&raw, br); err != nil {
		s.count(func(st *Stats) { st.Aborted++ })
		log.Info("fakesmtp: client went away during DATA", "error", err)
		return errAborted
	}
	if err := ss.faultAfterBody(act, log); err != nil {
		return err
	}
	ss.accept(raw.Bytes(), id, attempt, log)
	return nil
}

// readHeader copies the message's header, up to and including the blank line
// that ends it, from br to raw. A message without a body ends at EOF, which is
// no error; any other read error is the client going away.
func readHeader(br *bufio.Reader, raw *bytes.Buffer) error {
	for {
		line, err := br.ReadBytes('\n')
		raw.Write(line)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

// messageID is the header's Message-Id, "" when the header does not parse.
func messageID(header []byte) string {
	h, err := netmail.ReadMessage(bytes.NewReader(append(header, '\r', '\n')))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(h.Header.Get("Message-Id"))
}

// countAttempt counts one more attempt at the message with this Message-ID
// and returns the count, the attempt the schedule decides on.
func (s *Server) countAttempt(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[id]++
	return s.attempts[id]
}

// faultBeforeBody carries out the faults that strike before the body is read
// (drop the connection, stall until the client goes away) and returns the
// error DATA ends with; nil for any other action.
func (ss *session) faultBeforeBody(act Action, log *slog.Logger) error {
	s := ss.srv
	switch act.Kind {
	case Drop:
		s.count(func(st *Stats) { st.Dropped++ })
		log.Info("fakesmtp: dropping the connection mid-DATA")
		ss.conn.Conn().Close()
		return errAborted
	case Hang:
		s.count(func(st *Stats) { st.Hung++ })
		log.Info("fakesmtp: stalling in DATA until the client goes away")
		ss.waitForDisconnect()
		s.count(func(st *Stats) { st.HangsEnded++ })
		log.Info("fakesmtp: stalled client went away; message not recorded")
		return errAborted
	}
	return nil
}

// faultAfterBody carries out the faults that strike once the message is read
// in full (cut the connection before the reply, refuse the message) and
// returns the error DATA ends with; nil for any other action.
func (ss *session) faultAfterBody(act Action, log *slog.Logger) error {
	s := ss.srv
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
	return nil
}

// accept records the message with its envelope and connection, counts it
// accepted and tells the onAccept hook.
func (ss *session) accept(raw []byte, id string, attempt int, log *slog.Logger) {
	s := ss.srv
	m := parseMessage(raw)
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
	if s.onAccept != nil {
		s.onAccept(m)
	}
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
