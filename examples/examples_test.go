package examples

import (
	"strings"
	"testing"
)

func TestExamplesAreValidAndFictional(t *testing.T) {
	p, err := Profile()
	if err != nil {
		t.Fatal(err)
	}
	if !p.Example || p.Name() == "" {
		t.Fatalf("profile = %+v", p)
	}
	ps, err := Postings()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 12 {
		t.Fatalf("want at least 12 postings, got %d", len(ps))
	}
	withEmail := 0
	for _, post := range ps {
		if post.ContactEmail == "" {
			continue
		}
		withEmail++
		if !strings.HasSuffix(post.ContactEmail, ".example.org") && !strings.HasSuffix(post.ContactEmail, ".example.com") &&
			!strings.HasSuffix(post.ContactEmail, "@example.org") && !strings.HasSuffix(post.ContactEmail, "@example.com") {
			t.Errorf("%s: contact %q is not on a reserved example domain", post.ExternalID, post.ContactEmail)
		}
	}
	if withEmail < 3 {
		t.Fatalf("want at least 3 postings with contact emails, got %d", withEmail)
	}
}

func TestCandidatesAreValidAndFictional(t *testing.T) {
	cs, err := Candidates()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Profile()
	if len(cs) < 4 || cs[0].Name() != p.Name() {
		t.Fatalf("want the example profile first and at least 3 more, got %d", len(cs))
	}
	names := map[string]bool{}
	for _, c := range cs {
		if !c.Example || names[c.Name()] {
			t.Errorf("%s: example=%v, seen before=%v", c.Name(), c.Example, names[c.Name()])
		}
		names[c.Name()] = true
		if e := c.Resume.Basics.Email; !strings.HasSuffix(e, "@example.com") {
			t.Errorf("%s: email %q is not on a reserved example domain", c.Name(), e)
		}
	}
}
