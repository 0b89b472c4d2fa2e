package jobpilot

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Posting is a normalised job posting. It is unique per (Source, ExternalID);
// the same job listed in several cities or by several sources shares a
// Fingerprint, and a candidate gets at most one application per fingerprint.
type Posting struct {
	ID         int64  `json:"id"`
	Source     string `json:"source"`      // the configured source name, e.g. "greenhouse:acme"; "manual" for hand-added ones
	ExternalID string `json:"external_id"` // the board's own id
	Company    string `json:"company"`
	Title      string `json:"title"` // for a posting offering several roles, they are named here too
	// Roles are the roles of a posting that offers several (an HN comment
	// hiring for three jobs), so that a matcher can pick the best; empty
	// for a posting of one role.
	Roles    []string `json:"roles,omitempty"`
	Location string   `json:"location,omitempty"` // the primary location, as the board writes it
	// Locations are every place the job may be done from, Location first.
	Locations []string `json:"locations,omitempty"`
	// Remote means the job may be done remotely; it is true whenever WorkMode
	// is remote. A hybrid job is not remote.
	Remote bool `json:"remote"`
	// WorkMode is onsite, hybrid or remote (WorkOnsite …), "" when the
	// posting does not say; RemoteRegions are where a remote job may be done
	// from ("US", "Europe"), empty when it does not say.
	WorkMode       string    `json:"work_mode,omitempty"`
	RemoteRegions  []string  `json:"remote_regions,omitempty"`
	EmploymentType string    `json:"employment_type,omitempty"` // full_time, part_time, contract, internship, temporary or ""
	Pay            *Pay      `json:"pay,omitempty"`
	Description    string    `json:"description,omitempty"` // plain text
	URL            string    `json:"url,omitempty"`
	ApplyURL       string    `json:"apply_url,omitempty"`
	ContactEmail   string    `json:"contact_email,omitempty"`
	PublishedAt    time.Time `json:"published_at,omitempty"`
	// Fingerprint identifies the job across cities and sources; see
	// PostingFingerprint.
	Fingerprint string `json:"fingerprint"`
	// ContentHash changes when any user-visible field changes; it decides
	// whether an upsert is an update and whether a skipped application is
	// re-scored.
	ContentHash string     `json:"content_hash"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"` // set when the posting disappeared from its board
	Example     bool       `json:"example,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Validate checks the fields every posting needs.
func (p *Posting) Validate() error {
	switch {
	case strings.TrimSpace(p.Source) == "":
		return FieldError("source", "is required")
	case strings.TrimSpace(p.ExternalID) == "":
		return FieldError("external_id", "is required")
	case strings.TrimSpace(p.Company) == "":
		return FieldError("company", "is required")
	case strings.TrimSpace(p.Title) == "":
		return FieldError("title", "is required")
	}
	if p.ContactEmail != "" && !validEmail(p.ContactEmail) {
		return FieldError("contact_email", "is not a valid email address")
	}
	if strings.ContainsAny(p.Company+p.Title, "\r\n") {
		return FieldError("title", "must be a single line")
	}
	if field := p.fieldWithNUL(); field != "" {
		// PostgreSQL refuses NUL in text; no field of a posting needs one.
		return FieldError(field, "must not contain NUL bytes")
	}
	return p.validateDetails()
}

// fieldWithNUL names the first text field holding a NUL byte, or "".
func (p *Posting) fieldWithNUL() string {
	fields := []struct{ name, v string }{{"source", p.Source}, {"external_id", p.ExternalID}, {"company", p.Company},
		{"title", p.Title}, {"location", p.Location}, {"description", p.Description}, {"url", p.URL},
		{"apply_url", p.ApplyURL}, {"contact_email", p.ContactEmail}, {"work_mode", p.WorkMode},
		{"employment_type", p.EmploymentType}}
	for _, f := range fields {
		if strings.IndexByte(f.v, 0) >= 0 {
			return f.name
		}
	}
	for _, l := range append(append(append([]string(nil), p.Locations...), p.RemoteRegions...), p.Roles...) {
		if strings.IndexByte(l, 0) >= 0 {
			return "locations"
		}
	}
	if p.Pay != nil && strings.IndexByte(p.Pay.Currency+p.Pay.Period+p.Pay.Text, 0) >= 0 {
		return "pay"
	}
	return ""
}

// Normalize tidies the fields (see normalizeDetails) and fills Fingerprint
// and ContentHash from them.
func (p *Posting) Normalize() {
	p.Company = strings.TrimSpace(p.Company)
	p.Title = strings.TrimSpace(p.Title)
	p.Location = strings.TrimSpace(p.Location)
	p.ContactEmail = strings.TrimSpace(p.ContactEmail)
	p.normalizeDetails()
	p.Fingerprint = PostingFingerprint(p.Company, p.Title, p.Description)
	// The detail fields join the hash only when they say something the
	// older fields did not, so postings stored before them keep their hash.
	p.ContentHash = hashParts(append([]string{p.Company, p.Title, p.Location, boolString(p.Remote), p.Description,
		p.URL, p.ApplyURL, p.ContactEmail}, p.detailParts()...)...)
}

// PostingFingerprint identifies a job independently of where it is listed:
// company, title and description, case-folded with punctuation and spacing
// removed. The same role posted for Berlin and for Lisbon, or found on two
// boards, gets the same fingerprint. The location is deliberately left out,
// and so are link targets written into the description in parentheses
// ("EEO Policy (https://…)", "our team (jobs@…)"): one board keeps them, a
// plain-text feed of the same job does not, and a posting stored before
// they were kept must keep its fingerprint.
func PostingFingerprint(company, title, description string) string {
	return hashParts(foldText(company), foldText(title), foldText(linkTargetRe.ReplaceAllString(description, "")))
}

// linkTargetRe matches a link target in parentheses: an http(s) URL or an
// email address with nothing else inside.
var linkTargetRe = regexp.MustCompile(`\((?:https?://[^\s()]+|[^\s()@]+@[^\s()]+)\)`)

// foldText keeps letters and digits only, lower-cased, so that whitespace,
// punctuation and markup differences between boards do not matter.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func hashParts(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// PostingFilter selects postings in Store.Postings.
type PostingFilter struct {
	Source     string
	Query      string // case-insensitive substring of company or title
	Remote     *bool
	OpenOnly   bool  // exclude closed postings
	HasEmail   *bool // contact email present or absent
	AfterID    int64 // keyset pagination: postings with ID > AfterID
	Limit      int   // 0 means the store's default (100)
	ExampleOff bool  // exclude example postings
}

// UpsertResult counts what one import did.
type UpsertResult struct {
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Closed    int `json:"closed"`
}
