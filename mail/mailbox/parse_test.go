package mailbox_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/mail/mailbox"
)

func readEML(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n"))
}

// Each shape of message the reader meets is classified by rules: RFC 3464
// reports (failed, not delayed), plain bounces of mailers that write none,
// automatic answers by header and by wording, a rejection (even one that
// thanks for interviewing, or an applicant tracker's automated no), an interview invitation in base64, and a reply
// whose own words say neither while its quote of our letter would.
func TestParseClassifies(t *testing.T) {
	cases := []struct {
		file   string
		class  jobpilot.MailClass
		bounce *jobpilot.Bounce
	}{
		{"dsn_postfix.eml", jobpilot.MailBounce, &jobpilot.Bounce{Recipient: "hiring@acme.example", Status: "5.1.1", Hard: true, MessageID: "<application-7@example.com>",
			Reason: "550 5.1.1 <hiring@acme.example>: Recipient address rejected: User unknown in virtual mailbox table"}},
		{"dsn_delayed.eml", jobpilot.MailAutoReply, nil},
		{"bounce_qmail.eml", jobpilot.MailBounce, &jobpilot.Bounce{Recipient: "jobs@oldhost.example", Status: "550", Hard: true, MessageID: "<application-12@example.com>",
			Reason: "Remote host said: 550 No such user here"}},
		{"bounce_exchange_full.eml", jobpilot.MailBounce, &jobpilot.Bounce{Recipient: "talent@corp.example", Status: "4.2.2", Hard: false,
			Reason: "Remote Server returned '452 4.2.2 Mailbox full'"}},
		{"autoreply_header.eml", jobpilot.MailAutoReply, nil},
		{"autoreply_wording.eml", jobpilot.MailAutoReply, nil},
		{"reply_interview.eml", jobpilot.MailInterview, nil},
		{"reply_rejection.eml", jobpilot.MailRejection, nil},
		{"reply_other_quoting.eml", jobpilot.MailOther, nil},
		// A tracker's rejection, from a no-reply address with Auto-Submitted
		// and a thank-you for applying, is still the employer's decision.
		{"rejection_ats_noreply.eml", jobpilot.MailRejection, nil},
		// An acknowledgement's "next steps, including an interview" is a promise.
		{"ack_next_steps.eml", jobpilot.MailAutoReply, nil},
		// A person's "unfortunately" that moves an interview is an interview.
		{"reply_reschedule.eml", jobpilot.MailInterview, nil},
		// An away message that says "unfortunately" and "interviews".
		{"away_unfortunately.eml", jobpilot.MailAutoReply, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m := mailbox.Parse(readEML(t, c.file))
			if m.Class != c.class {
				t.Errorf("class %s, want %s", m.Class, c.class)
			}
			if !reflect.DeepEqual(m.Bounce, c.bounce) {
				t.Errorf("bounce\n got %+v\nwant %+v", m.Bounce, c.bounce)
			}
		})
	}
}

// The headers that tie a reply to an application are read as written;
// addresses are lower-cased, the subject decoded, the date in UTC.
func TestParseHeaders(t *testing.T) {
	m := mailbox.Parse(readEML(t, "reply_interview.eml"))
	want := jobpilot.InboxMessage{
		MessageID: "<CAJ123@mail.acme.example>", InReplyTo: "<application-7@example.com>",
		References: []string{"<application-7@example.com>"}, From: "grace@acme.example",
		To: []string{"jobs@example.com", "recruiting@acme.example"}, Subject: "Re: Application for Backend Engineer – Ada",
		Date: time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC), Class: jobpilot.MailInterview,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("parsed\n got %+v\nwant %+v", m, want)
	}
	other := mailbox.Parse(readEML(t, "reply_other_quoting.eml"))
	if len(other.References) != 2 || other.References[1] != "<application-7-followup@example.com>" {
		t.Errorf("references %v", other.References)
	}
}

// A message cut short by a partial fetch, or not a message at all, still
// parses to what could be read.
func TestParseTruncated(t *testing.T) {
	raw := readEML(t, "dsn_postfix.eml")
	cut := mailbox.Parse(raw[:len(raw)*2/3])
	if cut.Class != jobpilot.MailBounce || cut.Bounce == nil || cut.Bounce.Status != "5.1.1" {
		t.Errorf("truncated report: %+v", cut)
	}
	if got := mailbox.Parse([]byte("not a message")); got.Class != jobpilot.MailOther || got.MessageID != "" {
		t.Errorf("garbage: %+v", got)
	}
}
