package mailbox

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// classify decides a message's class by rules, in this order:
//   - a delivery failure report (RFC 3464, then the common shapes of
//     mailers that do not write one);
//   - an away message (out of office, vacation), whatever else it says;
//   - a clear rejection, even from an applicant tracker's no-reply address
//     and even when it thanks the candidate "for applying" or "for
//     interviewing": it is a decision, and it ends the follow-ups;
//   - any other automatic answer (RFC 3834 headers, a no-reply sender, an
//     acknowledgement's wording): its "next steps" are a promise, not an
//     invitation;
//   - an interview or next step;
//   - a hedged no ("unfortunately" without the clearer words), which a
//     person's reschedule ("unfortunately Tuesday does not work, could we
//     do the interview on Wednesday") must not be taken for;
//   - anything else.
func classify(h mail.Header, m jobpilot.InboxMessage, c *content) (jobpilot.MailClass, *jobpilot.Bounce) {
	if b := bounceOf(h, m, c); b != nil {
		return jobpilot.MailBounce, b
	}
	text := strings.ToLower(ownWords(c.text.String()))
	subject := strings.ToLower(m.Subject)
	switch {
	case isAway(h, subject, text):
		return jobpilot.MailAutoReply, nil
	case containsAny(text, rejectionWords) || containsAny(subject, rejectionWords):
		return jobpilot.MailRejection, nil
	case isAutoReply(h, m.From, subject, text):
		return jobpilot.MailAutoReply, nil
	case containsAny(text, interviewWords) || containsAny(subject, interviewSubjects):
		return jobpilot.MailInterview, nil
	case containsAny(text, hedgedRejectionWords):
		return jobpilot.MailRejection, nil
	}
	return jobpilot.MailOther, nil
}

// isAway: the X-Autoreply family of headers, or an out-of-office subject or
// wording. Such a message never carries the employer's decision.
func isAway(h mail.Header, subject, text string) bool {
	for _, k := range []string{"X-Autoreply", "X-Autorespond"} {
		if h.Get(k) != "" {
			return true
		}
	}
	return containsAny(subject, awaySubjects) || containsAny(text, awayWords)
}

// ownWords drops what the sender quoted: lines starting with ">" and
// everything after the usual "On … wrote:" or "-----Original Message-----"
// line, so our own application's words never decide the class.
func ownWords(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		lower := strings.ToLower(line)
		if strings.HasPrefix(line, ">") {
			continue
		}
		if strings.HasPrefix(lower, "-----original message") || strings.HasPrefix(lower, "________________") ||
			(strings.HasPrefix(lower, "on ") && strings.HasSuffix(lower, "wrote:")) ||
			strings.HasPrefix(lower, "from:") && b.Len() > 0 {
			break
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var (
	awaySubjects = []string{"automatic reply", "auto reply", "auto-reply", "autoreply", "auto:", "out of office",
		"out of the office", "abwesenheit", "absence", "réponse automatique", "respuesta automática"}
	awayWords = []string{"out of the office", "out of office", "i am away", "i'm away", "currently away", "on vacation",
		"on holiday", "on leave", "on parental leave", "limited access to email", "limited access to my email",
		"will be back on", "i will return", "back in the office"}
	autoSubjects = []string{"thank you for applying", "thank you for your application", "application received",
		"we received your application"}
	autoWords = []string{"this is an automated", "this is an automatic", "automatically generated", "do not reply to this",
		"please do not reply", "we have received your application", "we've received your application",
		"thank you for applying", "thanks for applying", "your application has been received"}
	rejectionWords = []string{"regret to inform", "not to move forward", "not be moving forward",
		"not moving forward", "won't be moving forward", "will not be moving forward", "decided to move forward with other",
		"decided to pursue other", "pursue other candidates", "other candidates whose", "not to proceed", "will not be proceeding",
		"won't be proceeding", "not be progressing", "not progress your application", "position has been filled",
		"role has been filled", "no longer considering", "not selected", "not a fit at this time", "not the right fit",
		"not been successful", "were not successful", "was not successful", "unable to offer you"}
	hedgedRejectionWords = []string{"unfortunately"}
	interviewWords       = []string{"interview", "schedule a call", "set up a call", "schedule a time", "book a time", "phone screen",
		"next step", "next round", "your availability", "when are you available", "are you available", "would like to speak",
		"would love to chat", "like to chat", "hop on a call", "jump on a call", "calendly.com", "meet with the team",
		"meet the team", "technical assessment", "take-home", "coding challenge"}
	interviewSubjects = []string{"interview", "next step", "invitation"}
)

// isAutoReply: RFC 3834's Auto-Submitted (anything but "no"), the common
// X-Autoreply, X-Autorespond and Precedence headers, a no-reply sender, or
// the usual wording of out-of-office and acknowledgement messages.
func isAutoReply(h mail.Header, from, subject, text string) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} { // also read by isAway
		if h.Get(k) != "" {
			return true
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	local, _, _ := strings.Cut(from, "@")
	if strings.Contains(local, "noreply") || strings.Contains(local, "no-reply") || strings.Contains(local, "donotreply") {
		return true
	}
	for _, w := range autoSubjects {
		if strings.HasPrefix(subject, w) || strings.Contains(subject, w) {
			return true
		}
	}
	return containsAny(text, autoWords)
}

// bounceOf reads a delivery failure report: an RFC 3464 report
// (multipart/report; report-type=delivery-status) whose recipient's Action
// is failed, or, from a mailer daemon, the common plain shapes (Postfix's,
// Exim's, qmail's, Gmail's and Exchange's words) with the status code and
// address found in the text. A delay notification is not a bounce.
func bounceOf(h mail.Header, m jobpilot.InboxMessage, c *content) *jobpilot.Bounce {
	if c.isReport && len(c.report) > 0 {
		b, acted := parseDSN(c.report)
		if b != nil {
			b.MessageID = originalID(c.original, c.text.String())
			return b
		}
		if acted {
			return nil // delayed, delivered, relayed or expanded: nothing failed
		}
		// A report cut before its recipients: read it as a plain bounce.
	}
	if !fromMailer(m.From, h.Get("From")) || !containsAny(strings.ToLower(m.Subject), bounceSubjects) {
		return nil
	}
	text := c.text.String()
	b := &jobpilot.Bounce{MessageID: originalID(c.original, text)}
	if s := enhancedRE.FindStringSubmatch(text); s != nil {
		b.Status = s[1]
	} else if s := smtpCodeRE.FindStringSubmatch(text); s != nil {
		b.Status = s[1]
	}
	b.Hard = b.Status == "" || strings.HasPrefix(b.Status, "5")
	b.Recipient = failedAddress(text, m.From)
	b.Reason = shorten(reasonLine(text, b.Status))
	return b
}

var bounceSubjects = []string{"undeliver", "returned to sender", "delivery status notification (failure)", "delivery failure",
	"mail delivery failed", "failure notice", "delivery has failed", "could not be delivered", "returned mail", "non-remis", "unzustellbar"}

var (
	enhancedRE = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
	smtpCodeRE = regexp.MustCompile(`\b([45][0-5]\d)[ -]`)
)

func fromMailer(addr, raw string) bool {
	local, _, _ := strings.Cut(addr, "@")
	raw = strings.ToLower(raw)
	return local == "mailer-daemon" || local == "postmaster" || strings.Contains(raw, "mail delivery") ||
		strings.Contains(raw, "mailer-daemon") || strings.Contains(raw, "microsoftexchange")
}

// parseDSN reads the per-recipient fields of a message/delivery-status body
// (RFC 3464 §2.3): the first recipient whose Action is failed, or nil; acted
// reports whether any recipient had an Action at all.
func parseDSN(report []byte) (b *jobpilot.Bounce, acted bool) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(normaliseNewlines(report))))
	// The first block holds the per-message fields; each later one a recipient.
	if _, err := r.ReadMIMEHeader(); err != nil {
		return nil, false
	}
	for {
		f, err := r.ReadMIMEHeader()
		acted = acted || f.Get("Action") != ""
		if len(f) > 0 && strings.EqualFold(strings.TrimSpace(f.Get("Action")), "failed") {
			b := &jobpilot.Bounce{
				Recipient: dsnAddress(f.Get("Final-Recipient"), f.Get("Original-Recipient")),
				Status:    firstField(f.Get("Status")),
				Reason:    shorten(diagnostic(f.Get("Diagnostic-Code"))),
			}
			b.Hard = strings.HasPrefix(b.Status, "5")
			return b, true
		}
		if err != nil {
			return nil, acted
		}
	}
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func normaliseNewlines(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	b = bytes.TrimLeft(b, "\n")
	return append(b, '\n', '\n')
}

// dsnAddress reads "rfc822; someone@example.com".
func dsnAddress(values ...string) string {
	for _, v := range values {
		if _, addr, ok := strings.Cut(v, ";"); ok && strings.TrimSpace(addr) != "" {
			return strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
		}
	}
	return ""
}

// diagnostic reads "smtp; 550 5.1.1 <x@y>: Recipient address rejected".
func diagnostic(v string) string {
	if _, text, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(text)
	}
	return strings.TrimSpace(v)
}

// originalID is the Message-ID of the returned message: from its quoted
// part, or from a "Message-ID:" line of the text.
func originalID(original []byte, text string) string {
	if len(original) > 0 {
		if msg, err := mail.ReadMessage(bytes.NewReader(append(normaliseNewlines(original), []byte("\n")...))); err == nil {
			if id := firstMsgID(msg.Header.Get("Message-Id")); id != "" {
				return id
			}
		}
	}
	if m := quotedIDRE.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

var quotedIDRE = regexp.MustCompile(`(?im)^\s*message-id:\s*(<[^<>\s]+@[^<>\s]+>)`)

// failedAddress is the first address of the text that is not the mailer's own.
func failedAddress(text, mailer string) string {
	for _, a := range emailRE.FindAllString(text, 20) {
		a = strings.ToLower(a)
		local, _, _ := strings.Cut(a, "@")
		if a != mailer && local != "mailer-daemon" && local != "postmaster" {
			return a
		}
	}
	return ""
}

// reasonLine is the line of the text that carries the status, or the
// first non-empty one.
func reasonLine(text, status string) string {
	first := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if first == "" {
			first = line
		}
		if status != "" && strings.Contains(line, status) {
			return line
		}
	}
	return first
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
