package source

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// HNType is the "hn" source: the newest Hacker News "Who is hiring?"
// thread, through Algolia. It has no keys of its own.
var HNType = Type{
	Name:           "hn",
	DefaultBaseURL: "https://hn.algolia.com",
	New:            func(b base) jobpilot.Source { return &HN{base: b} },
}

// HN reads the newest Hacker News "Ask HN: Who is hiring?" thread through
// the Algolia API: GET {base}/api/v1/search_by_date?tags=story,author_whoishiring
// finds the thread (the newest story whose title starts with "Ask HN: Who is
// hiring?"; the same account also posts "Who wants to be hired?" and
// "Freelancer?" threads), then GET {base}/api/v1/items/{id} reads it.
//
// Only top-level comments are postings; replies are ignored, and so are
// deleted comments and comments that do not follow the convention. A
// posting's first line is "Company | Role | Location | REMOTE | …": the first
// field is the company, the second the title, and the first later field that
// names a place is the location ("REMOTE", "ONSITE", salaries, employment
// types and links are not places). A field saying "remote" makes the posting
// remote, unless it says "no remote". Comments whose first line has fewer than
// three fields, or that say they are not hiring, are not postings.
//
// The contact email is the first address in the comment, in a mailto link,
// plain, or obfuscated as "name [at] domain [dot] com", "name at domain dot
// com" or "name(at)domain.com". The apply URL is the first link that looks
// like a job page (careers, jobs, apply, a job board).
type HN struct {
	base
}

const hnPrefix = "Ask HN: Who is hiring?"

type hnSearch struct {
	Hits []struct {
		ObjectID    string `json:"objectID"`
		Title       string `json:"title"`
		CreatedAtI  int64  `json:"created_at_i"`
		StoryID     int64  `json:"story_id"`
		CreatedAtTS string `json:"created_at"`
	} `json:"hits"`
}

type hnItem struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	CreatedAt string    `json:"created_at"`
	Children  []*hnItem `json:"children"`
}

// Fetch returns the postings of the newest "Who is hiring?" thread.
func (h *HN) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	var s hnSearch
	if err := h.getJSON(ctx, h.baseURL+"/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=30", &s); err != nil {
		return nil, err
	}
	id, newest := "", int64(-1)
	for _, hit := range s.Hits {
		if strings.HasPrefix(strings.TrimSpace(hit.Title), hnPrefix) && hit.CreatedAtI > newest {
			id, newest = hit.ObjectID, hit.CreatedAtI
		}
	}
	if id == "" {
		return nil, jobpilot.Transient(fmt.Errorf("source %s: no %q thread among the latest stories", h.name, hnPrefix))
	}
	var thread hnItem
	if err := h.getJSON(ctx, h.baseURL+"/api/v1/items/"+id, &thread); err != nil {
		return nil, err
	}
	ps := make([]jobpilot.Posting, 0, len(thread.Children))
	for _, c := range thread.Children {
		if p, ok := hnPosting(c); ok {
			ps = append(ps, p)
		}
	}
	h.log.Debug("hn thread read", "thread", id, "comments", len(thread.Children), "postings", len(ps))
	return h.finish(ps), nil
}

var notHiring = regexp.MustCompile(`(?i)\b(not|aren'?t|isn'?t|no longer|stopped)\s+(currently\s+)?hiring\b`)

// hnPosting turns one top-level comment into a posting, or reports that it
// is not one.
func hnPosting(c *hnItem) (jobpilot.Posting, bool) {
	if c == nil || strings.TrimSpace(c.Text) == "" {
		return jobpilot.Posting{}, false // deleted or dead
	}
	text, links := htmlText(c.Text)
	first, _, _ := strings.Cut(text, "\n")
	if notHiring.MatchString(first) || notHiring.MatchString(text) && !strings.Contains(first, "|") {
		return jobpilot.Posting{}, false
	}
	fields := strings.Split(first, "|")
	if len(fields) < 3 {
		return jobpilot.Posting{}, false
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	p := jobpilot.Posting{
		ExternalID:  strconv.FormatInt(c.ID, 10),
		Company:     cleanCompany(fields[0]),
		Title:       fields[1],
		Description: text,
		URL:         "https://news.ycombinator.com/item?id=" + strconv.FormatInt(c.ID, 10),
		PublishedAt: parseTime(c.CreatedAt),
	}
	remoteField := ""
	for _, f := range fields[2:] {
		switch {
		case isRemoteText(f):
			p.Remote = true
			if remoteField == "" {
				remoteField = f
			}
		case p.Location == "" && isPlace(f):
			p.Location = f
		}
	}
	if p.Location == "" {
		p.Location = remoteField
	}
	p.ContactEmail = findEmail(text, links)
	p.ApplyURL = applyLink(links)
	return p, true
}

// cleanCompany drops a link or domain in parentheses: "Acme (acme.com)".
func cleanCompany(s string) string {
	if i := strings.Index(s, "("); i > 0 {
		s = s[:i]
	}
	for _, pre := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, pre)
	}
	return strings.TrimSpace(s)
}

var (
	moneyRe     = regexp.MustCompile(`[$€£¥]|\d+\s*[kK]\b|\b(usd|eur|gbp|salary|equity)\b`)
	notPlaceSet = map[string]bool{
		"onsite": true, "on": true, "site": true, "hybrid": true, "full": true, "time": true, "fulltime": true,
		"part": true, "parttime": true, "contract": true, "contractor": true, "intern": true, "internship": true,
		"visa": true, "sponsorship": true, "equity": true, "permanent": true, "freelance": true, "only": true,
		"in": true, "office": true, "and": true, "or": true, "ft": true, "pt": true,
	}
)

// isPlace reports whether a first-line field names a place: it has a word
// that is not an employment word ("ONSITE", "Full-time", …), and it is not
// a salary or a link.
func isPlace(f string) bool {
	lf := strings.ToLower(f)
	if strings.Contains(lf, "http") || strings.Contains(lf, "www.") || moneyRe.MatchString(lf) {
		return false
	}
	for _, w := range lowerWords(f) {
		if !notPlaceSet[w] {
			return true
		}
	}
	return false
}

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}`)
	// "[at]", "(at)", "{at}", "<at>", " AT " between brackets or as a word.
	atRe  = regexp.MustCompile(`(?i)\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*`)
	dotRe = regexp.MustCompile(`(?i)\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*`)
	// The bare-word form: "jane at acme dot com". It needs at least one
	// " dot " so that prose ("we are at the office") is not read as an address.
	wordsRe = regexp.MustCompile(`(?i)\b([a-z0-9._%+\-]+)\s+at\s+([a-z0-9\-]+(?:\s*(?:\s+dot\s+|\.)\s*[a-z0-9\-]+)*\s+dot\s+[a-z]{2,24})\b`)
	wordDot = regexp.MustCompile(`(?i)\s+dot\s+`)
)

// notLocal are English words that precede "at" in prose; "we at acme dot
// com" is not an address.
var notLocal = map[string]bool{
	"we": true, "us": true, "me": true, "you": true, "is": true, "are": true, "am": true, "be": true,
	"work": true, "working": true, "based": true, "located": true,
	"look": true, "role": true, "roles": true, "here": true, "there": true, "it": true, "out": true,
	"them": true, "him": true, "her": true, "engineers": true, "engineer": true, "start": true, "available": true,
}

// findEmail returns the first contact address: a mailto link first, then a
// plain address in the text, then an obfuscated one.
func findEmail(text string, links []string) string {
	for _, l := range links {
		if addr, ok := strings.CutPrefix(l, "mailto:"); ok {
			addr, _, _ = strings.Cut(addr, "?")
			if e := validAddr(addr); e != "" {
				return e
			}
		}
	}
	if e := validAddr(emailRe.FindString(text)); e != "" {
		return e
	}
	t := atRe.ReplaceAllString(text, "@")
	t = dotRe.ReplaceAllString(t, ".")
	if e := validAddr(emailRe.FindString(t)); e != "" {
		return e
	}
	for _, m := range wordsRe.FindAllStringSubmatch(text, -1) {
		if notLocal[strings.ToLower(m[1])] {
			continue
		}
		addr := m[1] + "@" + wordDot.ReplaceAllString(strings.ReplaceAll(m[2], " .", "."), ".")
		if e := validAddr(addr); e != "" {
			return e
		}
	}
	return ""
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

// applyLink picks the first link that looks like a job page.
func applyLink(links []string) string {
	for _, l := range links {
		ll := strings.ToLower(l)
		if !strings.HasPrefix(ll, "http") {
			continue
		}
		for _, k := range []string{"job", "career", "apply", "greenhouse.io", "lever.co", "ashbyhq.com", "workable.com", "hiring"} {
			if strings.Contains(ll, k) {
				return l
			}
		}
	}
	return ""
}
