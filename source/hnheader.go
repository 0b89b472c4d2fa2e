package source

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot"
)

// A "Who is hiring?" comment opens with a header line in one of a few
// shapes:
//
//	Acme | Senior Backend Engineer | Berlin | REMOTE (EU) | €90k–€120k
//	Acme — Backend Engineer — Remote (USA)
//	Acme - Staff SRE - NYC - Full-time
//	Founding Engineer @ Acme (San Francisco, ONSITE)
//	Acme is hiring a Senior Engineer (Remote, US)
//
// The fields come in any order and any number, so each is read by what it
// says rather than where it stands: a URL, a pay, an employment type, a work
// mode ("REMOTE (EU)", "Onsite in NYC"), a role (it has a role word:
// "Engineer", "Designer", "エンジニア"), a place. The company is the first
// field (or the one after "@"), the title the roles the header names.

// hnHeader is what a header line says.
type hnHeader struct {
	company    string
	websites   []string
	roles      []string
	places     []string
	mode       string
	remote     bool
	regions    []string
	employment string
	pay        *jobpilot.Pay
	unknown    []string // fields that are none of the above
}

// Bounds on header fields: a "company" longer than this is a sentence, not
// a name, and the line is not a header.
const (
	maxHeaderLine = 500
	maxCompany    = 80
	maxRoles      = 12
	maxTitle      = 200
)

var (
	pipeSepRe   = regexp.MustCompile(`\s*\|+\s*`)
	dashSepRe   = regexp.MustCompile(`\s+[—–]\s+|\s+--\s+`)
	hyphenSep   = regexp.MustCompile(`\s+-\s+`)
	bulletSepRe = regexp.MustCompile(`\s+[·•]\s+`)
	atSepField  = regexp.MustCompile(`\s+@\s+|\s+at\s+`)
	isHiringRe  = regexp.MustCompile(`(?i)^(.{1,80}?)\s+(?:is|are)\s+(?:now\s+)?hiring(?:\s+(?:a|an|for|multiple|several))?\s*[:\-–—]?\s*(.*)$`)
	parenRe     = regexp.MustCompile(`\(([^()]*)\)`)
	urlFieldRe  = regexp.MustCompile(`(?i)^(?:https?://|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?$`)
	roleSplit   = regexp.MustCompile(`\s*(?:,|;|/|&|\+|\band\b|\bor\b)\s*`)
	emailish    = regexp.MustCompile(`\S+@\S+\.\S+`)
)

// splitHeader cuts a header line into fields, or reports that it is not
// one (fewer than two fields).
func splitHeader(line string) []string {
	line = boundedText(strings.TrimSpace(line), maxHeaderLine)
	var fields []string
	switch {
	case strings.Contains(line, "|"):
		fields = pipeSepRe.Split(line, -1)
	case dashSepRe.MatchString(line):
		fields = dashSepRe.Split(line, -1)
	case hyphenSep.MatchString(line):
		fields = hyphenSep.Split(line, -1)
	case bulletSepRe.MatchString(line):
		fields = bulletSepRe.Split(line, -1)
	default:
		if m := isHiringRe.FindStringSubmatch(line); m != nil {
			fields = []string{m[1], m[2]}
		} else {
			fields = []string{line}
		}
	}
	// "Founding Engineer @ Acme (San Francisco, ONSITE)": the role is
	// before the "@", the company after it.
	if loc := atSepField.FindStringIndex(fields[0]); loc != nil && strings.Contains(fields[0][loc[0]:loc[1]], "@") && hasRoleWord(fields[0][:loc[0]]) {
		role, company := fields[0][:loc[0]], fields[0][loc[1]:]
		fields = append([]string{company, role}, fields[1:]...)
	}
	var out []string
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// findHeader finds the header among a comment's first lines: the first
// one, or the second after a line of prose that opens with the company's
// name ("Tyrell Labs, a 40-person robotics team in Berlin …" followed by
// "Senior Backend Engineer | Berlin | REMOTE (EU)"). rest is what follows
// the header.
func findHeader(lines []string) (h hnHeader, rest []string, ok bool) {
	var nonEmpty []int
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			nonEmpty = append(nonEmpty, i)
		}
		if len(nonEmpty) == 2 {
			break
		}
	}
	if len(nonEmpty) == 0 {
		return h, nil, false
	}
	if h, ok = parseHeader(lines[nonEmpty[0]], ""); ok {
		return h, lines[nonEmpty[0]+1:], true
	}
	if len(nonEmpty) < 2 {
		return h, nil, false
	}
	if name := preambleCompany(lines[nonEmpty[0]]); name != "" {
		if h, ok = parseHeader(lines[nonEmpty[1]], name); ok {
			return h, lines[nonEmpty[1]+1:], true
		}
	}
	return h, nil, false
}

// preambleCompany is the name a line of prose opens with, up to its first
// comma, verb or dash; "" when that is not a plausible name.
func preambleCompany(line string) string {
	line = boundedText(line, maxHeaderLine)
	if loc := preambleCut.FindStringIndex(line); loc != nil {
		line = line[:loc[0]]
	}
	name := cleanCompany(line)
	if !plausibleName(name) || len(strings.Fields(name)) > 5 || !startsUpper(name) || hasRoleWord(name) {
		return ""
	}
	return name
}

var preambleCut = regexp.MustCompile(`,|:|\(|\s[—–-]\s|\s(?:is|are|builds|build|makes|helps)\s`)

// parseHeader reads a header line; ok is false when the line is not one.
// company, when not empty, is the company a line before named, and the
// header's first field is one more field (a role).
func parseHeader(line, company string) (h hnHeader, ok bool) {
	fields := splitHeader(line)
	if fields == nil {
		return h, false
	}
	if company != "" && namesRole(fields[0]) {
		h.company = company
	} else {
		name, extra := splitParens(fields[0])
		h.company = cleanCompany(name)
		if !plausibleName(h.company) {
			return h, false
		}
		for _, e := range extra {
			h.field(e, true)
		}
		fields = fields[1:]
	}
	for _, f := range fields {
		h.fieldWithParens(f)
	}
	// With no role word anywhere, the first field that is not a place is
	// the title; every other unknown field is a place.
	var rest []string
	for _, u := range h.unknown {
		switch {
		case len(h.roles) == 0 && !placeLike(u) && plausibleName(u) && startsUpper(u):
			h.roles = []string{u}
		default:
			rest = append(rest, u)
		}
	}
	if len(h.roles) > 0 {
		h.places = append(h.places, rest...)
	}
	h.places = boundedPlaces(h.places)
	return h, true
}

// fieldWithParens reads a field, its parenthesised parts as fields of
// their own, unless they qualify a work mode ("Remote (USA)").
func (h *hnHeader) fieldWithParens(f string) {
	if remoteRe.MatchString(f) || hybridRe.MatchString(f) || onsiteRe.MatchString(f) || noRemote.MatchString(f) {
		if main, extra := splitParens(f); hasRoleWord(main) {
			h.field(main, false)
			for _, e := range extra {
				h.field(e, true)
			}
			return
		}
		h.field(f, false)
		return
	}
	main, extra := splitParens(f)
	var kept []string
	for _, e := range extra {
		if !h.field(e, true) {
			kept = append(kept, "("+e+")")
		}
	}
	if hasRoleWord(main) && len(kept) > 0 {
		// "Backend Developer (Go)": a qualifier that is nothing else stays
		// with the role.
		main += " " + strings.Join(kept, " ")
	}
	h.field(main, false)
}

// field classifies one field and reports whether it said anything. aside
// is true for a parenthesised part, which names a company's website or
// batch more often than a role, and is dropped when it is nothing else.
func (h *hnHeader) field(f string, aside bool) bool {
	f = strings.Trim(strings.TrimSpace(f), ",;:")
	switch {
	case f == "":
		return false
	case urlFieldRe.MatchString(f):
		h.websites = append(h.websites, f)
	case emailish.MatchString(f):
		// A contact address: findEmail reads it from the text.
	case h.pay == nil && parsePay(f) != nil:
		h.pay = parsePay(f)
	case employmentOf(f) != "" && !hasRoleWord(f):
		if h.employment == "" {
			h.employment = employmentOf(f)
		}
	case remoteRe.MatchString(f) || hybridRe.MatchString(f) || onsiteRe.MatchString(f) || noRemote.MatchString(f):
		h.mode2(readPlace(f))
	case junkRe.MatchString(f) && !hasRoleWord(f):
	case hasRoleWord(f) && !aside:
		h.addRoles(f)
	case placeLike(f):
		h.places = append(h.places, f)
	case !aside:
		h.unknown = append(h.unknown, f)
	default:
		return false
	}
	return true
}

// mode2 merges a work-mode field: remote allowed wins over hybrid, hybrid
// over onsite ("ONSITE | REMOTE" offers both).
func (h *hnHeader) mode2(pi placeInfo) {
	switch pi.mode {
	case jobpilot.WorkRemote:
		h.remote = true
		h.mode = jobpilot.WorkRemote
	case jobpilot.WorkHybrid:
		if h.mode != jobpilot.WorkRemote {
			h.mode = jobpilot.WorkHybrid
		}
	case jobpilot.WorkOnsite:
		if h.mode == "" {
			h.mode = jobpilot.WorkOnsite
		}
	}
	h.regions = append(h.regions, pi.regions...)
	h.places = append(h.places, pi.places...)
}

// addRoles adds the roles a field names: "Backend Engineer, Frontend
// Engineer & SRE" is three, "Senior Backend Engineer" one.
func (h *hnHeader) addRoles(f string) {
	parts := roleSplit.Split(f, -1)
	split := len(parts) > 1
	for _, p := range parts {
		if strings.TrimSpace(p) != "" && !hasRoleWord(p) {
			split = false // "Engineer, Platform" names one role
		}
	}
	if !split {
		parts = []string{f}
	}
	for _, p := range parts {
		if p = oneLine(p); p != "" && len(h.roles) < maxRoles {
			h.roles = append(h.roles, boundedText(p, 120))
		}
	}
}

// plausibleName reports whether a field can be a company or a title: a
// few words, no question, no sentence.
func plausibleName(s string) bool {
	return s != "" && len(s) <= maxCompany && len(strings.Fields(s)) <= 8 && !strings.ContainsAny(s, "?!") &&
		!strings.Contains(s, ". ")
}

func startsUpper(s string) bool {
	for _, r := range s {
		return !unicode.IsLower(r)
	}
	return false
}

// splitParens returns s without its parenthesised parts, and those parts.
func splitParens(s string) (string, []string) {
	var extra []string
	for _, m := range parenRe.FindAllStringSubmatch(s, 5) {
		extra = append(extra, m[1])
	}
	return strings.TrimSpace(parenRe.ReplaceAllString(s, " ")), extra
}

// cleanCompany tidies a company field: no URL scheme, no "is hiring", no
// trailing punctuation, one line.
func cleanCompany(s string) string {
	s = oneLine(s)
	for _, pre := range []string{"https://", "http://", "www."} {
		if strings.HasPrefix(strings.ToLower(s), pre) {
			s = s[len(pre):]
		}
	}
	s = strings.TrimSuffix(s, "/")
	return strings.Trim(s, " -–—:,;.")
}

// title names the header's roles: one role as it is, several joined, cut
// to maxTitle.
func titleOf(roles []string) string {
	t := ""
	for i, r := range roles {
		next := t
		if i > 0 {
			next += ", "
		}
		next += r
		if len(next) > maxTitle {
			break
		}
		t = next
	}
	return t
}

// bodyRoles reads the roles a multi-role comment lists below its header:
// short lines (bulleted or not) that name a job, "Roles: A, B, C" lists.
func bodyRoles(lines []string) []string {
	var roles []string
	for _, l := range lines {
		if len(roles) >= maxRoles {
			break
		}
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-*•·–—>0123456789.) "))
		if l == "" || len(l) > 160 || emailish.MatchString(l) {
			continue
		}
		if k, v, ok := strings.Cut(l, ":"); ok && genericRoleRe.MatchString(strings.TrimSpace(k)) {
			l = v // "Roles: Backend Engineer, Designer"
		} else if ok && strings.TrimSpace(v) == "" {
			continue // "We're hiring for several roles:" introduces the list
		} else if ok && namesRole(k) && !namesRole(v) {
			l = k // "Senior Engineer: https://acme.com/jobs/1"
		}
		l = strings.TrimSpace(urlFieldReAny.ReplaceAllString(l, ""))
		if l == "" || len(strings.Fields(l)) > 12 || !namesRole(l) || strings.HasSuffix(l, ".") || genericRoleRe.MatchString(l) {
			continue
		}
		var h hnHeader
		h.addRoles(l)
		roles = append(roles, h.roles...)
	}
	if len(roles) > maxRoles {
		roles = roles[:maxRoles]
	}
	return roles
}

var urlFieldReAny = regexp.MustCompile(`(?i)\(?\s*(?:https?://|www\.)\S+\s*\)?`)
