package source

import "testing"

func TestFindEmail(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"mail jane@acme.com now", "jane@acme.com"},
		{"jane [at] acme [dot] com", "jane@acme.com"},
		{"jane [AT] acme-robotics [DOT] co [DOT] uk", "jane@acme-robotics.co.uk"},
		{"jobs(at)acme.com", "jobs@acme.com"},
		{"jobs (at) acme (dot) com", "jobs@acme.com"},
		{"jobs{at}acme{dot}de", "jobs@acme.de"},
		{"jobs @ acme dot com", "jobs@acme.com"},
		{"jobs@acme[dot]com", "jobs@acme.com"},
		// Issue 14, finding 3: a bare "at" before a real domain.
		{"Apply: send your CV to name at company.dev today", "name@company.dev"},
		{"Contact name AT company.com.", "name@company.com"},
		{"Ping name at company.io (tags become words)", "name@company.io"},
		// Issue 14, finding 3: a bracketed "at" with a spelled-out "dot".
		{"Email name [at] company dot ai", "name@company.ai"},
		// Spelled-out domains after a bare "at" need the comment to name them.
		{"Acme | SRE | Remote\nEmail jane at acme dot com", "jane@acme.com"},
		{"Acme Robotics | SRE\nEmail jane.doe at mail dot acme-robotics dot io please", "jane.doe@mail.acme-robotics.io"},
		{"Globex (globex.io) | Data\nContact: hiring at globex dot io", "hiring@globex.io"},
		{"jane at acme dot com", ""},
		// Issue 14, finding 2: prose around "at" never makes an address.
		{"Initech | SRE\nreach out to me directly at first dot last at initech dot com", "first.last@initech.com"},
		{"reach out to me directly at first dot last at company dot com", ""},
		{"we are at the office dot com", ""},
		{"we at acme dot com love Go", ""},
		{"We're hiring at acme.com", ""},
		{"Apply at acme.com/careers or jobs at acme.com/jobs", ""},
		{"meet us at Berlin.", ""},
		{"find us at first dot last", ""},
		{"no address here", ""},
		{"bad@@example", ""},
	} {
		if got := findEmail(tc.text, nil); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
		}
	}
	if got := findEmail("x at y dot com", []string{"https://a.b", "mailto:first@acme.com?subject=HN"}); got != "first@acme.com" {
		t.Errorf("mailto first: %q", got)
	}
	if got := findEmail("Email jane at initech dot com", []string{"https://careers.initech.com/jobs/1"}); got != "jane@initech.com" {
		t.Errorf("domain named by a link: %q", got)
	}
}
