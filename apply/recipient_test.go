package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/system"
)

func TestCheckRecipient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, company, url, email string
		flag                      string // a part of the one flag wanted; "" for none
	}{
		{"company site", "Acme", "https://boards.greenhouse.io/acme/1", "jobs@acme.com", ""},
		{"company name in a label", "Fernwood Pay", "https://jobs.example.org/1", "careers@fernwood-pay.example.org", ""},
		{"posting's own site", "Initech", "https://careers.initrode.com/1", "hr@initrode.com", ""},
		{"legal suffix", "Acme, Inc.", "", "jobs@acmecorp.io", ""},
		{"another company", "Acme", "https://boards.greenhouse.io/acme/1", "jobs@acme-careers-portal.biz", ""},
		{"unrelated domain", "Acme", "https://boards.greenhouse.io/acme/1", "recruiting@talentfunnel.io", "neither the company's (Acme) nor the posting's (boards.greenhouse.io)"},
		{"lookalike letters", "Acme", "", "jobs@acrne.com", "neither the company's"},
		{"ip literal", "Acme", "https://acme.com/jobs", "a@[127.0.0.1]", "IP literal"},
		{"punycode", "Apple", "https://apple.com/jobs", "jobs@xn--pple-43d.com", "mixes Cyrillic and Latin"},
		{"unicode", "Apple", "https://apple.com/jobs", "jobs@аpple.com", "internationalised domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := apply.CheckRecipient(&jobpilot.Posting{Company: tc.company, URL: tc.url, ContactEmail: tc.email})
			got := strings.Join(r.Flags, " | ")
			if tc.flag == "" && r.Flagged() || tc.flag != "" && !strings.Contains(got, tc.flag) {
				t.Fatalf("%s for %s: flags %q, want %q", tc.email, tc.company, got, tc.flag)
			}
		})
	}
	if apply.CheckRecipient(&jobpilot.Posting{Company: "Acme"}) != nil {
		t.Fatal("a posting without an address has a recipient")
	}
}

// Direct mode never emails a flagged recipient on its own: the application
// stays ready with the reason, while a clean one is approved.
func TestFlaggedRecipientHeldInDirectMode(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b, map[string]string{"JOBPILOT_WRITER": "template", "APPLY_MODE": "direct", "JOBPILOT_EXAMPLES": "true"}, system.Options{Mailer: &countingMailer{}})
		post := e.posting(t, "example", "ex-001")
		bad := *post
		bad.ID, bad.ExternalID, bad.ContactEmail = 0, "lookalike", "careers@fernwood-pay.xn--80ak6aa92e.com"
		bad.Title = "Principal " + post.Title
		bad.Description += " Lookalike."
		if _, err := e.st.UpsertPostings(ctx, post.Source, []jobpilot.Posting{bad}, false); err != nil {
			t.Fatal(err)
		}
		e.automate(t)
		held, clean := e.appFor(t, 1, post.Source, "lookalike"), e.appFor(t, 1, post.Source, "ex-001")
		for _, a := range []*jobpilot.Application{held, clean} {
			if err := e.process(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		held, clean = e.app(t, held.ID), e.app(t, clean.ID)
		if held.Status != jobpilot.StatusReady || !held.Recipient.Flagged() || held.Recipient.Domain != "fernwood-pay.xn--80ak6aa92e.com" {
			t.Fatalf("lookalike recipient: %s %+v", held.Status, held.Recipient)
		}
		if evs := e.statusEvents(t, held.ID); !strings.Contains(evs[len(evs)-1], "held for review: internationalised domain") {
			t.Fatalf("history: %q", evs)
		}
		if clean.Status != jobpilot.StatusApproved || clean.Recipient.Flagged() || clean.Recipient.Address != post.ContactEmail {
			t.Fatalf("clean recipient: %s %+v", clean.Status, clean.Recipient)
		}
		// Run again (a rescued job): still not approved.
		if err := e.process(ctx, held); err != nil {
			t.Fatal(err)
		}
		if got := e.app(t, held.ID); got.Status != jobpilot.StatusReady {
			t.Fatalf("re-run approved the flagged recipient: %s", got.Status)
		}
	})
}
