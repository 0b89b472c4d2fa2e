package match

import (
	"slices"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// The preferences validate family names against jobpilot.FamilyNames;
// families.json must define exactly those, with adjacency that names
// families that exist.
func TestFamilyTableMatchesTheDomainNames(t *testing.T) {
	var names []string
	for _, e := range builtinFamilies() {
		names = append(names, e.Name)
		for _, a := range e.Adjacent {
			if defaultFamilies().lookup(a) == nil {
				t.Errorf("%s: adjacent family %q does not exist", e.Name, a)
			}
		}
	}
	want := slices.Clone(jobpilot.FamilyNames)
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("families.json names %q, jobpilot.FamilyNames %q", names, want)
	}
}

func TestClassifyTitle(t *testing.T) {
	ft := defaultFamilies()
	for title, want := range map[string]string{
		"Senior Backend Engineer (Go)":            "backend",
		"Engineering Manager, Backend":            "engineering management",
		"Senior Software Engineer, Data Platform": "data engineering",
		"Platform Engineer":                       "infrastructure",
		"Product Designer":                        "design",
		"Senior Product Manager":                  "product",
		"Android Engineer":                        "mobile",
		"Customer Success Manager":                "support",
		"Kundtjänstmedarbetare":                   "support",
		"Teamleiter Kundenservice (m/w/d)":        "support",
		"Ingeniero/a de Datos Senior":             "data engineering",
		"Chief of Staff":                          "operations",
		"Pastry Chef":                             "other",
		"UI Engineer":                             "frontend",
		"Machine Learning Engineer":               "data science",
		"Software Engineer":                       "",
	} {
		got := ""
		if f := ft.classifyTitle(titleTokens(title)); f != nil {
			got = f.name
		}
		if got != want {
			t.Errorf("%q: %q, want %q", title, got, want)
		}
	}
}

func TestPlaces(t *testing.T) {
	pt := places()
	names := func(s string) []string { return placeNames(pt.find(s)) }
	for text, want := range map[string][]string{
		"NYC":                      {"New York"},
		"Brooklyn, NY":             {"New York", "New York State"},
		"SF Bay Area":              {"San Francisco Bay Area"},
		"München":                  {"Munich"},
		"Remote (US only)":         {"United States"},
		"join us in the office":    nil, // "us" is not the US
		"Remote - LatAm":           {"Latin America"},
		"within the EU":            {"EU"},
		"Remote - US & Canada":     {"North America"},
		"anywhere in the Americas": {"Americas"},
	} {
		if got := names(text); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	co, latam, eu := pt.byISO["CO"], pt.find("LatAm")[0], pt.find("EU")[0]
	medellin := pt.find("Medellín")[0]
	if !overlaps(latam, medellin) || !overlaps(co, medellin) || overlaps(eu, medellin) || !overlaps(eu, pt.find("Stockholm")[0]) {
		t.Error("overlaps")
	}
}

func TestLanguageDetection(t *testing.T) {
	for text, want := range map[string]string{
		"We are looking for an engineer who will build our platform with the team.":                        "en",
		"Wir suchen eine erfahrene Entwicklerin für unser Team und du arbeitest mit uns an der Plattform.": "de",
		"Vi söker en produktdesigner till vårt team och du kommer att arbeta med oss på kontoret.":         "sv",
		"Buscamos un ingeniero para nuestro equipo de datos y trabajo con la plataforma de la empresa.":    "es",
		"私たちは物流のスタートアップです。エンジニアを募集しています。":                                                                  "ja",
		"한빛은 교육 스타트업입니다. 프론트엔드 개발자를 찾습니다.":                                                                 "ko",
		"Go, PostgreSQL, Kubernetes": "",
	} {
		var c langCounter
		for _, tk := range appendTokens(nil, text) {
			c.count(tk, lexicon[tk.s].stop)
		}
		if got := c.language(); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	req := map[string]bool{}
	requiredLanguages("Fluent German and English. Spanish is a plus; French nice to have", false, req)
	if !req["de"] || !req["en"] || req["es"] || req["fr"] {
		t.Errorf("required %v", req)
	}
}

func TestYearsAndLevels(t *testing.T) {
	for text, want := range map[string]int{
		"5+ years of experience": 5, "2-4 years": 2, "at least five years": 5, "mindestens 3 Jahre": 3,
		"minst fem års erfarenhet": 5, "founded 10 years ago": -1, "12-week internship": -1,
	} {
		ts := appendTokens(nil, text)
		got := -1
		for i, tk := range ts {
			if yearsWords[tk.s] {
				got = yearsAt(ts, i)
				break
			}
		}
		if got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
	if l := titleLevels(titleTokens("Chief of Staff"), nil); l != 0 {
		t.Errorf("Chief of Staff has levels %b", l)
	}
	if l := titleLevels(titleTokens("Member of Technical Staff"), nil); l != 0 {
		t.Errorf("Member of Technical Staff has levels %b", l)
	}
	if l := titleLevels(titleTokens("Software Engineer II"), nil); l != 1<<levelMid {
		t.Errorf("Engineer II: %b", l)
	}
}
