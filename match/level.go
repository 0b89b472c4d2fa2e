package match

import (
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// Seniority levels, in order; they index jobpilot.Levels.
const (
	levelIntern = iota
	levelJunior
	levelMid
	levelSenior
	levelStaff
	levelManager
	levelUnknown = -1
)

// levelWords are the title words that state a level. "Manager" is not one
// of them: a product or customer-success manager is an individual role; it
// is a level only in the engineering-management family (see titleLevels).
var levelWords = map[string]int{
	"intern": levelIntern, "internship": levelIntern, "trainee": levelIntern, "werkstudent": levelIntern,
	"werkstudentin": levelIntern, "praktikant": levelIntern, "praktikantin": levelIntern, "praktikum": levelIntern,
	"apprentice": levelIntern, "apprenticeship": levelIntern, "pasante": levelIntern, "practicante": levelIntern,
	"junior": levelJunior, "jr": levelJunior, "graduate": levelJunior, "grad": levelJunior, "entry": levelJunior,
	"associate": levelJunior,
	"mid":       levelMid, "intermediate": levelMid, "medior": levelMid,
	"senior": levelSenior, "sr": levelSenior, "lead": levelSenior, "teamleiter": levelSenior, "teamleiterin": levelSenior,
	"teamleitung": levelSenior, "líder": levelSenior, "lider": levelSenior,
	"staff": levelStaff, "principal": levelStaff, "distinguished": levelStaff, "fellow": levelStaff,
	"head": levelManager, "director": levelManager, "vp": levelManager, "chief": levelManager, "cto": levelManager,
}

// romanLevels read "Engineer I/II/III" ladders.
var romanLevels = map[string]int{"i": levelJunior, "ii": levelMid, "iii": levelSenior, "iv": levelStaff}

var roleNouns = map[string]bool{
	"engineer": true, "developer": true, "designer": true, "scientist": true, "analyst": true,
	"specialist": true, "representative": true, "agent": true, "executive": true,
}

// titleLevels returns the levels a title states, as a bit set (bit n is
// level n), or 0. "Chief of Staff" states none: it is an operations role;
// nor does "Member of Technical Staff".
func titleLevels(ws []string, f *family) uint8 {
	var set uint8
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if w == "chief" && i+2 < len(ws) && ws[i+1] == "of" && ws[i+2] == "staff" {
			i += 2
			continue
		}
		if w == "staff" && i > 0 && (ws[i-1] == "technical" || ws[i-1] == "of") {
			continue // "Member of Technical Staff" is a title, not a level
		}
		if w == "associate" && i+1 < len(ws) && (ws[i+1] == "director" || ws[i+1] == "principal") {
			continue
		}
		if l, ok := levelWords[w]; ok {
			set |= 1 << l
			continue
		}
		if l, ok := romanLevels[w]; ok && i > 0 && roleNouns[ws[i-1]] {
			set |= 1 << l
			continue
		}
		if w == "manager" && f != nil && f.name == "engineering management" {
			set |= 1 << levelManager
		}
	}
	if set == 0 && f != nil && f.name == "engineering management" {
		set = 1 << levelManager
	}
	return set
}

// yearsLevel is the level that a number of years of experience asks for:
// under 2 junior, 2–4 mid, 5–7 senior, 8 or more staff.
func yearsLevel(y int) int {
	switch {
	case y < 2:
		return levelJunior
	case y < 5:
		return levelMid
	case y < 8:
		return levelSenior
	}
	return levelStaff
}

// yearsWords are "years" in the languages of the stop-word profiles.
var yearsWords = map[string]bool{
	"years": true, "year": true, "yrs": true, "yr": true, "jahre": true, "jahren": true, "jahr": true,
	"år": true, "års": true, "años": true, "año": true, "ans": true, "anos": true, "jaar": true, "anni": true,
}

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"twelve": 12, "fifteen": 15, "ein": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
	"sieben": 7, "acht": 8, "zehn": 10, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
	"åtta": 8, "tio": 10, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
	"ocho": 8, "diez": 10, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
}

// yearsAt reads "5+ years", "2-4 years", "at least five years", "mindestens
// 3 Jahre" ending at ts[i] (a years word); it returns the smallest number
// asked, or -1. "10 years ago" and "3 years old" ask for nothing.
func yearsAt(ts []token, i int) int {
	if i+1 < len(ts) && (ts[i+1].s == "ago" || ts[i+1].s == "old") {
		return -1
	}
	n := -1
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		v := numberValue(ts[j].s)
		if v < 0 {
			break
		}
		n = v // the first number of a range is the smaller one
	}
	if n > 30 {
		return -1
	}
	return n
}

func numberValue(s string) int {
	s = strings.TrimSuffix(s, "+")
	if v, ok := numberWords[s]; ok {
		return v
	}
	if len(s) == 0 || len(s) > 2 {
		return -1
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return v
}

// experience returns the candidate's years of work, internships left out
// and overlapping positions counted once, up to now.
func experience(work []jobpilot.Work, now time.Time) float64 {
	type span struct{ from, to time.Time }
	var spans []span
	for _, w := range work {
		if titleLevels(titleTokens(w.Position), nil)&(1<<levelIntern) != 0 {
			continue
		}
		from, ok := parseResumeDate(w.StartDate)
		if !ok {
			continue
		}
		to, ok := parseResumeDate(w.EndDate)
		if !ok || w.EndDate == "" {
			to = now
		}
		if to.After(from) {
			spans = append(spans, span{from, to})
		}
	}
	// Merge overlaps: sort by start (few entries: insertion sort).
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].from.Before(spans[j-1].from); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var total time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			total += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total.Hours() / 24 / 365.25
}

func parseResumeDate(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// levelName names a level for sentences.
func levelName(l int) string {
	if l < 0 || l >= len(jobpilot.Levels) {
		return "unknown"
	}
	return jobpilot.Levels[l]
}

// levelIndex returns the index of a level name ("senior"), or -1.
func levelIndex(name string) int {
	for i, l := range jobpilot.Levels {
		if l == name {
			return i
		}
	}
	return -1
}
