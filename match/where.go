package match

import (
	"strings"

	"github.com/jobpilot/jobpilot"
)

// where is what a posting says about where the work is done.
type where struct {
	onsite    []*place // the offices of an on-site or hybrid job
	onsiteRaw string   // the location as written, for sentences and unknown places
	hybrid    bool
	remote    bool
	regions   []*place // a remote job's regions; none means unrestricted or unknown
	worldwide bool
}

var (
	remoteWords    = map[string]bool{"remote": true, "remoto": true, "remota": true, "wfh": true, "distributed": true, "télétravail": true, "remotely": true}
	worldwideWords = map[string]bool{"worldwide": true, "anywhere": true, "global": true, "globally": true, "world": true}
	hybridWords    = map[string]bool{"hybrid": true, "híbrido": true, "hybride": true, "hybrida": true}
)

// parseWhere reads the work mode and places from the posting's locations
// (all of them, Location first), the work mode and remote regions its
// source read, and the text. A board's remote flag that the job's own
// location, work mode or text contradicts ("in-office role in Austin",
// "hybrid, three days in our NYC office") does not win.
func parseWhere(post *jobpilot.Posting, a *analysis) where {
	pt := places()
	var w where
	w.onsiteRaw = short(strings.TrimSpace(post.Location))
	if len(post.Locations) > 1 {
		w.onsiteRaw = short(strings.Join(post.Locations[:min(len(post.Locations), 3)], " or "))
	}
	for _, seg := range locationSegments(post) {
		ws := words(seg)
		isRemote, anywhere := false, false
		for _, x := range ws {
			isRemote = isRemote || remoteWords[x]
			anywhere = anywhere || worldwideWords[x]
			w.hybrid = w.hybrid || hybridWords[x]
		}
		found := pt.find(seg)
		switch {
		case isRemote || anywhere && len(found) == 0:
			w.remote = true
			w.regions = append(w.regions, found...)
			w.worldwide = w.worldwide || anywhere && len(found) == 0
		default:
			w.onsite = append(w.onsite, narrowest(found)...)
		}
	}
	if w.remote && len(w.onsite) == 0 {
		w.onsiteRaw = ""
	}
	w.hybrid = w.hybrid || a.hybridCue && !w.remote || post.WorkMode == jobpilot.WorkHybrid && !w.remote
	// The source read the job's own work mode (Lever and Ashby's
	// workplaceType, an HN header), not a board-wide flag. A remote job
	// that names offices keeps them: a candidate may work there too.
	remoteMode := post.WorkMode == jobpilot.WorkRemote && !w.remote
	w.remote = w.remote || post.WorkMode == jobpilot.WorkRemote
	if w.remote {
		for _, r := range post.RemoteRegions {
			w.regions = append(w.regions, pt.find(r)...)
		}
	}
	onsiteMode := post.WorkMode == jobpilot.WorkOnsite || post.WorkMode == jobpilot.WorkHybrid
	switch {
	case w.remote:
	case post.Remote && onsiteMode:
		// The job's own work mode says office; a board-wide flag does not win.
	case post.Remote && a.officeCue && !a.remoteCue:
		// The board says remote; the job's own text says office.
	case post.Remote && a.remoteCue && !a.officeCue, post.Remote && len(w.onsite) == 0:
		w.remote = true
	case post.Remote:
		// A remote flag on a job that names only its office's city: remote
		// within that country, the most the posting supports.
		w.remote = true
		for _, p := range w.onsite {
			if c := pt.byISO[p.country]; c != nil && p.kind != kindRegion {
				w.regions = append(w.regions, c)
			}
		}
		w.onsite = nil
	case w.onsiteRaw == "" && a.remoteCue && !a.officeCue:
		w.remote = true
	}
	if w.remote && len(w.regions) == 0 && !w.worldwide || !w.remote && len(w.onsite) == 0 && w.onsiteRaw == "" {
		restricted := restrictedPlaces(a.restrict)
		if w.remote {
			w.regions = restricted
		} else {
			w.onsite = restricted
		}
	}
	if remoteMode && len(w.regions) == 0 && !w.worldwide {
		// Remote, at an office, with no region said: remote within the
		// offices' countries, the most the posting supports.
		for _, p := range w.onsite {
			if c := pt.byISO[p.country]; c != nil && p.kind != kindRegion {
				w.regions = append(w.regions, c)
			}
		}
	}
	return w
}

// narrowest drops the places that only qualify another one: in
// "Göteborg, Sweden" the office is in Gothenburg, not anywhere in Sweden.
func narrowest(ps []*place) []*place {
	out := ps[:0:0]
	for _, p := range ps {
		qualifier := false
		for _, q := range ps {
			if q != p && q.kind < p.kind && overlaps(q, p) {
				qualifier = true
				break
			}
		}
		if !qualifier {
			out = append(out, p)
		}
	}
	return out
}

var orWords = []string{" or ", " o ", " oder ", " eller ", " ou "}

// locationSegments are the alternatives of every location of post:
// Locations (Location first) when the source read them, else Location.
func locationSegments(post *jobpilot.Posting) []string {
	locs := post.Locations
	if len(locs) == 0 {
		locs = []string{post.Location}
	}
	var out []string
	for _, l := range locs[:min(len(locs), jobpilot.MaxLocations)] {
		out = append(out, splitLocation(l)...)
	}
	return out
}

// splitLocation splits "New York, NY or Remote (US)" into its alternatives
// ("or" in the languages of the stop-word profiles too).
func splitLocation(loc string) []string {
	out := strings.FieldsFunc(loc, func(r rune) bool { return r == ';' || r == '|' })
	for _, or := range orWords {
		if !strings.Contains(loc, or) {
			continue
		}
		var next []string
		for _, part := range out {
			for seg := range strings.SplitSeq(part, or) {
				if strings.TrimSpace(seg) != "" {
					next = append(next, seg)
				}
			}
		}
		out = next
	}
	return out
}

// restrictedPlaces returns the places named in the sentences that restrict
// where one may live or work ("open to candidates based in the United States
// only", "You must live in Germany").
func restrictedPlaces(paras []string) []*place {
	var out []*place
	for _, para := range paras {
		for sent := range strings.FieldsFuncSeq(para, func(r rune) bool { return r == '.' || r == '\n' || r == '!' || r == ';' }) {
			restrict := false
			for _, t := range appendTokens(nil, sent) {
				if cueWords[t.s]&cueRestrict != 0 {
					restrict = true
					break
				}
			}
			if !restrict {
				continue
			}
			for _, p := range places().find(sent) {
				if !containsPlace(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// Points of the eligibility part of the score.
const (
	pointsEligible        = 15
	pointsRemoteUnbounded = 12 // remote, no region said
	penaltyIneligible     = 45
	penaltyRemoteNotWant  = 12
)

// scoreWhere compares where the job is done with where the candidate lives
// and may work.
func (s *Scorer) scoreWhere(sc *scoreCard, post *jobpilot.Posting, a *analysis) {
	c := &s.cand
	w := parseWhere(post, a)
	remoteOK, remoteSays := s.remoteFits(&w)
	onsiteOK, onsiteSays := s.onsiteFits(&w)
	mode := "on-site"
	if w.hybrid {
		mode = "hybrid"
	}
	office := w.onsiteRaw
	if office == "" {
		office = strings.Join(placeNames(w.onsite), " or ")
	}
	switch {
	case c.remote == jobpilot.RemoteOnly:
		switch {
		case remoteOK:
			sc.add(ruleEligibility, remotePoints(&w), remoteSays+", as you want")
		case w.remote:
			sc.add(ruleEligibility, -penaltyIneligible, remoteSays)
		case len(w.onsite) > 0 || office != "":
			sc.add(ruleEligibility, -penaltyIneligible, mode+" in "+office+"; you want remote work only")
		}
	case onsiteOK:
		sc.add(ruleEligibility, pointsEligible, onsiteSays)
	case remoteOK && c.remote == jobpilot.RemoteOnsite && !w.hybrid:
		sc.add(ruleEligibility, -penaltyRemoteNotWant, "a remote role; you want on-site work")
	case remoteOK:
		sc.add(ruleEligibility, remotePoints(&w), remoteSays)
	case w.remote:
		sc.add(ruleEligibility, -penaltyIneligible, remoteSays)
	case len(w.onsite) > 0 || office != "" && (len(c.accepted) > 0 || len(c.acceptRaw) > 0):
		sc.add(ruleEligibility, -penaltyIneligible, onsiteSays)
	}
}

func remotePoints(w *where) float64 {
	if len(w.regions) == 0 && !w.worldwide {
		return pointsRemoteUnbounded
	}
	return pointsEligible
}

// remoteFits reports whether a remote option is open to where the
// candidate lives, with the sentence that says so.
func (s *Scorer) remoteFits(w *where) (bool, string) {
	c := &s.cand
	if !w.remote {
		return false, ""
	}
	if w.worldwide {
		return true, "remote, open worldwide"
	}
	if len(w.regions) == 0 {
		return true, "remote"
	}
	names := orList(placeNames(w.regions))
	if c.home == nil {
		return true, "remote within " + names
	}
	for _, r := range w.regions {
		if overlaps(r, c.home) {
			return true, "remote within " + names + ", where you live"
		}
	}
	return false, "remote for " + names + " only; you live in " + c.homeName
}

// onsiteFits reports whether an on-site or hybrid job is somewhere the
// candidate accepts (or would move to), with the sentence that says so.
func (s *Scorer) onsiteFits(w *where) (bool, string) {
	c := &s.cand
	mode := "on-site"
	if w.hybrid {
		mode = "hybrid"
	}
	office := w.onsiteRaw
	if office == "" {
		office = strings.Join(placeNames(w.onsite), " or ")
	}
	for _, p := range w.onsite {
		at := office
		if len(w.onsite) > 1 {
			at = placeNames([]*place{p})[0] // the office that fits, of several
		}
		for i, acc := range c.accepted {
			if overlaps(p, acc) {
				return true, mode + " in " + at + ", " + s.acceptedSays(i)
			}
		}
		if c.relocate {
			for _, r := range c.regions {
				if overlaps(p, r) {
					return true, mode + " in " + at + ", where you would move"
				}
			}
		}
	}
	lw := words(w.onsiteRaw)
	for i, raw := range c.acceptRaw {
		if containsSeq(lw, raw) {
			return true, mode + " in " + office + ", one of your locations (" + c.rawNames[i] + ")"
		}
	}
	where := "where you live (" + c.homeName + ")"
	if len(c.acceptName) > 0 {
		names := c.acceptName
		if len(names) > 3 {
			names = names[:3]
		}
		where = orList(names)
	}
	return false, mode + " in " + office + ", not in " + where
}

func (s *Scorer) acceptedSays(i int) string {
	if len(s.cand.acceptName) == 0 {
		return "where you live"
	}
	return "one of your locations"
}
