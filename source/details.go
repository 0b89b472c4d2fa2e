package source

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot"
)

// Work mode, regions and employment type as boards and comments write them:
// "Remote (USA)", "Remote - Europe", "US Remote", "Hybrid - London",
// "Onsite in NYC", "San Francisco or Remote", "No remote"; "Full-time",
// "FullTime", "Contract", "Intern".

var (
	remoteRe = regexp.MustCompile(`(?i)(?:\b(?:fully|100%)[\s-]+)?\b(?:remote|wfh|work\s+from\s+home|anywhere)(?:[\s-]+(?:first|friendly|ok|only|optional|possible|allowed))?\b`)
	noRemote = regexp.MustCompile(`(?i)\b(?:no|not|non)[\s-]+remote\b|\bremote\s+(?:not\s+(?:possible|available|allowed)|no)\b`)
	hybridRe = regexp.MustCompile(`(?i)\bhybrid\b`)
	onsiteRe = regexp.MustCompile(`(?i)\b(?:on[\s-]?site|in[\s-]office|in[\s-]person|office[\s-]based)\b`)
	// A region attached to "remote": "(USA)", " - Europe", ", EU", " in
	// Canada", ": US only", or before it: "US Remote", "EU-remote".
	regionParenRe = regexp.MustCompile(`^\s*\(([^()]*)\)`)
	regionLinkRe  = regexp.MustCompile(`(?i)^\s*(?:[-–—:,]|\bin\b|\bfrom\b|\bwithin\b)\s*`)
	regionStopRe  = regexp.MustCompile(`(?i)\bor\b|\band\b|[|;/&(]`)
	regionBefore  = regexp.MustCompile(`(?:^|[,(|;]\s*)([A-Za-z][A-Za-z .]{0,30}?)[\s-]+$`)
	placeSplitRe  = regexp.MustCompile(`(?i)\s*(?:;|\||\s/\s|/|\bor\b|\band\b|&|\+)\s*`)
	regionSplitRe = regexp.MustCompile(`(?i)\s*(?:,|/|\bor\b|\band\b|&|\+)\s*`)
	fillerWordsRe = regexp.MustCompile(`(?i)\b(?:only|ok|preferred|based|timezones?|time\s+zones?|tz|friendly|possible|also|in|from|within)\b`)
)

// placeInfo is what a location or work-mode text says.
type placeInfo struct {
	mode    string   // jobpilot.WorkOnsite, WorkHybrid, WorkRemote or ""
	regions []string // where remote work may be done from
	places  []string // the places named besides the work mode
}

// readPlace reads a location or work-mode text.
func readPlace(s string) placeInfo {
	var pi placeInfo
	rest := s
	if loc := noRemote.FindStringIndex(rest); loc != nil {
		pi.mode = jobpilot.WorkOnsite
		rest = rest[:loc[0]] + " " + rest[loc[1]:]
	} else if loc := remoteRe.FindStringIndex(rest); loc != nil {
		pi.mode = jobpilot.WorkRemote
		var before, after string
		pi.regions, before, after = remoteRegions(rest[:loc[0]], rest[loc[1]:])
		rest = before + " ; " + after
	}
	if loc := hybridRe.FindStringIndex(rest); loc != nil {
		if pi.mode != jobpilot.WorkRemote {
			pi.mode = jobpilot.WorkHybrid
		}
		rest = rest[:loc[0]] + " " + rest[loc[1]:]
	}
	if loc := onsiteRe.FindStringIndex(rest); loc != nil {
		if pi.mode == "" {
			pi.mode = jobpilot.WorkOnsite
		}
		rest = rest[:loc[0]] + " " + rest[loc[1]:]
	}
	for _, p := range placeSplitRe.Split(rest, -1) {
		if p = tidyPlace(p); p != "" {
			pi.places = append(pi.places, p)
		}
	}
	return pi
}

// remoteRegions takes the regions attached to a "remote" out of the text
// around it: a parenthesis or a linked phrase after it ("Remote (USA)",
// "Remote - Europe", "Remote in Canada"), else a name right before it ("US
// Remote"). A place joined by "or", "and", "/" or "&" is an alternative
// place, not a region ("Berlin or Remote").
func remoteRegions(before, after string) (regions []string, restBefore, restAfter string) {
	if m := regionParenRe.FindStringSubmatchIndex(after); m != nil {
		return splitRegions(after[m[2]:m[3]]), before, after[m[1]:]
	}
	if m := regionLinkRe.FindStringIndex(after); m != nil {
		tail := after[m[1]:]
		end := len(tail)
		if stop := regionStopRe.FindStringIndex(tail); stop != nil {
			end = stop[0]
		}
		if r := splitRegions(tail[:end]); len(r) > 0 || remoteRe.MatchString(tail[:end]) {
			return r, before, tail[end:] // "Fully remote, anywhere": no region
		}
	}
	if m := regionBefore.FindStringSubmatchIndex(before); m != nil {
		words := strings.Fields(strings.ToLower(before[m[2]:m[3]]))
		if last := words[len(words)-1]; last != "or" && last != "and" && last != "also" {
			return splitRegions(before[m[2]:m[3]]), before[:m[2]], after
		}
	}
	return nil, before, after
}

func splitRegions(s string) []string {
	var out []string
	for _, r := range regionSplitRe.Split(s, -1) {
		switch strings.ToLower(strings.TrimSpace(r)) {
		case "anywhere", "worldwide", "global", "globally", "everywhere", "international":
			continue // no restriction is not a region
		}
		if r = tidyPlace(r); r != "" && len(out) < jobpilot.MaxRemoteRegions {
			out = append(out, r)
		}
	}
	return out
}

// tidyPlace drops filler words and stray punctuation around a place name.
func tidyPlace(s string) string {
	s = fillerWordsRe.ReplaceAllString(s, " ")
	s = strings.Trim(oneLine(s), " -–—:,.()[]!?*'\"")
	if len(s) > 100 || !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return s
}

// employmentOf reads an employment type: "Full-time", "FullTime", "Full
// Time", "FT", "Part-time", "Contract", "Freelance", "Intern",
// "Internship", "Temporary"; "" for anything else.
func employmentOf(s string) string {
	w := strings.Join(lowerWords(strings.ReplaceAll(s, "-", " ")), " ")
	has := func(words ...string) bool {
		for _, x := range words {
			if w == x || strings.HasPrefix(w, x+" ") || strings.HasSuffix(w, " "+x) || strings.Contains(w, " "+x+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("full time", "fulltime", "ft", "permanent", "perm"):
		return jobpilot.EmploymentFullTime
	case has("part time", "parttime", "pt"):
		return jobpilot.EmploymentPartTime
	case has("contract", "contractor", "freelance", "freelancer", "c2c", "1099", "consulting"):
		return jobpilot.EmploymentContract
	case has("intern", "internship", "interns", "co op", "coop"):
		return jobpilot.EmploymentInternship
	case has("temporary", "temp", "seasonal", "fixed term"):
		return jobpilot.EmploymentTemporary
	}
	return ""
}

// modeFromWorkplace maps the boards' workplace types ("on-site", "OnSite",
// "remote", "Remote", "hybrid", "Hybrid", "unspecified") to a work mode.
func modeFromWorkplace(s string) string {
	switch strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s)) {
	case "onsite", "inoffice", "office":
		return jobpilot.WorkOnsite
	case "hybrid":
		return jobpilot.WorkHybrid
	case "remote":
		return jobpilot.WorkRemote
	}
	return ""
}

// fillPlaces sets a board posting's work mode (the board's own workplace
// type first, else what its locations say) and the regions its remote
// locations name.
func fillPlaces(p *jobpilot.Posting, workplace string) {
	p.WorkMode = modeFromWorkplace(workplace)
	for _, l := range append([]string{p.Location}, p.Locations...) {
		pi := readPlace(l)
		if p.WorkMode == "" {
			p.WorkMode = pi.mode
		}
		if pi.mode == jobpilot.WorkRemote {
			p.Remote = true
			p.RemoteRegions = append(p.RemoteRegions, pi.regions...)
		}
	}
	if p.WorkMode == jobpilot.WorkRemote {
		p.Remote = true
	}
	if len(p.RemoteRegions) > jobpilot.MaxRemoteRegions {
		p.RemoteRegions = p.RemoteRegions[:jobpilot.MaxRemoteRegions]
	}
}

// boundedPlaces keeps at most jobpilot.MaxLocations places of one line each.
func boundedPlaces(in []string) []string {
	var out []string
	for _, l := range in {
		if l = boundedText(oneLine(l), 200); l != "" && len(out) < jobpilot.MaxLocations {
			out = append(out, l)
		}
	}
	return out
}

// maxTitleBytes bounds a board's company and title: hostile or broken
// boards send anything.
const maxTitleBytes = 300

// stripNUL removes NUL bytes from a posting's text.
func stripNUL(p *jobpilot.Posting) {
	for _, f := range []*string{&p.ExternalID, &p.Company, &p.Title, &p.Location, &p.Description, &p.URL, &p.ApplyURL,
		&p.ContactEmail, &p.WorkMode, &p.EmploymentType} {
		*f = strings.ReplaceAll(*f, "\x00", "")
	}
	for _, l := range [][]string{p.Locations, p.RemoteRegions, p.Roles} {
		for i := range l {
			l[i] = strings.ReplaceAll(l[i], "\x00", "")
		}
	}
	if p.Pay != nil {
		p.Pay.Text = strings.ReplaceAll(p.Pay.Text, "\x00", "")
		p.Pay.Currency = strings.ReplaceAll(p.Pay.Currency, "\x00", "")
		p.Pay.Period = strings.ReplaceAll(p.Pay.Period, "\x00", "")
	}
}
