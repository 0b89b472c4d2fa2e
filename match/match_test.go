package match_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/match"
)

// backendProfile is a realistic senior backend engineer who wants remote
// work or Berlin.
func backendProfile() *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: "Ada Schmidt"},
			Work: []jobpilot.Work{{
				Name:       "Paylane",
				Position:   "Senior Backend Engineer",
				Highlights: []string{"Moved the billing service to Kubernetes with zero downtime", "Cut p99 latency by 40% with Redis caching"},
			}, {
				Name:     "Shopware",
				Position: "Software Developer",
			}},
			Skills: []jobpilot.Skill{
				{Name: "Backend", Keywords: []string{"Golang", "Postgres", "gRPC"}},
				{Name: "Cloud", Keywords: []string{"AWS", "Terraform"}},
			},
		},
		Preferences: jobpilot.Preferences{
			Keywords:          []string{"distributed systems"},
			TargetTitles:      []string{"Backend Engineer", "Platform Engineer"},
			Locations:         []string{"Berlin"},
			Remote:            jobpilot.RemoteAny,
			ExcludedCompanies: []string{"Evil Corp"},
			ExcludedKeywords:  []string{"crypto", "gambling"},
			Seniority:         []string{"Senior", "Staff"},
		},
	}
}

func remoteOnlyProfile() *jobpilot.Profile {
	p := backendProfile()
	p.Preferences.Remote = jobpilot.RemoteOnly
	p.Preferences.Locations = nil
	return p
}

var (
	goodRemote = &jobpilot.Posting{
		Company: "Acme", Title: "Senior Backend Engineer (Go)", Location: "Remote (EU)", Remote: true,
		Description: "We build payments infrastructure in Golang on PostgreSQL.\n\n" +
			"Requirements\n\n* 5+ years with Go\n* Kubernetes (k8s) in production\n* AWS and Terraform\n\n" +
			"Nice to have: gRPC, distributed systems experience.",
	}
	goodBerlin = &jobpilot.Posting{
		Company: "Zalando SE", Title: "Staff Platform Engineer", Location: "Berlin, Germany",
		Description: "Our platform runs on Kubernetes and AWS.\n\nYou have experience with Go or Java, Postgres and Terraform.",
	}
	sales = &jobpilot.Posting{
		Company: "Acme", Title: "Account Executive", Location: "Paris, France",
		Description: "Sell our SaaS to enterprise customers. Quota-carrying role, travel required.\n\nYou will go to market with our partners.",
	}
	juniorFrontend = &jobpilot.Posting{
		Company: "Pixel", Title: "Junior Frontend Developer", Location: "Munich",
		Description: "React and TypeScript. CSS wizardry welcome.",
	}
	cryptoGo = &jobpilot.Posting{
		Company: "CoinCo", Title: "Senior Backend Engineer", Location: "Remote", Remote: true,
		Description: "Build our crypto exchange in Go with PostgreSQL and Kubernetes.",
	}
	evil = &jobpilot.Posting{
		Company: "Evil Corp Inc.", Title: "Senior Backend Engineer (Go)", Location: "Berlin", Remote: true,
		Description: "Go, PostgreSQL, Kubernetes, AWS, Terraform, gRPC, distributed systems.",
	}
	onsiteParis = &jobpilot.Posting{
		Company: "Blablacar", Title: "Senior Backend Engineer", Location: "Paris",
		Description: "Go and PostgreSQL at scale.",
	}
	empty = &jobpilot.Posting{Company: "Nobody", Title: "Engineer"}
	// "go" as an everyday word and "JavaScript" must not count as Go.
	notGo = &jobpilot.Posting{
		Company: "Shop", Title: "Marketing Manager", Location: "Hamburg",
		Description: "Ready to go the extra mile? We use JavaScript for our landing pages.",
	}
)

func TestScoreTable(t *testing.T) {
	tests := []struct {
		name     string
		profile  *jobpilot.Profile
		post     *jobpilot.Posting
		min, max int
		excluded bool
		forHas   []string // substrings of some For reason
		against  []string // substrings of some Against reason
	}{
		{"remote Go backend", backendProfile(), goodRemote, 80, 100, false,
			[]string{"[skills] mentions Golang, Postgres", "and 3 more (in the title: Golang)", "[family] a backend role", "[eligibility] remote"}, nil},
		{"Berlin platform", backendProfile(), goodBerlin, 65, 100, false,
			[]string{"Kubernetes", "[family] an infrastructure role", "[eligibility] on-site in Berlin, Germany, one of your locations"}, nil},
		{"sales in Paris", backendProfile(), sales, 0, 10, false,
			nil, []string{"[eligibility] on-site in Paris, France, not in Berlin", "[family] a sales role; you target backend or infrastructure"}},
		{"junior frontend", backendProfile(), juniorFrontend, 0, 25, false,
			nil, []string{"[level] a junior role, two levels below yours (senior", "[family] a frontend role"}},
		{"excluded keyword", backendProfile(), cryptoGo, 30, 75, false,
			[]string{"mentions Golang"}, []string{"“crypto”, one of your excluded keywords"}},
		{"excluded company", backendProfile(), evil, 0, 0, true,
			nil, []string{"[company] Evil Corp Inc. is on your excluded companies list"}},
		{"remote only vs on-site", remoteOnlyProfile(), onsiteParis, 20, 65, false,
			[]string{"mentions Golang and Postgres", "[level] a senior role, your level"}, []string{"[eligibility] on-site in Paris; you want remote work only"}},
		{"remote only vs remote", remoteOnlyProfile(), goodRemote, 85, 100, false,
			nil, nil},
		{"word boundaries", backendProfile(), notGo, 0, 10, false,
			nil, []string{"[family] a marketing role"}},
		{"nil profile", nil, goodRemote, 0, 100, false, nil, nil},
		{"bare posting", backendProfile(), empty, 0, 40, false, []string{"[skills] names no specific skills"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := match.Score(tc.profile, tc.post)
			t.Logf("score %d for %q against %q", m.Score, m.For, m.Against)
			if m.Score < tc.min || m.Score > tc.max {
				t.Errorf("score %d, want %d..%d", m.Score, tc.min, tc.max)
			}
			if m.Excluded != tc.excluded {
				t.Errorf("excluded %v, want %v", m.Excluded, tc.excluded)
			}
			if len(m.For)+len(m.Against) == 0 {
				t.Error("no reason given")
			}
			if len(m.For) > 3 || len(m.Against) > 3 {
				t.Errorf("more than 3 reasons: %q %q", m.For, m.Against)
			}
			for _, want := range tc.forHas {
				if !hasSub(m.For, want) {
					t.Errorf("For %q lacks %q", m.For, want)
				}
			}
			for _, want := range tc.against {
				if !hasSub(m.Against, want) {
					t.Errorf("Against %q lacks %q", m.Against, want)
				}
			}
		})
	}
}

func hasSub(list []string, sub string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, sub) })
}

func TestRelevantAboveIrrelevant(t *testing.T) {
	s := match.NewScorer(backendProfile())
	relevant := []*jobpilot.Posting{goodRemote, goodBerlin}
	irrelevant := []*jobpilot.Posting{sales, juniorFrontend, notGo, cryptoGo, onsiteParis}
	for _, r := range relevant {
		for _, i := range irrelevant {
			if rs, is := s.Score(r).Score, s.Score(i).Score; rs <= is {
				t.Errorf("%q scored %d, not above %q with %d", r.Title, rs, i.Title, is)
			}
		}
	}
}

func TestExcludedAlways(t *testing.T) {
	p := backendProfile()
	p.Preferences.ExcludedCompanies = []string{"acme"}
	s := match.NewScorer(p)
	for _, post := range []*jobpilot.Posting{goodRemote, sales, {Company: "ACME GmbH", Title: "Backend Engineer"}} {
		m := s.Score(post)
		if !m.Excluded || m.Score != 0 || len(m.Against) == 0 {
			t.Errorf("%s: %+v, want excluded with score 0 and a reason", post.Company, m)
		}
	}
	// A company whose name merely contains the word elsewhere is not excluded.
	if m := s.Score(&jobpilot.Posting{Company: "Acmeology", Title: "Backend Engineer"}); m.Excluded {
		t.Errorf("Acmeology excluded: %+v", m)
	}
}

func TestAliasesAndWeights(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Skills: []jobpilot.Skill{{Name: "k8s"}, {Name: "JS"}, {Name: "PostgreSQL"}}}}
	s := match.NewScorer(p)
	title := s.Score(&jobpilot.Posting{Title: "Kubernetes Engineer", Description: "We use Kubernetes."})
	rest := s.Score(&jobpilot.Posting{Title: "Engineer", Description: "Intro paragraph.\n\nMore text.\n\nWe sometimes touch Kubernetes."})
	if !hasSub(title.For, "mentions k8s (in the title: k8s)") {
		t.Errorf("alias in title: %q", title.For)
	}
	if title.Score <= rest.Score {
		t.Errorf("title mention %d should outscore a mention at the end %d", title.Score, rest.Score)
	}
	m := s.Score(&jobpilot.Posting{Title: "Dev", Description: "JavaScript and Postgres"})
	if !hasSub(m.For, "mentions JS and PostgreSQL") {
		t.Errorf("aliases: %q", m.For)
	}
}

func TestDeterministic(t *testing.T) {
	s := match.NewScorer(backendProfile())
	a := s.Score(goodRemote)
	for range 20 {
		b := s.Score(goodRemote)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%v != %v", a, b)
		}
	}
	if c := match.Score(backendProfile(), goodRemote); fmt.Sprint(a) != fmt.Sprint(c) {
		t.Fatalf("Score and Scorer disagree: %v != %v", a, c)
	}
}

func TestNonLatin(t *testing.T) {
	p := &jobpilot.Profile{Resume: jobpilot.Resume{Skills: []jobpilot.Skill{{Name: "Künstliche Intelligenz"}, {Name: "Go"}}},
		Preferences: jobpilot.Preferences{Locations: []string{"Zürich"}}}
	m := match.Score(p, &jobpilot.Posting{Title: "Ingénieur Go", Location: "ZÜRICH", Description: "Erfahrung in KÜNSTLICHE INTELLIGENZ; 東京 オフィス"})
	if !hasSub(m.For, "Künstliche Intelligenz") || !hasSub(m.For, "in ZÜRICH, one of your locations") {
		t.Errorf("non-Latin: %q", m.For)
	}
}

func BenchmarkScore10000(b *testing.B) {
	s := match.NewScorer(backendProfile())
	posts := make([]*jobpilot.Posting, 10000)
	base := []*jobpilot.Posting{goodRemote, goodBerlin, sales, juniorFrontend, cryptoGo, onsiteParis, notGo}
	filler := strings.Repeat("We value ownership, clear writing and kind code review. Our team ships weekly.\n\n", 20)
	for i := range posts {
		p := *base[i%len(base)]
		p.Description = p.Description + "\n\n" + filler
		posts[i] = &p
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range posts {
			_ = s.Score(p)
		}
	}
}
