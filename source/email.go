package source

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// Contact addresses in free text (Hacker News comments) are written plainly,
// in mailto links, or obfuscated against scrapers: "jane [at] acme [dot]
// com", "jane(at)acme.com", "jane at acme.dev", "first dot last at acme dot
// com". The bare word "at" is also ordinary prose ("reach me directly at
// first dot last at acme dot com" holds the prose "directly at first dot
// last"), and a wrong recipient is worse than none: in direct mode the
// application would be emailed there. So findEmail returns an address only
// when it is sure of it, and "" otherwise, which makes the posting
// apply-by-link.

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}`)
	// atSepRe is an at-sign as written: "@", "[at]", "(at)", "{at}", "<at>"
	// or the bare word "at"/"AT" between spaces.
	atSepRe = regexp.MustCompile(`(?i)\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+|\s*@\s*`)
	// dotSep is a dot as written: ".", "[dot]", "(dot)", " dot ".
	dotSep     = `(?:\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+|\.)`
	dotSepRe   = regexp.MustCompile(`(?i)` + dotSep)
	localEndRe = regexp.MustCompile(`(?i)(?:[a-z0-9_%+\-]+` + dotSep + `)*[a-z0-9_%+\-]+$`)
	domainRe   = regexp.MustCompile(`(?i)^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:` + dotSep + `[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)+`)
)

// Bounds on the work per comment: hostile text full of "at"s costs little.
const (
	maxEmailCandidates = 64
	localWindow        = 200
	domainWindow       = 400
)

// notLocal are words that precede a bare "at" in prose: "we at acme dot
// com", "apply at acme.com", "based at …".
var notLocal = map[string]bool{
	"we": true, "us": true, "me": true, "you": true, "is": true, "are": true, "am": true, "be": true,
	"work": true, "working": true, "based": true, "located": true, "directly": true, "anytime": true,
	"look": true, "role": true, "roles": true, "here": true, "there": true, "it": true, "out": true,
	"them": true, "him": true, "her": true, "engineers": true, "engineer": true, "start": true, "available": true,
	"apply": true, "applying": true, "visit": true, "see": true, "find": true, "online": true, "listed": true,
	"posted": true, "openings": true, "positions": true, "office": true, "offices": true, "team": true,
	"email": true, "e-mail": true, "mail": true, "contact": true, "reach": true, "write": true, "ping": true,
}

// proseBefore are words that, right before "<word> at", make the word a
// verb or a noun of a sentence rather than a mailbox: "we're hiring at
// acme.com", "is available at …".
var proseBefore = map[string]bool{
	"we": true, "we're": true, "were": true, "are": true, "is": true, "am": true, "was": true, "be": true,
	"been": true, "i": true, "i'm": true, "they": true, "they're": true, "you're": true, "currently": true,
	"also": true, "now": true, "still": true, "all": true, "our": true, "the": true, "a": true, "an": true,
}

// findEmail returns the posting's contact address: a mailto link first,
// then an address written plainly, then an obfuscated one the comment makes
// sure of (see emailCandidate.sure); "" when there is none it is sure of.
func findEmail(text string, links []string) string {
	for _, l := range links {
		if addr, ok := strings.CutPrefix(strings.TrimSpace(l), "mailto:"); ok {
			addr, _, _ = strings.Cut(addr, "?")
			if e := validAddr(addr); e != "" {
				return e
			}
		}
	}
	if e := validAddr(emailRe.FindString(text)); e != "" {
		return e
	}
	seps := atSepRe.FindAllStringIndex(text, maxEmailCandidates)
	for _, sep := range seps {
		if c, ok := parseCandidate(text, sep[0], sep[1]); ok && c.sure(text, links) {
			return c.addr
		}
	}
	return ""
}

// emailCandidate is an address read around one at-sign.
type emailCandidate struct {
	addr       string
	start, end int    // its span in the text
	domain     string // lower case
	registered string // the registrable domain: "acme.co.uk" of "mail.acme.co.uk"
	bareAt     bool   // the at-sign is the word "at"
	literal    bool   // the domain is written with real dots
	local      string // lower case, dots restored
	before     string // the word before the local part, lower case
	urlAfter   bool   // the domain goes on as a URL ("acme.com/careers")
}

// parseCandidate reads the local part before text[sepStart:sepEnd] and the
// domain after it.
func parseCandidate(text string, sepStart, sepEnd int) (emailCandidate, bool) {
	var c emailCandidate
	sep := strings.ToLower(strings.TrimSpace(text[sepStart:sepEnd]))
	c.bareAt = sep == "at"
	winStart := max(0, sepStart-localWindow)
	loc := localEndRe.FindStringIndex(text[winStart:sepStart])
	if loc == nil || (loc[0] == 0 && winStart > 0) {
		return c, false
	}
	c.start = winStart + loc[0]
	c.local = strings.ToLower(dotSepRe.ReplaceAllString(text[c.start:sepStart], "."))
	rest := text[sepEnd:min(len(text), sepEnd+domainWindow)]
	dm := domainRe.FindString(rest)
	if dm == "" {
		return c, false
	}
	c.literal = !strings.ContainsFunc(dm, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("[](){}<>", r) })
	labels := strings.Split(strings.ToLower(dotSepRe.ReplaceAllString(dm, ".")), ".")
	// "acme.com.Thanks" or "acme dot com dot" run on: drop trailing labels
	// until the domain ends in a real public suffix.
	for ; len(labels) >= 2; labels = labels[:len(labels)-1] {
		d := strings.Join(labels, ".")
		if suffix, icann := publicsuffix.PublicSuffix(d); icann && suffix != d {
			c.domain = d
			break
		}
	}
	if c.domain == "" {
		return c, false
	}
	c.registered, _ = publicsuffix.EffectiveTLDPlusOne(c.domain)
	c.end = sepEnd + len(dm)
	if after := text[c.end:]; c.literal {
		c.urlAfter = strings.HasPrefix(after, "/") || strings.HasPrefix(after, ":")
	}
	words := strings.Fields(text[max(0, c.start-40):c.start])
	if len(words) > 0 {
		c.before = strings.ToLower(strings.Trim(words[len(words)-1], `.,;:!?"'()`))
	}
	c.addr = validAddr(c.local + "@" + c.domain)
	return c, c.addr != "" && len(c.local) <= 64
}

// sure reports whether the candidate is the comment's contact address:
//   - an unmistakable at-sign ("[at]", "(at)", "@" with spaces or spelled-out
//     dots after it) and a real public suffix: sure;
//   - the bare word "at": only when the local part is not a word of the
//     sentence ("directly at …", "we're hiring at …"), the domain is not the
//     start of a URL ("apply at acme.com/jobs"), and the comment names the
//     domain: written with real dots ("jane at acme.dev"), or its
//     registrable domain or its name ("acme" of acme.com) appears elsewhere
//     in the comment or its links ("Acme | …", "https://acme.com").
func (c emailCandidate) sure(text string, links []string) bool {
	if !c.bareAt {
		return true
	}
	if notLocal[c.local] || proseBefore[c.before] || c.urlAfter {
		return false
	}
	if c.literal {
		return true
	}
	return namedElsewhere(text[:c.start]+" "+text[c.end:]+" "+strings.Join(links, " "), c.registered)
}

// namedElsewhere reports whether text names the registrable domain: the
// domain itself, or its first label ("acme-robotics" of
// acme-robotics.com) as a word or a run of up to three words with the
// punctuation removed ("Acme Robotics").
func namedElsewhere(text, registered string) bool {
	lower := strings.ToLower(text)
	if strings.Contains(lower, registered) {
		return true
	}
	name, _, _ := strings.Cut(registered, ".")
	name = strings.ReplaceAll(name, "-", "")
	if len(name) < 3 {
		return false
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
	for i := range words {
		joined := ""
		for j := i; j < min(i+3, len(words)); j++ {
			joined += strings.ReplaceAll(words[j], "-", "")
			if joined == name {
				return true
			}
			if len(joined) >= len(name) {
				break
			}
		}
	}
	return false
}

func validAddr(s string) string {
	s = strings.Trim(strings.TrimSpace(s), ".")
	if s == "" || !strings.Contains(s, "@") {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return ""
	}
	return s
}
