package jobpilot

import (
	"errors"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Profile is one candidate: their facts as a JSON Resume document and their
// job-search preferences. Everything a generated document may claim comes
// from Resume; see "Honest documents" in docs/design-notes.md.
type Profile struct {
	ID          int64       `json:"id"`
	Resume      Resume      `json:"resume"`
	Preferences Preferences `json:"preferences"`
	// Example marks the fictional profile loaded on an empty database, so the
	// UI and the logs can say so.
	Example bool `json:"example,omitempty"`
	// Version increases on every replacement; applications remember the
	// version they were scored against, so a changed profile is re-scored.
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is the candidate's name.
func (p *Profile) Name() string { return p.Resume.Basics.Name }

// Validate checks the profile and returns an EINVALID *Error naming every
// offending field (as JSON paths), so that one round of fixes is enough:
// Field is the first, Message lists them all.
func (p *Profile) Validate() error {
	v := &problems{}
	v.add(p.Resume.Validate())
	v.add(p.Preferences.Validate())
	return v.err()
}

// problems gathers validation errors so that all are reported at once.
type problems struct{ list []*Error }

// add keeps err's problems (an *Error from FieldError or another
// problems.err); nil adds nothing.
func (v *problems) add(err error) {
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: EINVALID, Message: err.Error()}
	}
	if e.more != nil {
		v.list = append(v.list, e.more...)
		return
	}
	v.list = append(v.list, e)
}

// err is nil, the one problem, or one EINVALID error naming the first
// field and listing every problem in its message.
func (v *problems) err() error {
	switch len(v.list) {
	case 0:
		return nil
	case 1:
		return v.list[0]
	}
	first := v.list[0]
	parts := []string{first.Message}
	for _, e := range v.list[1:] {
		parts = append(parts, e.Error())
	}
	return &Error{Code: EINVALID, Field: first.Field, Message: strings.Join(parts, "; "), more: v.list}
}

// ApplyMode says whether prepared applications wait for the candidate.
type ApplyMode string

const (
	// ApplyReview prepares applications and waits for the candidate's approval.
	ApplyReview ApplyMode = "review"
	// ApplyDirect sends applications to postings with a contact email
	// automatically, within the daily cap.
	ApplyDirect ApplyMode = "direct"
)

// Remote preferences.
const (
	RemoteAny    = "any"    // remote or on-site, both fine
	RemoteOnly   = "only"   // remote postings only
	RemoteOnsite = "onsite" // on-site postings only
)

// Preferences steer matching and applying. Every field is optional: a
// profile without preferences is matched on its resume alone, with the
// defaults named below.
type Preferences struct {
	// Keywords the candidate wants to see in a posting (skills, domains).
	Keywords []string `json:"keywords,omitempty"`
	// TargetTitles are the roles sought, e.g. "Backend Engineer". They decide
	// the role families the candidate is matched on; without them the most
	// recent positions do.
	TargetTitles []string `json:"target_titles,omitempty"`
	// Locations acceptable for on-site or hybrid work (cities, regions or
	// countries; "NYC" and "New York" are one place). Empty means the city
	// the candidate lives in.
	Locations []string `json:"locations,omitempty"`
	// Remote is RemoteAny (default), RemoteOnly or RemoteOnsite.
	Remote string `json:"remote,omitempty"`
	// MinScore is the threshold below which an application is skipped
	// (0–100). Unset (null or absent) means DefaultMinScore; an explicit 0
	// lets every posting through.
	MinScore *int `json:"min_score,omitempty"`
	// ExcludedCompanies are never applied to.
	ExcludedCompanies []string `json:"excluded_companies,omitempty"`
	// ExcludedKeywords in a posting count strongly against it.
	ExcludedKeywords []string `json:"excluded_keywords,omitempty"`
	// Seniority words the candidate targets, e.g. "senior", "staff"; read
	// as TargetLevel when that is empty.
	Seniority []string `json:"seniority,omitempty"`
	// TargetLevel is the seniority sought: one of Levels ("intern", "junior",
	// "mid", "senior", "staff" for staff and principal, "manager" for
	// managers and directors). Empty means the level of Seniority, else the
	// one the resume's work history shows.
	TargetLevel string `json:"target_level,omitempty"`
	// TargetFamilies name the role families sought ("backend", "data
	// engineering", …) when the target titles do not say it well enough.
	TargetFamilies []string `json:"target_families,omitempty"`
	// ExcludedFamilies are role families never wanted ("engineering
	// management", "sales"): postings of those families are excluded like
	// an excluded company.
	ExcludedFamilies []string `json:"excluded_families,omitempty"`
	// RoleFamilies add families to the built-in table, or words to a
	// built-in family of the same name.
	RoleFamilies []RoleFamily `json:"role_families,omitempty"`
	// LivesIn is where the candidate lives, "City, Country" or a country
	// ("Medellín, Colombia", "SE"). Empty means resume.basics.location.
	LivesIn string `json:"lives_in,omitempty"`
	// WorkRegions are the countries or regions the candidate may work in or
	// for, as allowed by their citizenship or visa ("US", "EU", "LatAm",
	// "Germany"). Empty means the country they live in (and the EU for an
	// EU country's resident).
	WorkRegions []string `json:"work_regions,omitempty"`
	// Relocate says the candidate would move for an on-site job anywhere in
	// WorkRegions; without it on-site jobs count only in Locations.
	Relocate bool `json:"relocate,omitempty"`
	// DailyCap bounds the applications sent per day in direct mode (default 10).
	DailyCap int `json:"daily_cap,omitempty"`
	// ApplyMode overrides the service-wide APPLY_MODE for this profile when set.
	ApplyMode ApplyMode `json:"apply_mode,omitempty"`
}

// RoleFamily is a user's addition to the matcher's table of role families.
// Titles are phrases that name the role in a job title ("technical
// writer"); Keywords are words of a description or skills that point to it;
// Adjacent names families a candidate of this one could move to.
type RoleFamily struct {
	Name     string   `json:"name"`
	Titles   []string `json:"titles,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
	Adjacent []string `json:"adjacent,omitempty"`
}

// FamilyNames are the built-in role families (match/families.json holds
// what each one means); preferences name them, or families of their own
// defined in RoleFamilies. Case, spaces and hyphens do not matter.
var FamilyNames = []string{
	"backend", "frontend", "full-stack", "mobile", "data engineering", "data science", "infrastructure",
	"security", "qa", "embedded", "design", "product", "engineering management", "sales", "support",
	"marketing", "operations", "other",
}

// foldFamily folds a family name for comparison: "Data-Engineering" is
// "data engineering".
func foldFamily(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '/' })
	return strings.Join(f, " ")
}

// validFamilies checks that every name is a built-in family or one of the
// profile's own.
func (p Preferences) validFamilies(field string, names []string) error {
	if err := validNames(field, names); err != nil {
		return err
	}
	for i, n := range names {
		known := slices.ContainsFunc(FamilyNames, func(f string) bool { return foldFamily(f) == foldFamily(n) }) ||
			slices.ContainsFunc(p.RoleFamilies, func(f RoleFamily) bool { return foldFamily(f.Name) == foldFamily(n) })
		if !known {
			return FieldError(field+"["+strconv.Itoa(i)+"]", "unknown role family %q: one of %s, or a name from role_families", n, strings.Join(FamilyNames, ", "))
		}
	}
	return nil
}

// Levels are the seniority levels a posting and a candidate are compared on,
// from the most junior. "staff" covers staff and principal, "manager" covers
// managers, heads and directors.
var Levels = []string{"intern", "junior", "mid", "senior", "staff", "manager"}

// DefaultDailyCap is the number of applications sent per profile per day in
// direct mode when the profile does not say.
const DefaultDailyCap = 10

// DefaultMinScore is the threshold of a profile that sets no min_score: a
// posting must match on role, level and where the candidate can work to
// reach it, so an unrelated job is never drafted for a new user.
const DefaultMinScore = 60

// EffectiveDailyCap returns DailyCap or its default.
func (p Preferences) EffectiveDailyCap() int {
	if p.DailyCap <= 0 {
		return DefaultDailyCap
	}
	return p.DailyCap
}

// SaysWhatIsSought reports whether the preferences name what the candidate
// looks for (target titles, target families or keywords). Direct mode needs
// it: without, every posting above the minimum score would be emailed on
// the resume's word alone.
func (p Preferences) SaysWhatIsSought() bool {
	return len(p.TargetTitles)+len(p.TargetFamilies)+len(p.Keywords) > 0
}

// EffectiveMinScore returns MinScore or, when it is unset, DefaultMinScore.
func (p Preferences) EffectiveMinScore() int {
	if p.MinScore == nil {
		return DefaultMinScore
	}
	return *p.MinScore
}

// Validate checks the preferences.
func (p Preferences) Validate() error {
	v := &problems{}
	switch p.Remote {
	case "", RemoteAny, RemoteOnly, RemoteOnsite:
	default:
		v.add(FieldError("preferences.remote", "must be one of any, only, onsite"))
	}
	if p.MinScore != nil && (*p.MinScore < 0 || *p.MinScore > 100) {
		v.add(FieldError("preferences.min_score", "must be between 0 and 100"))
	}
	if p.DailyCap < 0 {
		v.add(FieldError("preferences.daily_cap", "must be >= 0"))
	}
	switch p.ApplyMode {
	case "", ApplyReview, ApplyDirect:
	default:
		v.add(FieldError("preferences.apply_mode", "must be review or direct"))
	}
	if p.TargetLevel != "" && !slices.Contains(Levels, p.TargetLevel) {
		v.add(FieldError("preferences.target_level", "must be one of %s", strings.Join(Levels, ", ")))
	}
	v.add(validNames("preferences.work_regions", p.WorkRegions))
	if len(p.LivesIn) > maxPreferenceLen {
		v.add(FieldError("preferences.lives_in", "must be at most %d characters", maxPreferenceLen))
	}
	for i, f := range p.RoleFamilies {
		path := fieldPath("preferences.role_families", i, "")
		if strings.TrimSpace(f.Name) == "" || len(f.Name) > maxPreferenceLen {
			v.add(FieldError(path+"name", "is required, at most %d characters", maxPreferenceLen))
		}
		if len(f.Titles)+len(f.Keywords)+len(f.Adjacent) == 0 {
			v.add(FieldError(path+"titles", "a role family needs titles, keywords or adjacent families"))
		}
		for _, l := range []struct {
			name string
			list []string
		}{{"titles", f.Titles}, {"keywords", f.Keywords}} {
			v.add(validNames(path+l.name, l.list))
		}
		v.add(p.validFamilies(path+"adjacent", f.Adjacent))
	}
	v.add(p.validFamilies("preferences.target_families", p.TargetFamilies))
	v.add(p.validFamilies("preferences.excluded_families", p.ExcludedFamilies))
	return v.err()
}

// maxPreferenceLen bounds one name or phrase of the preferences.
const maxPreferenceLen = 100

// validNames checks a list of short names: none empty, none too long.
func validNames(field string, names []string) error {
	for i, n := range names {
		if strings.TrimSpace(n) == "" || len(n) > maxPreferenceLen {
			return FieldError(field+"["+strconv.Itoa(i)+"]", "must be a non-empty name of at most %d characters", maxPreferenceLen)
		}
	}
	return nil
}

// Resume is a JSON Resume document (https://jsonresume.org/schema), the
// sections jobpilot uses. Dates are the schema's ISO 8601 strings
// ("2021-04", "2021-04-01"); an empty EndDate means "present".
type Resume struct {
	Basics       Basics        `json:"basics"`
	Work         []Work        `json:"work,omitempty"`
	Volunteer    []Work        `json:"volunteer,omitempty"`
	Education    []Education   `json:"education,omitempty"`
	Awards       []Award       `json:"awards,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
	Publications []Publication `json:"publications,omitempty"`
	Skills       []Skill       `json:"skills,omitempty"`
	Languages    []Language    `json:"languages,omitempty"`
	Interests    []Interest    `json:"interests,omitempty"`
	Projects     []Project     `json:"projects,omitempty"`
}

// Basics is the JSON Resume header.
type Basics struct {
	Name     string          `json:"name"`
	Label    string          `json:"label,omitempty"`
	Image    string          `json:"image,omitempty"`
	Email    string          `json:"email,omitempty"`
	Phone    string          `json:"phone,omitempty"`
	URL      string          `json:"url,omitempty"`
	Summary  string          `json:"summary,omitempty"`
	Location Location        `json:"location,omitempty"`
	Profiles []SocialProfile `json:"profiles,omitempty"`
}

// Location is where the candidate lives.
type Location struct {
	Address     string `json:"address,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	City        string `json:"city,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
	Region      string `json:"region,omitempty"`
}

// SocialProfile is a link to a network profile.
type SocialProfile struct {
	Network  string `json:"network,omitempty"`
	Username string `json:"username,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Work is one position (also used for volunteering).
type Work struct {
	Name        string   `json:"name"` // employer
	Position    string   `json:"position,omitempty"`
	Location    string   `json:"location,omitempty"`
	URL         string   `json:"url,omitempty"`
	StartDate   string   `json:"startDate,omitempty"`
	EndDate     string   `json:"endDate,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Highlights  []string `json:"highlights,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Education is one degree or course of study.
type Education struct {
	Institution string   `json:"institution"`
	URL         string   `json:"url,omitempty"`
	Area        string   `json:"area,omitempty"`
	StudyType   string   `json:"studyType,omitempty"` // the degree, e.g. "Bachelor"
	StartDate   string   `json:"startDate,omitempty"`
	EndDate     string   `json:"endDate,omitempty"`
	Score       string   `json:"score,omitempty"`
	Courses     []string `json:"courses,omitempty"`
}

// Award is a prize or honour.
type Award struct {
	Title   string `json:"title"`
	Date    string `json:"date,omitempty"`
	Awarder string `json:"awarder,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// Certificate is a professional certification.
type Certificate struct {
	Name   string `json:"name"`
	Date   string `json:"date,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Publication is a published work.
type Publication struct {
	Name        string `json:"name"`
	Publisher   string `json:"publisher,omitempty"`
	ReleaseDate string `json:"releaseDate,omitempty"`
	URL         string `json:"url,omitempty"`
	Summary     string `json:"summary,omitempty"`
}

// Skill is a group of skills, e.g. {"name":"Backend","keywords":["Go","PostgreSQL"]}.
type Skill struct {
	Name     string   `json:"name"`
	Level    string   `json:"level,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
}

// Language is a spoken language.
type Language struct {
	Language string `json:"language"`
	Fluency  string `json:"fluency,omitempty"`
}

// Interest is a personal interest.
type Interest struct {
	Name     string   `json:"name"`
	Keywords []string `json:"keywords,omitempty"`
}

// Project is a side or work project.
type Project struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Highlights  []string `json:"highlights,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	StartDate   string   `json:"startDate,omitempty"`
	EndDate     string   `json:"endDate,omitempty"`
	URL         string   `json:"url,omitempty"`
	Roles       []string `json:"roles,omitempty"`
}

// Validate checks what jobpilot relies on: a name, a valid email if given,
// named employers, institutions and skills, and well-formed dates.
func (r *Resume) Validate() error {
	v := &problems{}
	if strings.TrimSpace(r.Basics.Name) == "" {
		v.add(FieldError("resume.basics.name", "is required"))
	}
	// The name and the email end up in email headers: one line each.
	if strings.ContainsAny(r.Basics.Name, "\r\n") {
		v.add(FieldError("resume.basics.name", "must be a single line"))
	}
	if r.Basics.Email != "" {
		if _, err := mail.ParseAddress(r.Basics.Email); err != nil {
			v.add(FieldError("resume.basics.email", "is not a valid email address"))
		}
	}
	for i, w := range r.Work {
		f := func(s string) string { return fieldPath("resume.work", i, s) }
		if strings.TrimSpace(w.Name) == "" {
			v.add(FieldError(f("name"), "is required"))
		}
		v.add(validDate(f("startDate"), w.StartDate))
		v.add(validDate(f("endDate"), w.EndDate))
	}
	for i, e := range r.Education {
		f := func(s string) string { return fieldPath("resume.education", i, s) }
		if strings.TrimSpace(e.Institution) == "" {
			v.add(FieldError(f("institution"), "is required"))
		}
		v.add(validDate(f("startDate"), e.StartDate))
		v.add(validDate(f("endDate"), e.EndDate))
	}
	for i, s := range r.Skills {
		if strings.TrimSpace(s.Name) == "" && len(s.Keywords) == 0 {
			v.add(FieldError(fieldPath("resume.skills", i, "name"), "is required"))
		}
	}
	for i, p := range r.Projects {
		if strings.TrimSpace(p.Name) == "" {
			v.add(FieldError(fieldPath("resume.projects", i, "name"), "is required"))
		}
	}
	for i, c := range r.Certificates {
		if strings.TrimSpace(c.Name) == "" {
			v.add(FieldError(fieldPath("resume.certificates", i, "name"), "is required"))
		}
	}
	return v.err()
}

// SkillNames returns every skill the resume names: skill group names and
// their keywords, in document order, without duplicates.
func (r *Resume) SkillNames() []string {
	var u uniqueList
	for _, s := range r.Skills {
		u.add(s.Name)
		u.add(s.Keywords...)
	}
	return u.items
}

// SkillList returns the skills themselves, in document order, without
// duplicates: a group's keywords ({"name":"Data","keywords":["PostgreSQL"]}
// gives PostgreSQL, not Data), or the name of a skill listed without keywords
// ({"name":"Go","level":"Expert"} gives Go).
func (r *Resume) SkillList() []string {
	var u uniqueList
	for _, s := range r.Skills {
		if len(s.Keywords) == 0 {
			u.add(s.Name)
		}
		u.add(s.Keywords...)
	}
	return u.items
}

// uniqueList collects trimmed, non-empty strings in order, dropping
// case-insensitive repeats.
type uniqueList struct {
	seen  map[string]bool
	items []string
}

func (u *uniqueList) add(ss ...string) {
	for _, s := range ss {
		s = strings.TrimSpace(s)
		k := strings.ToLower(s)
		if s == "" || u.seen[k] {
			continue
		}
		if u.seen == nil {
			u.seen = map[string]bool{}
		}
		u.seen[k] = true
		u.items = append(u.items, s)
	}
}

func fieldPath(prefix string, i int, name string) string {
	return prefix + "[" + strconv.Itoa(i) + "]." + name
}

// validDate accepts the JSON Resume date forms: YYYY, YYYY-MM, YYYY-MM-DD, or
// empty.
func validDate(field, s string) error {
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return FieldError(field, "must be a date as YYYY, YYYY-MM or YYYY-MM-DD, got %q", s)
}
