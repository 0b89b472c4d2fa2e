package jobpilot

import (
	"math"
	"strconv"
	"strings"
)

// Work modes: where the work is done. "" means the posting does not say.
const (
	WorkOnsite = "onsite"
	WorkHybrid = "hybrid"
	WorkRemote = "remote"
)

// Employment types. "" means the posting does not say.
const (
	EmploymentFullTime   = "full_time"
	EmploymentPartTime   = "part_time"
	EmploymentContract   = "contract"
	EmploymentInternship = "internship"
	EmploymentTemporary  = "temporary"
)

// Pay periods.
const (
	PayHour  = "hour"
	PayDay   = "day"
	PayWeek  = "week"
	PayMonth = "month"
	PayYear  = "year"
)

// Pay is what a posting says it pays, as given: amounts in the currency's
// major unit (150000, not 150k), per Period. Either bound may be missing
// ("up to $120k" has only Max). Text is the posting's own words
// ("$150K – $190K • Offers Equity"), kept even when no amount could be read
// from them.
type Pay struct {
	Min      float64 `json:"min,omitempty"`
	Max      float64 `json:"max,omitempty"`
	Currency string  `json:"currency,omitempty"` // ISO 4217, upper case: "USD", "EUR"
	Period   string  `json:"period,omitempty"`   // hour, day, week, month or year
	Text     string  `json:"text,omitempty"`
}

// Bounds of the posting's detail fields: a board that sends more is cut, a
// feed or API client that sends more is refused.
const (
	MaxLocations     = 50
	MaxRemoteRegions = 20
	MaxRoles         = 20
	maxPlace         = 200
	maxPayText       = 300
)

// IsZero reports whether p says nothing.
func (p *Pay) IsZero() bool { return p == nil || *p == Pay{} }

func (p *Pay) validate() error {
	switch {
	case math.IsNaN(p.Min) || math.IsInf(p.Min, 0) || math.IsNaN(p.Max) || math.IsInf(p.Max, 0) || p.Min < 0 || p.Max < 0:
		return FieldError("pay", "amounts must be finite and not negative")
	case p.Min > 0 && p.Max > 0 && p.Max < p.Min:
		return FieldError("pay.max", "must be >= pay.min (got %g < %g)", p.Max, p.Min)
	case p.Currency != "" && !isCurrencyCode(p.Currency):
		return FieldError("pay.currency", "must be an ISO 4217 code such as USD (got %q)", p.Currency)
	case !oneOf(p.Period, "", PayHour, PayDay, PayWeek, PayMonth, PayYear):
		return FieldError("pay.period", "must be hour, day, week, month or year (got %q)", p.Period)
	case len(p.Text) > maxPayText || strings.ContainsAny(p.Text, "\r\n"):
		return FieldError("pay.text", "must be a single line of at most %d bytes", maxPayText)
	}
	return nil
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// validateDetails checks the fields beyond the ones every posting has.
func (p *Posting) validateDetails() error {
	if !oneOf(p.WorkMode, "", WorkOnsite, WorkHybrid, WorkRemote) {
		return FieldError("work_mode", "must be onsite, hybrid or remote (got %q)", p.WorkMode)
	}
	if !oneOf(p.EmploymentType, "", EmploymentFullTime, EmploymentPartTime, EmploymentContract, EmploymentInternship, EmploymentTemporary) {
		return FieldError("employment_type", "must be full_time, part_time, contract, internship or temporary (got %q)", p.EmploymentType)
	}
	if err := checkPlaces("locations", p.Locations, MaxLocations); err != nil {
		return err
	}
	if err := checkPlaces("remote_regions", p.RemoteRegions, MaxRemoteRegions); err != nil {
		return err
	}
	if err := checkPlaces("roles", p.Roles, MaxRoles); err != nil {
		return err
	}
	if p.Pay != nil {
		return p.Pay.validate()
	}
	return nil
}

func checkPlaces(field string, places []string, limit int) error {
	if len(places) > limit {
		return FieldError(field, "has %d entries, at most %d allowed", len(places), limit)
	}
	for _, l := range places {
		if len(l) > maxPlace || strings.ContainsAny(l, "\r\n") {
			return FieldError(field, "entries must be single lines of at most %d bytes", maxPlace)
		}
	}
	return nil
}

// normalizeDetails tidies the detail fields: Locations holds Location first
// and no duplicates (any case), a remote work mode means remote is allowed
// (Remote) and a posting that only says Remote is in remote work mode, and
// an empty Pay is nil.
func (p *Posting) normalizeDetails() {
	p.WorkMode = strings.ToLower(strings.TrimSpace(p.WorkMode))
	p.EmploymentType = strings.ToLower(strings.TrimSpace(p.EmploymentType))
	if p.Location == "" && len(p.Locations) > 0 {
		p.Location = strings.TrimSpace(p.Locations[0])
	}
	if p.Location != "" {
		p.Locations = append([]string{p.Location}, p.Locations...)
	}
	p.Locations = uniqueFolded(p.Locations)
	p.RemoteRegions = uniqueFolded(p.RemoteRegions)
	p.Roles = uniqueFolded(p.Roles)
	switch {
	case p.WorkMode == WorkRemote:
		p.Remote = true
	case p.WorkMode == "" && p.Remote:
		p.WorkMode = WorkRemote
	}
	if p.Pay != nil {
		p.Pay.Currency = strings.ToUpper(strings.TrimSpace(p.Pay.Currency))
		p.Pay.Period = strings.ToLower(strings.TrimSpace(p.Pay.Period))
		p.Pay.Text = strings.TrimSpace(p.Pay.Text)
		if p.Pay.IsZero() {
			p.Pay = nil
		}
	}
}

// uniqueFolded trims the entries and drops empty ones and repeats (compared
// case-insensitively), keeping the first spelling; nil when none is left.
func uniqueFolded(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}

// detailParts is what the detail fields add to the content hash: nothing
// when they say no more than the fields postings had before them (one
// location, remote or not), so those postings keep their hash.
func (p *Posting) detailParts() []string {
	extraPlaces := len(p.Locations) > 1 || len(p.Locations) == 1 && p.Locations[0] != p.Location
	impliedMode := p.WorkMode == "" || p.WorkMode == WorkRemote && p.Remote
	if !extraPlaces && impliedMode && len(p.RemoteRegions) == 0 && p.EmploymentType == "" && p.Pay.IsZero() && len(p.Roles) == 0 {
		return nil
	}
	parts := []string{"details", strings.Join(p.Locations, "\x1f"), p.WorkMode, strings.Join(p.RemoteRegions, "\x1f"), p.EmploymentType,
		strings.Join(p.Roles, "\x1f")}
	if !p.Pay.IsZero() {
		parts = append(parts, p.Pay.Currency, p.Pay.Period, p.Pay.Text,
			formatAmount(p.Pay.Min), formatAmount(p.Pay.Max))
	}
	return parts
}

func formatAmount(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
