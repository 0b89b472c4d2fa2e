package mailbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/mail/mailbox"
)

// FuzzParse feeds the mailbox reader's parser what any sender can put in
// the candidate's mailbox: it never panics, always classifies, and what it
// keeps of a bounce is bounded text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--x--"))
	f.Add([]byte("not a message"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mailbox.Parse(raw)
		switch m.Class {
		case jobpilot.MailBounce, jobpilot.MailAutoReply, jobpilot.MailRejection, jobpilot.MailInterview, jobpilot.MailOther:
		default:
			t.Fatalf("class %q", m.Class)
		}
		if (m.Class == jobpilot.MailBounce) != (m.Bounce != nil) {
			t.Fatalf("class %s with bounce %+v", m.Class, m.Bounce)
		}
		if b := m.Bounce; b != nil && (utf8.RuneCountInString(b.Reason) > 301 || strings.ContainsAny(b.Reason, "\r\n")) {
			t.Fatalf("bounce reason %q is not one bounded line", b.Reason)
		}
	})
}
