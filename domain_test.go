package jobpilot_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
)

func TestTransitionsAreClosed(t *testing.T) {
	// Every status has an entry and every target is a known status, so the
	// store's check can never meet a status it does not know.
	for _, s := range jobpilot.Statuses {
		if !s.Valid() {
			t.Errorf("%s has no transition entry", s)
		}
		for _, to := range jobpilot.Transitions[s] {
			if !to.Valid() {
				t.Errorf("%s → %s: unknown target", s, to)
			}
		}
	}
	if len(jobpilot.Transitions) != len(jobpilot.Statuses) {
		t.Fatalf("Transitions has %d entries, Statuses %d", len(jobpilot.Transitions), len(jobpilot.Statuses))
	}
}

func TestCanTransition(t *testing.T) {
	tests := []struct {
		from, to jobpilot.Status
		ok       bool
	}{
		{jobpilot.StatusMatched, jobpilot.StatusDrafting, true},
		{jobpilot.StatusReady, jobpilot.StatusApproved, true},
		{jobpilot.StatusApproved, jobpilot.StatusSending, true},
		{jobpilot.StatusSending, jobpilot.StatusSent, true},
		{jobpilot.StatusSending, jobpilot.StatusNeedsReview, true},
		{jobpilot.StatusSending, jobpilot.StatusApproved, true}, // known failure: retry queued
		{jobpilot.StatusNeedsReview, jobpilot.StatusApproved, true},
		{jobpilot.StatusSent, jobpilot.StatusFollowedUp, true},
		// Never silently re-sent or skipped ahead.
		{jobpilot.StatusNeedsReview, jobpilot.StatusSending, false},
		{jobpilot.StatusSent, jobpilot.StatusSending, false},
		{jobpilot.StatusMatched, jobpilot.StatusSent, false},
		{jobpilot.StatusReady, jobpilot.StatusSent, false},
		{jobpilot.StatusRejected, jobpilot.StatusOffered, false},
		{jobpilot.StatusFollowedUp, jobpilot.StatusSent, false},
	}
	for _, tt := range tests {
		if got := tt.from.CanTransition(tt.to); got != tt.ok {
			t.Errorf("%s → %s = %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}

func TestSettled(t *testing.T) {
	for _, s := range []jobpilot.Status{jobpilot.StatusMatched, jobpilot.StatusDrafting, jobpilot.StatusReady,
		jobpilot.StatusApproved, jobpilot.StatusSending} {
		if s.Settled() {
			t.Errorf("%s must not be settled: jobpilot still owes work on it", s)
		}
	}
	for _, s := range []jobpilot.Status{jobpilot.StatusSent, jobpilot.StatusNeedsReview, jobpilot.StatusFailed,
		jobpilot.StatusSkipped, jobpilot.StatusOffered} {
		if !s.Settled() {
			t.Errorf("%s must be settled", s)
		}
	}
}

func TestFingerprintIgnoresLocationAndFormatting(t *testing.T) {
	berlin := jobpilot.Posting{Source: "a", ExternalID: "1", Company: "Acme", Title: "Backend Engineer",
		Location: "Berlin", Description: "Build   Go services.\n\nUse PostgreSQL!"}
	lisbon := jobpilot.Posting{Source: "b", ExternalID: "x9", Company: " ACME ", Title: "backend engineer",
		Location: "Lisbon", Description: "build go services. use postgresql"}
	other := berlin
	other.Title = "Frontend Engineer"
	for _, p := range []*jobpilot.Posting{&berlin, &lisbon, &other} {
		p.Normalize()
	}
	if berlin.Fingerprint != lisbon.Fingerprint {
		t.Fatal("the same job in two cities must share a fingerprint")
	}
	if berlin.Fingerprint == other.Fingerprint {
		t.Fatal("different titles must not share a fingerprint")
	}
	if berlin.ContentHash == lisbon.ContentHash {
		t.Fatal("content hashes must differ when visible fields differ")
	}
}

// Link targets kept in a description ("text (url)") do not change the
// fingerprint: the same job from a plain-text feed, or stored before
// targets were kept, stays one job.
func TestFingerprintIgnoresLinkTargets(t *testing.T) {
	before := jobpilot.PostingFingerprint("Acme", "SRE", "See also EEO Policy and mail our team.")
	for _, d := range []string{
		"See also EEO Policy (https://acme.example/eeo?x=1) and mail our team (jobs@acme.example).",
		"See also EEO Policy (http://acme.example/eeo) and mail our team.",
	} {
		if got := jobpilot.PostingFingerprint("Acme", "SRE", d); got != before {
			t.Errorf("%q: fingerprint changed", d)
		}
	}
	if jobpilot.PostingFingerprint("Acme", "SRE", "See also EEO Policy (US only) and mail our team.") == before {
		t.Error("words in parentheses are content, not a link target")
	}
}

func TestPostingValidate(t *testing.T) {
	valid := jobpilot.Posting{Source: "s", ExternalID: "1", Company: "Acme", Title: "Engineer", ContactEmail: "jobs@example.com"}
	if err := valid.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(p *jobpilot.Posting){
		"source":        func(p *jobpilot.Posting) { p.Source = "" },
		"external_id":   func(p *jobpilot.Posting) { p.ExternalID = " " },
		"company":       func(p *jobpilot.Posting) { p.Company = "" },
		"contact_email": func(p *jobpilot.Posting) { p.ContactEmail = "jobs@example.com\r\nBcc: x@example.org" },
		"title":         func(p *jobpilot.Posting) { p.Title = "Engineer\r\nSubject: spam" },
	}
	for field, mutate := range tests {
		p := valid
		mutate(&p)
		err := p.Validate()
		var e *jobpilot.Error
		if !errors.As(err, &e) || e.Code != jobpilot.EINVALID || e.Field != field {
			t.Errorf("%s: got %v, want EINVALID on %s", field, err, field)
		}
	}
}

func TestResumeValidateNamesTheField(t *testing.T) {
	r := jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada"}, Work: []jobpilot.Work{
		{Name: "Acme", StartDate: "2020-01"}, {Name: "Initech", StartDate: "01/2019"},
	}}
	err := r.Validate()
	var e *jobpilot.Error
	if !errors.As(err, &e) || e.Field != "resume.work[1].startDate" {
		t.Fatalf("got %v, want the field resume.work[1].startDate", err)
	}
	r.Work[1].StartDate = "2019"
	r.Basics.Email = "not an address"
	if err := r.Validate(); jobpilot.ErrorCode(err) != jobpilot.EINVALID || !strings.Contains(err.Error(), "basics.email") {
		t.Fatalf("got %v", err)
	}
}

func TestRetryClasses(t *testing.T) {
	base := errors.New("421 try later")
	err := fmt.Errorf("send: %w", jobpilot.TransientAfter(base, 3*time.Second))
	if !errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, jobpilot.ErrPermanent) || !errors.Is(err, base) {
		t.Fatalf("classification lost through wrapping: %v", err)
	}
	if d, ok := jobpilot.RetryAfter(err); !ok || d != 3*time.Second {
		t.Fatalf("RetryAfter = %v, %v", d, ok)
	}
	if err.Error() != "send: 421 try later" {
		t.Fatalf("message changed: %q", err)
	}
	perm := jobpilot.Permanent(base)
	if !errors.Is(perm, jobpilot.ErrPermanent) || errors.Is(perm, jobpilot.ErrTransient) {
		t.Fatal("permanent misclassified")
	}
	if _, ok := jobpilot.RetryAfter(jobpilot.Transient(base)); ok {
		t.Fatal("no Retry-After was given")
	}
	if jobpilot.Transient(nil) != nil || jobpilot.Permanent(nil) != nil {
		t.Fatal("nil must stay nil")
	}
}

func TestErrorCodes(t *testing.T) {
	if got := jobpilot.ErrorCode(fmt.Errorf("x: %w", jobpilot.ErrInvalidTransition(7, jobpilot.StatusSent, jobpilot.StatusSending))); got != jobpilot.ECONFLICT {
		t.Fatalf("code = %q", got)
	}
	if jobpilot.ErrorCode(errors.New("boom")) != jobpilot.EINTERNAL || jobpilot.ErrorCode(nil) != "" {
		t.Fatal("unclassified errors are internal; nil has no code")
	}
	if jobpilot.ErrorMessage(errors.New("secret detail")) != "internal error" {
		t.Fatal("internal errors must not leak their text")
	}
}

func TestMessageIDIsStable(t *testing.T) {
	a, b := jobpilot.MessageID(42, "example.com"), jobpilot.MessageID(42, "example.com")
	if a != b || a != "<application-42@example.com>" {
		t.Fatalf("%s %s", a, b)
	}
	if jobpilot.FollowUpMessageID(42, "example.com") == a {
		t.Fatal("the follow-up needs its own Message-ID")
	}
}

func TestResumeNameIsOneLine(t *testing.T) {
	r := jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada\r\nBcc: x@example.org"}}
	var e *jobpilot.Error
	if err := r.Validate(); !errors.As(err, &e) || e.Field != "resume.basics.name" {
		t.Fatalf("got %v, want an error on resume.basics.name", err)
	}
}

func TestSkillListLeavesOutGroupNames(t *testing.T) {
	r := jobpilot.Resume{Skills: []jobpilot.Skill{
		{Name: "Data", Keywords: []string{"PostgreSQL", "Kafka"}},
		{Name: "Go", Level: "Expert"},
		{Name: "Languages", Keywords: []string{"go", "Python"}},
	}}
	got := strings.Join(r.SkillList(), ",")
	if got != "PostgreSQL,Kafka,Go,Python" {
		t.Fatalf("SkillList = %s", got)
	}
	if all := strings.Join(r.SkillNames(), ","); !strings.Contains(all, "Data") {
		t.Fatalf("SkillNames keeps group names for the guard: %s", all)
	}
}
