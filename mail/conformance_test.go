package mail_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jobpilot/jobpilot/internal/dbtest/mailtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
	"github.com/jobpilot/jobpilot/mail"
)

// The SMTP mailer against a real SMTP server in the process, which fails on
// demand.
func TestSMTPConformance(t *testing.T) {
	faults := map[mailtest.Fault]string{
		mailtest.Refuse4xx:    "421 always",
		mailtest.Refuse5xx:    "550 always",
		mailtest.CutBeforeDot: "drop in data",
		mailtest.CutAfterDot:  "cut in data",
		mailtest.HangAfterDot: "hang in data",
	}
	mailtest.Exercise(t, func(t *testing.T) mailtest.Transport {
		srv := fakesmtp.StartTest(t)
		return mailtest.Transport{
			Mailer: newMailer(t, smtpConfig(srv, mail.TLSNone)),
			Delivered: func() [][]byte {
				var out [][]byte
				for _, m := range srv.Messages() {
					out = append(out, m.Raw)
				}
				return out
			},
			Fail: func(f mailtest.Fault) { srv.SetSchedule(fakesmtp.MustParseSchedule(faults[f])) },
		}
	})
}

// The .eml outbox: what it writes is what it delivered.
func TestOutboxConformance(t *testing.T) {
	mailtest.Exercise(t, func(t *testing.T) mailtest.Transport {
		dir := filepath.Join(t.TempDir(), "outbox")
		return mailtest.Transport{
			Mailer: mail.NewOutbox(dir),
			Delivered: func() [][]byte {
				files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
				slices.Sort(files)
				var out [][]byte
				for _, f := range files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, b)
				}
				return out
			},
		}
	})
}
