package jobpilot_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// A profile written before the matching preferences existed still decodes
// and validates; its min_score keeps its meaning, and a profile without one
// gets the documented default rather than 0.
func TestPreferencesOldProfilesAndDefaults(t *testing.T) {
	var old jobpilot.Preferences
	if err := json.Unmarshal([]byte(`{"keywords":["go"],"min_score":45,"remote":"any","seniority":["senior"]}`), &old); err != nil {
		t.Fatal(err)
	}
	if err := old.Validate(); err != nil {
		t.Fatalf("old preferences: %v", err)
	}
	if got := old.EffectiveMinScore(); got != 45 {
		t.Errorf("min_score 45 reads as %d", got)
	}
	var none jobpilot.Preferences
	if got := none.EffectiveMinScore(); got != jobpilot.DefaultMinScore || jobpilot.DefaultMinScore != 60 {
		t.Errorf("no min_score: %d, want the default 60", got)
	}
	var zero jobpilot.Preferences
	if err := json.Unmarshal([]byte(`{"min_score":0}`), &zero); err != nil {
		t.Fatal(err)
	}
	if got := zero.EffectiveMinScore(); got != 0 {
		t.Errorf("an explicit min_score 0 reads as %d", got)
	}
	out, err := json.Marshal(zero)
	if err != nil || !strings.Contains(string(out), `"min_score":0`) {
		t.Errorf("an explicit 0 does not survive a round trip: %s %v", out, err)
	}
}

func TestPreferencesValidateMatchingFields(t *testing.T) {
	valid := jobpilot.Preferences{
		TargetLevel: "senior", ExcludedFamilies: []string{"engineering management"},
		LivesIn: "Medellín, Colombia",
		// Any case and hyphenation; a family of one's own counts.
		TargetFamilies: []string{"Data-Engineering", "technical writing"}, WorkRegions: []string{"Colombia", "LatAm"}, Relocate: true,
		RoleFamilies: []jobpilot.RoleFamily{{Name: "technical writing", Titles: []string{"technical writer"}, Adjacent: []string{"support"}}},
	}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid preferences: %v", err)
	}
	bad := []struct {
		field string
		edit  func(p *jobpilot.Preferences)
	}{
		{"preferences.target_level", func(p *jobpilot.Preferences) { p.TargetLevel = "ninja" }},
		{"preferences.min_score", func(p *jobpilot.Preferences) { p.MinScore = new(101) }},
		{"preferences.excluded_families[1]", func(p *jobpilot.Preferences) { p.ExcludedFamilies = append(p.ExcludedFamilies, " ") }},
		{"preferences.target_families[0]", func(p *jobpilot.Preferences) { p.TargetFamilies = []string{strings.Repeat("x", 101)} }},
		{"preferences.work_regions[0]", func(p *jobpilot.Preferences) { p.WorkRegions = []string{""} }},
		{"preferences.lives_in", func(p *jobpilot.Preferences) { p.LivesIn = strings.Repeat("x", 101) }},
		{"preferences.role_families[0].name", func(p *jobpilot.Preferences) { p.RoleFamilies[0].Name = "" }},
		{"preferences.role_families[0].titles", func(p *jobpilot.Preferences) { p.RoleFamilies[0] = jobpilot.RoleFamily{Name: "x"} }},
		{"preferences.role_families[0].titles[0]", func(p *jobpilot.Preferences) { p.RoleFamilies[0].Titles = []string{""} }},
		{"preferences.excluded_families[0]", func(p *jobpilot.Preferences) { p.ExcludedFamilies = []string{"enginering management"} }},
		{"preferences.role_families[0].adjacent[0]", func(p *jobpilot.Preferences) { p.RoleFamilies[0].Adjacent = []string{"suport"} }},
	}
	for _, tc := range bad {
		p := valid
		p.RoleFamilies = append([]jobpilot.RoleFamily(nil), valid.RoleFamilies...)
		tc.edit(&p)
		err := p.Validate()
		var e *jobpilot.Error
		if !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("%s: got %v", tc.field, err)
		}
	}
}

// Every problem of a profile is reported at once, so one round of fixes is
// enough: the error names the first field and lists them all.
func TestProfileValidationReportsEveryProblem(t *testing.T) {
	p := &jobpilot.Profile{
		Resume: jobpilot.Resume{Basics: jobpilot.Basics{Name: "Ada", Email: "not an address"},
			Work: []jobpilot.Work{{Name: "Acme", StartDate: "03/2020"}}},
		Preferences: jobpilot.Preferences{Remote: "sometimes", MinScore: new(140)},
	}
	err := p.Validate()
	var e *jobpilot.Error
	if !errors.As(err, &e) || e.Code != jobpilot.EINVALID || e.Field != "resume.basics.email" {
		t.Fatalf("got %#v", err)
	}
	fields := []string{"resume.basics.email", "resume.work[0].startDate", "preferences.remote", "preferences.min_score"}
	if got := e.Problems(); len(got) != len(fields) {
		t.Fatalf("%d problems, want %d: %v", len(got), len(fields), err)
	}
	for i, f := range fields {
		if e.Problems()[i].Field != f || !strings.Contains(err.Error(), f) {
			t.Errorf("problem %d: %v, want field %s in %q", i, e.Problems()[i], f, err)
		}
	}
	// One problem stays a plain field error.
	p.Resume.Basics.Email, p.Resume.Work, p.Preferences = "", nil, jobpilot.Preferences{}
	p.Resume.Basics.Name = ""
	if err := p.Validate(); jobpilot.ErrorCode(err) != jobpilot.EINVALID || err.Error() != "resume.basics.name: is required" {
		t.Fatalf("one problem: %v", err)
	}
}
