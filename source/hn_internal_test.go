package source

import "testing"

func TestFindEmail(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"mail jane@acme.com now", "jane@acme.com"},
		{"jane [at] acme [dot] com", "jane@acme.com"},
		{"jane [AT] acme-robotics [DOT] co [DOT] uk", "jane@acme-robotics.co.uk"},
		{"jane at acme dot com", "jane@acme.com"},
		{"jane.doe at mail dot acme dot io please", "jane.doe@mail.acme.io"},
		{"jobs(at)acme.com", "jobs@acme.com"},
		{"jobs (at) acme (dot) com", "jobs@acme.com"},
		{"jobs{at}acme{dot}de", "jobs@acme.de"},
		{"hiring at globex dot io", "hiring@globex.io"},
		{"we are at the office dot com", ""},
		{"we at acme dot com love Go", ""},
		{"meet us at Berlin.", ""},
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
}

func TestIsPlace(t *testing.T) {
	for f, want := range map[string]bool{
		"Berlin": true, "ONSITE": false, "Full-time": false, "$150k-$200k": false, "https://x.io": false,
		"Onsite in NYC": true, "VISA": false, "東京": true, "Hybrid": false,
	} {
		if got := isPlace(f); got != want {
			t.Errorf("%q: %v", f, got)
		}
	}
}
