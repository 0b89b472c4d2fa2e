package match_test

import (
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/match"
)

// Regression tests for the causes of wrong matches in issue 18, in its
// order. Each builds the situation the issue saw and checks the score
// against the default threshold and the reason given.

// midBackendNYC is the "mid backend in New York": no locations
// set, only where she lives; a past position "Junior Developer".
func midBackendNYC() *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: "Maya", Location: jobpilot.Location{City: "New York", CountryCode: "US"}},
			Work: []jobpilot.Work{
				{Name: "Ledgerly", Position: "Software Engineer", StartDate: "2023-09", Highlights: []string{"Built payment APIs in Go on PostgreSQL"}},
				{Name: "Agency", Position: "Junior Developer", StartDate: "2022-06", EndDate: "2023-08"},
			},
			Skills: []jobpilot.Skill{{Name: "Backend", Keywords: []string{"Go", "Python", "PostgreSQL", "Kafka", "gRPC"}}},
		},
		Preferences: jobpilot.Preferences{TargetTitles: []string{"Backend Engineer", "Software Engineer"}},
	}
}

func seniorDataEngineerColombia() *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics:    jobpilot.Basics{Name: "Andrés", Location: jobpilot.Location{City: "Medellín", CountryCode: "CO"}},
			Work:      []jobpilot.Work{{Name: "Rutaviva", Position: "Senior Data Engineer", StartDate: "2016-02"}},
			Skills:    []jobpilot.Skill{{Name: "Data", Keywords: []string{"Python", "SQL", "Spark", "Airflow", "dbt", "Snowflake"}}},
			Languages: []jobpilot.Language{{Language: "Spanish", Fluency: "Native"}, {Language: "English", Fluency: "Fluent"}},
		},
		Preferences: jobpilot.Preferences{TargetTitles: []string{"Data Engineer"}, Remote: jobpilot.RemoteOnly},
	}
}

func seniorDesignerStockholm() *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics:    jobpilot.Basics{Name: "Elin", Location: jobpilot.Location{City: "Stockholm", CountryCode: "SE"}},
			Work:      []jobpilot.Work{{Name: "Spargris", Position: "Senior Product Designer", StartDate: "2020-09"}},
			Skills:    []jobpilot.Skill{{Name: "Design", Keywords: []string{"Figma", "Prototyping", "User Research", "Design Systems"}}},
			Languages: []jobpilot.Language{{Language: "Swedish", Fluency: "Native"}, {Language: "English", Fluency: "Fluent"}},
		},
		Preferences: jobpilot.Preferences{TargetTitles: []string{"Product Designer"}},
	}
}

func juniorFrontendSF() *jobpilot.Profile {
	return &jobpilot.Profile{
		Resume: jobpilot.Resume{
			Basics: jobpilot.Basics{Name: "Jordan", Location: jobpilot.Location{City: "San Francisco", CountryCode: "US"}},
			Work: []jobpilot.Work{
				{Name: "Pebblepath", Position: "Frontend Developer", StartDate: "2025-06"},
				{Name: "Pebblepath", Position: "Software Engineering Intern", StartDate: "2024-06", EndDate: "2024-08"},
			},
			Skills: []jobpilot.Skill{{Name: "Frontend", Keywords: []string{"React", "TypeScript", "CSS", "HTML"}}},
		},
		Preferences: jobpilot.Preferences{TargetTitles: []string{"Frontend Engineer"}},
	}
}

const threshold = jobpilot.DefaultMinScore

// scoreOf scores a posting and logs the result.
func scoreOf(t *testing.T, p *jobpilot.Profile, post *jobpilot.Posting) jobpilot.Match {
	t.Helper()
	m := match.NewScorer(p, match.At(evalNow)).Score(post)
	t.Logf("%d %q: for %q against %q", m.Score, post.Title, m.For, m.Against)
	return m
}

func wantBelow(t *testing.T, m jobpilot.Match, reason string) {
	t.Helper()
	if m.Score >= threshold {
		t.Errorf("score %d, want below %d", m.Score, threshold)
	}
	if reason != "" && !hasSub(m.Against, reason) {
		t.Errorf("Against %q lacks %q", m.Against, reason)
	}
}

func wantMatched(t *testing.T, m jobpilot.Match, reason string) {
	t.Helper()
	if m.Score < threshold || m.Excluded {
		t.Errorf("score %d (excluded %v), want at least %d", m.Score, m.Excluded, threshold)
	}
	if reason != "" && !hasSub(m.For, reason) {
		t.Errorf("For %q lacks %q", m.For, reason)
	}
}

const dataJob = "Own our pipelines.\n\nRequirements\n\n- 5+ years of data engineering\n- Spark, Airflow, dbt, Snowflake"

// Cause 1: where the candidate can work was ignored.
func TestCause1RemoteRegions(t *testing.T) {
	p := seniorDataEngineerColombia()
	for _, loc := range []string{"Remote (US only)", "Remote - Europe", "Remote (EU)", "Remote (Indonesia)", "Remote (Korea)", "Remote - EMEA"} {
		t.Run(loc, func(t *testing.T) {
			m := scoreOf(t, p, &jobpilot.Posting{Title: "Senior Data Engineer", Location: loc, Remote: true, Description: dataJob})
			wantBelow(t, m, "[eligibility] remote for ")
			if !hasSub(m.Against, "you live in Medellín") {
				t.Errorf("the reason does not say where the candidate lives: %q", m.Against)
			}
		})
	}
	for _, loc := range []string{"Remote - LatAm", "Remote (Americas)", "Remote (Worldwide)", "Remote - Colombia", "Remoto - Latinoamérica"} {
		t.Run(loc, func(t *testing.T) {
			wantMatched(t, scoreOf(t, p, &jobpilot.Posting{Title: "Senior Data Engineer", Location: loc, Remote: true, Description: dataJob}), "[eligibility] remote")
		})
	}
	// A region said only in the text.
	m := scoreOf(t, p, &jobpilot.Posting{Title: "Senior Data Engineer", Location: "Remote", Remote: true,
		Description: dataJob + "\n\nThis position is open to candidates based in the United States only."})
	wantBelow(t, m, "remote for United States only")
}

func TestCause1Residence(t *testing.T) {
	p := midBackendNYC() // no locations: where she lives counts
	job := "Build APIs in Go and PostgreSQL.\n\nRequirements\n\n- 3+ years of backend development"
	wantMatched(t, scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY", Description: job}), "where you live")
	wantBelow(t, scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "Austin, TX", Description: job}), "[eligibility] on-site in Austin, TX, not in where you live")
	// Relocation within the regions she may work in opens other cities.
	p.Preferences.Relocate = true
	p.Preferences.WorkRegions = []string{"US"}
	wantMatched(t, scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "Austin, TX", Description: job}), "where you would move")
	wantBelow(t, scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "Berlin, Germany", Description: job}), "[eligibility]")
}

func TestCause1BoardRemoteFlagDoesNotWin(t *testing.T) {
	p := seniorDataEngineerColombia()
	for _, tc := range []struct{ loc, text string }{
		{"Austin, TX", "This is an in-office role in Austin, five days a week."},
		{"New York City", "This is a hybrid role: three days a week in our NYC office."},
		{"Austin, TX", ""}, // a city and a remote flag: remote within that country at most
	} {
		m := scoreOf(t, p, &jobpilot.Posting{Title: "Senior Data Engineer", Location: tc.loc, Remote: true, Description: dataJob + "\n\n" + tc.text})
		wantBelow(t, m, "[eligibility]")
	}
}

func TestCause1PlaceAliases(t *testing.T) {
	job := "Build APIs in Go and PostgreSQL.\n\nRequirements\n\n- 3+ years of backend development"
	for _, loc := range []string{"NYC", "New York City", "Brooklyn, NY", "Manhattan"} {
		wantMatched(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: "Backend Engineer", Location: loc, Description: job}), "[eligibility] on-site in "+loc)
	}
	fe := juniorFrontendSF()
	fe.Preferences.Locations = []string{"Bay Area"}
	for _, loc := range []string{"SF", "San Francisco, CA", "Oakland, CA", "SF Bay Area"} {
		wantMatched(t, scoreOf(t, fe, &jobpilot.Posting{Title: "Frontend Engineer", Location: loc, Description: "React and TypeScript, 1+ year"}), "one of your locations")
	}
	de := &jobpilot.Profile{Preferences: jobpilot.Preferences{Locations: []string{"München"}}}
	m := scoreOf(t, de, &jobpilot.Posting{Title: "Engineer", Location: "Munich, Germany"})
	if !hasSub(m.For, "one of your locations") {
		t.Errorf("München is not Munich: %q", m.For)
	}
}

// Cause 2: role family.
func TestCause2Family(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       *jobpilot.Profile
		post    *jobpilot.Posting
		against string
	}{
		{"Android for backend", midBackendNYC(), &jobpilot.Posting{Title: "Android Engineer", Location: "New York, NY",
			Description: "Requirements\n\n- 3+ years of Kotlin and Jetpack Compose\n\nNice to have: Go, gRPC, PostgreSQL."}, "[family] a mobile role; you target backend"},
		{"iOS for frontend", juniorFrontendSF(), &jobpilot.Posting{Title: "iOS Engineer", Location: "San Francisco, CA",
			Description: "Swift and SwiftUI.\n\nNice to have: React, TypeScript for our web views."}, "[family] a mobile role"},
		{"data scientist for a data engineer", seniorDataEngineerColombia(), &jobpilot.Posting{Title: "Senior Data Scientist", Location: "Remote (LatAm)", Remote: true,
			Description: "Requirements\n\n- 5+ years of data science\n- Machine learning, statistics\n- Python, SQL, Spark"}, "[family] a data science role, next to data engineering"},
		{"product manager for a designer", seniorDesignerStockholm(), &jobpilot.Posting{Title: "Senior Product Manager", Location: "Stockholm, Sweden",
			Description: "Own the roadmap. 5+ years of product management; work with design, Figma prototypes and user research."}, "[family] a product role, next to design"},
		{"React frontend for a backend engineer", midBackendNYC(), &jobpilot.Posting{Title: "Frontend Developer", Location: "New York, NY",
			Description: "React and TypeScript, 2+ years."}, "[family] a frontend role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := scoreOf(t, tc.p, tc.post)
			wantBelow(t, m, tc.against)
			if hasSub(m.For, "past position") {
				t.Errorf("a past position's title counted toward another family: %q", m.For)
			}
		})
	}
}

func TestCause2NiceToHaveIsNotCore(t *testing.T) {
	p := midBackendNYC()
	core := scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: "We build payroll.\n\nRequirements\n\n- Go, PostgreSQL and Kafka\n- 3+ years"})
	nice := scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: "We build payroll.\n\nRequirements\n\n- Java and Spring\n- 3+ years\n\nNice to have: Go, PostgreSQL and Kafka."})
	if nice.Score >= core.Score-5 {
		t.Errorf("nice-to-have skills scored %d, core ones %d: they should count much less", nice.Score, core.Score)
	}
}

// Cause 3: seniority.
func TestCause3Level(t *testing.T) {
	job := "Build APIs in Go and PostgreSQL."
	for _, title := range []string{"Staff Backend Engineer", "Principal Software Engineer, Backend"} {
		wantBelow(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: title, Location: "New York, NY", Description: job}), "[level] a staff role, two levels above yours (mid")
	}
	// Years in the text set the level when the title does not.
	wantBelow(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: job + "\n\nRequirements\n\n- 10+ years of experience"}), "[level] a staff role (it asks for 10+ years)")
	fe := juniorFrontendSF()
	react := "React, TypeScript and CSS."
	wantBelow(t, scoreOf(t, fe, &jobpilot.Posting{Title: "Software Engineering Intern, Frontend", Location: "San Francisco, CA", Description: react}), "[level] an internship; you are past it")
	wantBelow(t, scoreOf(t, fe, &jobpilot.Posting{Title: "Senior Frontend Engineer", Location: "San Francisco, CA", Description: react}), "[level] a senior role, two levels above yours (junior")
	wantMatched(t, scoreOf(t, fe, &jobpilot.Posting{Title: "Frontend Engineer", Location: "San Francisco, CA", Description: react + " 1+ year of experience."}), "")

	// A principal designer role asking 10+ years, for six years of experience.
	d := seniorDesignerStockholm()
	m := scoreOf(t, d, &jobpilot.Posting{Title: "Principal Product Designer", Location: "Stockholm, Sweden",
		Description: "Requirements\n\n- 10+ years of product design\n- Figma, user research, design systems"})
	wantBelow(t, m, "[level] asks for 10+ years of experience; you have about 6")
	if !strings.Contains(strings.Join(m.Against, " "), "[level]") {
		t.Errorf("no level reason: %q", m.Against)
	}
}

func TestCause3ChiefOfStaffIsNotALevel(t *testing.T) {
	m := scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: "Software Engineer (Backend)", Location: "NYC",
		Description: "You'll build Python and Go services on PostgreSQL and work closely with our CTO and our Chief of Staff.\n\n3+ years of experience."})
	wantMatched(t, m, "")
	if hasSub(m.Against, "[level]") {
		t.Errorf("Chief of Staff read as a level: %q", m.Against)
	}
}

// Cause 4: language.
func TestCause4Language(t *testing.T) {
	for _, tc := range []struct{ title, loc, text, lang string }{
		{"Senior Backend Engineer (Go)", "New York, NY", "Wir suchen eine erfahrene Backend-Entwicklerin für unsere Plattform. Du entwickelst unsere Dienste in Go mit PostgreSQL und betreibst sie auf Kubernetes. Wir bieten dir ein tolles Team und flexible Arbeitszeiten in der Stadt.", "German"},
		{"백엔드 개발자", "New York, NY", "저희는 물류 스타트업입니다. Go와 PostgreSQL로 백엔드를 개발할 개발자를 찾습니다. 한국어 능통자를 우대합니다.", "Korean"},
		{"バックエンドエンジニア", "New York, NY", "私たちは物流のスタートアップです。GoとPostgreSQLでバックエンドを開発するエンジニアを募集しています。", "Japanese"},
	} {
		wantBelow(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: tc.title, Location: tc.loc, Description: tc.text}), "[language] written in "+tc.lang)
	}
	// Asked for in an English posting.
	wantBelow(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: "Build APIs in Go.\n\nRequirements\n\n- 3+ years with Go and PostgreSQL\n- Fluent German and English"}), "[language] asks for German")
	// A bonus is not a requirement.
	wantMatched(t, scoreOf(t, midBackendNYC(), &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: "Build APIs in Go.\n\nRequirements\n\n- 3+ years with Go and PostgreSQL\n- Spanish is a plus"}), "")
	// A Swedish posting in her city fits a Swedish speaker.
	wantMatched(t, scoreOf(t, seniorDesignerStockholm(), &jobpilot.Posting{Title: "Produktdesigner", Location: "Stockholm",
		Description: "Vi söker en produktdesigner till vårt team i Stockholm. Du kommer att arbeta med hela designprocessen, från användarintervjuer och prototyper i Figma till lansering.\n\nVi tror att du har minst fem års erfarenhet av produktdesign och mycket goda kunskaper i svenska och engelska."}), "[family] a design role")
}

// Cause 5: short and multi-role posts.
func TestCause5ShortAndMultiRolePosts(t *testing.T) {
	m := scoreOf(t, midBackendNYC(), &jobpilot.Posting{Company: "Stackwise", Title: "Backend Engineer", Location: "NYC",
		Description: "Stackwise | Backend Engineer | NYC | ONSITE\nWe're a 12-person team building payroll for restaurants. Looking for a backend engineer with a few years of experience."})
	wantMatched(t, m, "[skills] names no specific skills")
	if hasSub(m.Against, "none of your skills") {
		t.Errorf("a post naming no skills was held against its silence: %q", m.Against)
	}
	multi := &jobpilot.Posting{Company: "Fieldnote", Title: "PM, Designers, QA Engineers, Go Engineers", Location: "Remote (US)", Remote: true,
		Description: "We're hiring for several roles:\n\n- Product Manager (5+ years)\n- Product Designers\n- QA Engineers\n- Go Engineers (Go and PostgreSQL)"}
	wantMatched(t, scoreOf(t, midBackendNYC(), multi), "[family] its “Go Engineers” role is a backend role")
	wantBelow(t, scoreOf(t, juniorFrontendSF(), multi), "")
}

// Cause 6 (and issue 15): without preferences the threshold is the
// default, and a pastry-chef posting stays far below it.
func TestCause6NoPreferences(t *testing.T) {
	p := midBackendNYC()
	p.Preferences = jobpilot.Preferences{}
	if p.Preferences.EffectiveMinScore() != 60 {
		t.Fatalf("default min score %d", p.Preferences.EffectiveMinScore())
	}
	wantBelow(t, scoreOf(t, p, &jobpilot.Posting{Title: "Pastry Chef", Location: "New York, NY", Company: "Maison Rose",
		Description: "French bakery hiring a pastry chef: laminated doughs, viennoiserie, early mornings. 3+ years in a professional kitchen."}), "[family] an other role")
	wantMatched(t, scoreOf(t, p, &jobpilot.Posting{Title: "Backend Engineer", Location: "New York, NY",
		Description: "Build APIs in Go and PostgreSQL.\n\n3+ years of backend development."}), "")
}

// Preferences correct the rules: excluded families, a target level,
// target families and families of one's own.
func TestPreferencesCorrectTheRules(t *testing.T) {
	mgr := &jobpilot.Posting{Title: "Engineering Manager, Backend", Location: "New York, NY", Description: "Lead a team of eight backend engineers working in Go."}
	p := midBackendNYC()
	p.Preferences.TargetLevel = "manager"
	if m := scoreOf(t, p, mgr); m.Excluded {
		t.Fatalf("excluded without an excluded family: %+v", m)
	}
	p.Preferences.ExcludedFamilies = []string{"Engineering Management"}
	if m := scoreOf(t, p, mgr); !m.Excluded || m.Score != 0 || !hasSub(m.Against, "[family] an engineering management role, a family you excluded") {
		t.Errorf("excluded family: %+v", m)
	}

	senior := &jobpilot.Posting{Title: "Senior Backend Engineer", Location: "New York, NY", Description: "Go and PostgreSQL."}
	p = midBackendNYC()
	if m := scoreOf(t, p, senior); !hasSub(m.Against, "[level] a senior role, one level above yours (mid)") {
		t.Fatalf("fixture: a senior role at a mid engineer's level: %q", m.Against)
	}
	p.Preferences.TargetLevel = "senior"
	if m := scoreOf(t, p, senior); hasSub(m.Against, "[level]") || m.Score < threshold {
		t.Errorf("with target level senior: %d %q", m.Score, m.Against)
	}

	writer := &jobpilot.Posting{Title: "Documentation Engineer", Location: "New York, NY", Description: "Write our API docs in Markdown; docs-as-code."}
	p = midBackendNYC()
	p.Preferences.TargetTitles = []string{"Technical Writer"}
	before := scoreOf(t, p, writer)
	p.Preferences.RoleFamilies = []jobpilot.RoleFamily{{Name: "technical writing", Titles: []string{"technical writer", "documentation engineer"}}}
	after := scoreOf(t, p, writer)
	if !hasSub(after.For, "[family] a technical writing role") || after.Score <= before.Score {
		t.Errorf("a family of one's own: before %d, after %d %q", before.Score, after.Score, after.For)
	}
	p = midBackendNYC()
	p.Preferences.TargetFamilies = []string{"data engineering"}
	wantMatched(t, scoreOf(t, p, &jobpilot.Posting{Title: "Data Engineer", Location: "NYC", Description: "Python, SQL, Kafka. 3+ years."}), "[family] a data engineering role, the family of your target families")
}

// Similarity adjusts a score by at most 8 points, with its reason, and
// never touches an excluded match.
func TestBlend(t *testing.T) {
	base := jobpilot.Match{Score: 70, For: []string{"a"}}
	if m := match.Blend(base, 1); m.Score != 78 || !hasSub(m.For, "[similarity] reads close to your profile (cosine 1.00)") {
		t.Errorf("cosine 1: %+v", m)
	}
	if m := match.Blend(base, 0.1); m.Score != 62 || !hasSub(m.Against, "[similarity] reads far from your profile (cosine 0.10)") {
		t.Errorf("cosine 0.1: %+v", m)
	}
	if m := match.Blend(base, 0.5); m.Score != 70 || len(m.For)+len(m.Against) != 1 {
		t.Errorf("cosine 0.5: %+v", m)
	}
	ex := jobpilot.Match{Excluded: true, Against: []string{"x"}}
	if m := match.Blend(ex, 1); m.Score != 0 || len(m.For) != 0 {
		t.Errorf("excluded: %+v", m)
	}
	if c := match.Cosine([]float32{1, 0}, []float32{1, 1}); c < 0.707 || c > 0.708 {
		t.Errorf("cosine %v", c)
	}
}

// Postings are third-party text: a huge location or a title listing
// hundreds of roles gives reasons of a bounded size.
func TestHostileInputIsBounded(t *testing.T) {
	post := &jobpilot.Posting{
		Company:     strings.Repeat("Evil Corp ", 1000),
		Title:       strings.Repeat("Go Engineers, ", 500),
		Location:    strings.Repeat("Atlantis ", 2000),
		Description: strings.Repeat("You must live in Atlantis. Fluent Klingon required. 5+ years.\n\n", 2000),
	}
	m := match.NewScorer(midBackendNYC(), match.At(evalNow)).Score(post)
	for _, r := range append(m.For, m.Against...) {
		if len(r) > 300 {
			t.Errorf("a reason of %d bytes: %.120q…", len(r), r)
		}
	}
	p := midBackendNYC()
	p.Preferences.ExcludedCompanies = []string{"Evil Corp"}
	if m := match.NewScorer(p).Score(post); !m.Excluded || len(m.Against[0]) > 300 {
		t.Errorf("excluded company reason of %d bytes", len(m.Against[0]))
	}
}

// The posting fields the sources read (all locations, work mode, remote
// regions, roles) are used before the text: a secondary office where the
// candidate lives counts; a job whose own work mode is on-site or hybrid is
// not remote whatever a board-wide flag says; remote regions restrict a
// remote job; roles read by the source pick the best one.
func TestPostingFieldsFromTheSources(t *testing.T) {
	job := "Build APIs in Go and PostgreSQL.\n\nRequirements\n\n- 3+ years of backend development"
	nyc := midBackendNYC()
	wantMatched(t, scoreOf(t, nyc, &jobpilot.Posting{Title: "Backend Engineer", Location: "Austin, TX",
		Locations: []string{"Austin, TX", "New York, NY"}, Description: job}), "[eligibility] on-site in New York")
	wantBelow(t, scoreOf(t, nyc, &jobpilot.Posting{Title: "Backend Engineer", Location: "Austin, TX",
		Locations: []string{"Austin, TX", "Denver, CO"}, Description: job}), "[eligibility]")

	co := seniorDataEngineerColombia()
	for _, mode := range []string{jobpilot.WorkOnsite, jobpilot.WorkHybrid} {
		m := scoreOf(t, co, &jobpilot.Posting{Title: "Senior Data Engineer", Location: "Austin, TX", Remote: true, WorkMode: mode, Description: dataJob})
		wantBelow(t, m, "[eligibility]")
	}
	wantBelow(t, scoreOf(t, co, &jobpilot.Posting{Title: "Senior Data Engineer", Location: "Remote", Remote: true,
		WorkMode: jobpilot.WorkRemote, RemoteRegions: []string{"United States"}, Description: dataJob}), "[eligibility] remote for ")
	wantMatched(t, scoreOf(t, co, &jobpilot.Posting{Title: "Senior Data Engineer", Location: "Remote", Remote: true,
		WorkMode: jobpilot.WorkRemote, RemoteRegions: []string{"Latin America"}, Description: dataJob}), "[eligibility] remote")

	// A remote work mode at an office keeps the regions its text gives.
	prague := midBackendNYC()
	prague.Resume.Basics.Location = jobpilot.Location{City: "Prague", CountryCode: "CZ"}
	prague.Preferences.Remote = jobpilot.RemoteOnly
	wantMatched(t, scoreOf(t, prague, &jobpilot.Posting{Title: "Backend Engineer", Location: "Berlin", Remote: true,
		WorkMode: jobpilot.WorkRemote, Description: job + "\n\nRemote within the EU is fine."}), "[eligibility] remote within")
	wantBelow(t, scoreOf(t, prague, &jobpilot.Posting{Title: "Backend Engineer", Location: "Berlin", Remote: true,
		WorkMode: jobpilot.WorkRemote, Description: job}), "[eligibility] remote for Germany only")

	m := scoreOf(t, nyc, &jobpilot.Posting{Title: "Ledgerly is hiring", Location: "New York, NY",
		Roles: []string{"Product Manager", "Backend Engineer"}, Description: job})
	wantMatched(t, m, "Backend Engineer")
}
