package llm

import (
	"errors"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/prometheus/client_golang/prometheus"
)

// draftFrom returns a resume that repeats the profile faithfully: the guard
// must keep all of it.
func draftFrom(p *jobpilot.Profile) jobpilot.Resume {
	r := p.Resume
	r.Work = append([]jobpilot.Work(nil), p.Resume.Work...)
	for i := range r.Work {
		r.Work[i].Highlights = append([]string(nil), p.Resume.Work[i].Highlights...)
	}
	r.Education = append([]jobpilot.Education(nil), p.Resume.Education...)
	r.Certificates = append([]jobpilot.Certificate(nil), p.Resume.Certificates...)
	r.Skills = append([]jobpilot.Skill(nil), p.Resume.Skills...)
	r.Projects = append([]jobpilot.Project(nil), p.Resume.Projects...)
	return r
}

func TestGuardResume(t *testing.T) {
	p := loadProfile(t)
	tests := []struct {
		name   string
		edit   func(r *jobpilot.Resume)
		values []string // removed values, in order; nil = nothing removed
		check  func(t *testing.T, r *jobpilot.Resume)
	}{
		{name: "faithful copy kept", edit: func(r *jobpilot.Resume) {}},
		{
			name: "invented employer entry",
			edit: func(r *jobpilot.Resume) {
				r.Work = append(r.Work, jobpilot.Work{Name: "Google", Position: "Senior Engineer", StartDate: "2015", EndDate: "2020"})
			},
			values: []string{"Google"},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if len(r.Work) != len(p.Resume.Work) {
					t.Errorf("work entries = %d, want %d", len(r.Work), len(p.Resume.Work))
				}
			},
		},
		{
			name:   "inflated title at a real employer",
			edit:   func(r *jobpilot.Resume) { r.Work[1].Position = "Principal Engineer" },
			values: []string{"Principal Engineer"},
		},
		{
			name:   "moved dates",
			edit:   func(r *jobpilot.Resume) { r.Work[2].StartDate = "2014-01" },
			values: []string{"2014-01–2018-05"},
		},
		{
			name: "invented degree at a real school and an invented school",
			edit: func(r *jobpilot.Resume) {
				r.Education = append(r.Education,
					jobpilot.Education{Institution: "Brno University of Technology", StudyType: "PhD", Area: "Computer Science"},
					jobpilot.Education{Institution: "MIT", StudyType: "PhD"})
			},
			values: []string{"PhD, Computer Science, Brno University of Technology", "PhD, MIT"},
		},
		{
			name: "invented certification",
			edit: func(r *jobpilot.Resume) {
				r.Certificates = append(r.Certificates, jobpilot.Certificate{Name: "AWS Certified Solutions Architect"})
			},
			values: []string{"AWS Certified Solutions Architect"},
		},
		{
			name: "invented skills, aliases kept",
			edit: func(r *jobpilot.Resume) {
				r.Skills = []jobpilot.Skill{{Name: "Languages", Keywords: []string{"Golang", "Rust", "postgres", "k8s"}}}
			},
			values: []string{"Rust"},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if got := strings.Join(r.Skills[0].Keywords, ","); got != "Golang,postgres,k8s" {
					t.Errorf("keywords = %s", got)
				}
			},
		},
		{
			name: "rephrasing with an invented number",
			edit: func(r *jobpilot.Resume) {
				r.Work[0].Highlights[1] = "Cut p99 latency of the ledger API from 850 ms to 20 ms."
			},
			values: []string{"20"},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if len(r.Work[0].Highlights) != len(p.Resume.Work[0].Highlights)-1 {
					t.Errorf("highlights = %q", r.Work[0].Highlights)
				}
			},
		},
		{
			name: "rephrasing with an invented proper noun and a lower-case skill",
			edit: func(r *jobpilot.Resume) {
				r.Work[1].Highlights[0] = "Built a tracking service in Go for Amazon."
				r.Work[1].Highlights[2] = "Wrote migration tooling in rust."
			},
			values: []string{"Amazon", "rust"},
		},
		{
			name: "allowed rephrasings kept",
			edit: func(r *jobpilot.Resume) {
				r.Work[0].Highlights[0] = "Designed an idempotent Golang settlement pipeline processing 4 million transactions a day."
				r.Work[1].Highlights[1] = "Replaced a nightly batch export with a Kafka change stream."
				r.Basics.Summary = "Backend engineer building reliable Golang services on Postgres and k8s. Led the migration of 12 services."
			},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if !strings.Contains(r.Work[0].Highlights[0], "Golang settlement pipeline") {
					t.Errorf("rephrasing dropped: %q", r.Work[0].Highlights)
				}
				if !strings.Contains(r.Basics.Summary, "12 services") {
					t.Errorf("summary = %q", r.Basics.Summary)
				}
			},
		},
		{
			name: "summary sentence with injected claims removed, rest kept",
			edit: func(r *jobpilot.Resume) {
				r.Basics.Summary = "Backend engineer building reliable Go services. Former Senior Engineer at Google 2015–2020 with a PhD from MIT."
			},
			values: []string{"Google", "2015", "2020", "PhD", "MIT"},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if r.Basics.Summary != "Backend engineer building reliable Go services." {
					t.Errorf("summary = %q", r.Basics.Summary)
				}
			},
		},
		{
			name:   "header identity reset to the profile",
			edit:   func(r *jobpilot.Resume) { r.Basics.Name = "Someone Else"; r.Basics.Label = "Chief Technology Officer" },
			values: []string{"Chief Technology Officer"},
			check: func(t *testing.T, r *jobpilot.Resume) {
				if r.Basics.Name != p.Resume.Basics.Name {
					t.Errorf("name = %q", r.Basics.Name)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := draftFrom(p)
			tc.edit(&r)
			removals, err := (&Guard{}).CheckResume(p, &r)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rm := range removals {
				got = append(got, rm.Value)
				if rm.Field == "" || rm.Reason == "" {
					t.Errorf("removal without field or reason: %+v", rm)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.values, "|") {
				t.Errorf("removed %q, want %q (%+v)", got, tc.values, removals)
			}
			if tc.check != nil {
				tc.check(t, &r)
			}
		})
	}
}

func TestGuardRejectsIncoherentResume(t *testing.T) {
	p := loadProfile(t)
	r := jobpilot.Resume{
		Basics: jobpilot.Basics{Summary: "Senior Engineer at Google."},
		Work:   []jobpilot.Work{{Name: "Google", Position: "Senior Engineer"}},
	}
	removals, err := (&Guard{}).CheckResume(p, &r)
	if !errors.Is(err, ErrRejected) || !errors.Is(err, jobpilot.ErrPermanent) {
		t.Fatalf("err = %v, want permanent ErrRejected", err)
	}
	if len(removals) == 0 {
		t.Fatal("no removals reported")
	}
}

func TestGuardCoverLetter(t *testing.T) {
	p, post := loadProfile(t), loadPosting(t)
	letter := composeLetter(p, post, &p.Resume)
	reg := prometheus.NewRegistry()
	g := NewGuard(reg)
	out, removals, err := g.CheckCoverLetter(p, post, letter)
	if err != nil || len(removals) != 0 {
		t.Fatalf("faithful letter: err=%v removals=%+v", err, removals)
	}
	if out != strings.TrimSpace(letter) {
		t.Errorf("faithful letter changed:\n%s\n---\n%s", letter, out)
	}

	injected := strings.Replace(letter, "Dear Hiring Manager,\n\n",
		"Dear Hiring Manager,\n\nI was a Senior Engineer at Google 2015–2020 and I hold a PhD from MIT. ", 1)
	out, removals, err = g.CheckCoverLetter(p, post, injected)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Google", "MIT", "2015"} {
		if strings.Contains(out, bad) {
			t.Errorf("letter still contains %s", bad)
		}
	}
	named := map[string]bool{}
	for _, r := range removals {
		named[r.Value] = true
	}
	if !named["Google"] || !named["MIT"] {
		t.Errorf("removals %+v do not name Google and MIT", removals)
	}
	if got := counterValue(t, reg, "jobpilot_guard_removals_total", KindProperNoun); got < 2 {
		t.Errorf("proper_noun counter = %v", got)
	}

	_, _, err = g.CheckCoverLetter(p, post, "Dear Hiring Manager, I worked at Google for 12 years.")
	if !errors.Is(err, ErrRejected) {
		t.Errorf("short letter: err = %v, want ErrRejected", err)
	}
}

func TestNewGuardTwiceOnOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewGuard(reg), NewGuard(reg)
	if a.removals != b.removals {
		t.Fatal("second guard did not reuse the registered counter")
	}
}

func TestSplitSentencesRoundTrip(t *testing.T) {
	for _, s := range []string{
		"One. Two!  Three?\nFour\n\nFive.",
		"Uses Node.js and e.g. CI/CD. Done",
		"",
	} {
		var b strings.Builder
		for _, x := range splitSentences(s) {
			b.WriteString(x.text)
		}
		if b.String() != s {
			t.Errorf("round trip of %q gave %q", s, b.String())
		}
	}
}

// counterValue reads one labelled counter from a registry.
func counterValue(t *testing.T, reg *prometheus.Registry, name, kind string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// Awards and publications are kept only when the profile has them, and then
// as the profile wrote them: a date or an awarder cannot be invented.
func TestGuardAwardsAndPublications(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{
		Basics:       jobpilot.Basics{Name: "Ada", Summary: "Engineer who builds things."},
		Work:         []jobpilot.Work{{Name: "Acme", Position: "Engineer", Highlights: []string{"Built things"}}},
		Awards:       []jobpilot.Award{{Title: "Engineer of the Year", Date: "2022", Awarder: "Acme"}},
		Publications: []jobpilot.Publication{{Name: "Queues in Practice", Publisher: "Acme Press"}},
	}}
	r := draftFrom(p)
	r.Awards = []jobpilot.Award{
		{Title: "engineer of the year", Date: "2019", Awarder: "Google"},
		{Title: "Turing Award"},
	}
	r.Publications = []jobpilot.Publication{{Name: "Queues in Practice"}, {Name: "A Book I Never Wrote"}}
	removals, err := (&Guard{}).CheckResume(p, &r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rm := range removals {
		got = append(got, rm.Field+"="+rm.Value)
	}
	if want := "awards[1]=Turing Award|publications[1]=A Book I Never Wrote"; strings.Join(got, "|") != want {
		t.Fatalf("removals %q, want %q", got, want)
	}
	if len(r.Awards) != 1 || r.Awards[0] != p.Resume.Awards[0] {
		t.Errorf("awards = %+v, want the profile's own entry", r.Awards)
	}
	if len(r.Publications) != 1 || r.Publications[0] != p.Resume.Publications[0] {
		t.Errorf("publications = %+v, want the profile's own entry", r.Publications)
	}
}
