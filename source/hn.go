package source

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
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
// deleted comments, comments that say they are not hiring and comments
// without a header line. The header ("Company | Role | Location | REMOTE",
// also with " — ", " - " or "·" between fields, or "Role @ Company
// (Place, ONSITE)") is read field by field by what each says (see
// parseHeader): the title is never a work mode, an employment type or a
// URL, and the location never a role.
//
// The contact email is the first address in the comment, in a mailto link,
// plain, or obfuscated ("name [at] domain [dot] com", "name at domain.dev",
// "name at domain dot com" when the comment names the domain); when the
// parser is not sure of one, there is none and the posting is applied to by
// its link (findEmail). The apply URL is the first link that looks like a
// job page (careers, jobs, apply, a job board).
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
	ID        int64  `json:"id"`
	Author    string `json:"author"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

// Fetch returns the postings of the newest "Who is hiring?" thread.
func (h *HN) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, h.FetchEach)
}

// FetchEach finds the newest thread and streams its comments, one at a
// time.
func (h *HN) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	var s hnSearch
	if err := h.getJSON(ctx, h.baseURL+"/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=30", &s); err != nil {
		return err
	}
	id, newest := "", int64(-1)
	for _, hit := range s.Hits {
		if strings.HasPrefix(strings.TrimSpace(hit.Title), hnPrefix) && hit.CreatedAtI > newest {
			id, newest = hit.ObjectID, hit.CreatedAtI
		}
	}
	if id == "" {
		return jobpilot.Transient(fmt.Errorf("source %s: no %q thread among the latest stories", h.name, hnPrefix))
	}
	var comments, postings int
	err := h.client.Stream(ctx, h.name, h.baseURL+"/api/v1/items/"+url.PathEscape(id), func(_ context.Context, body io.Reader) error {
		var err error
		comments, postings, err = h.decodeThread(body, yield)
		return err
	})
	h.log.Debug("hn thread read", "thread", id, "comments", comments, "postings", postings)
	return err
}

// decodeThread reads a thread's top-level comments.
func (h *HN) decodeThread(body io.Reader, yield func(jobpilot.Posting) error) (comments, postings int, err error) {
	err = eachElement(body, []string{"children"}, func(i int, raw json.RawMessage) error {
		comments++
		var c hnItem
		if !h.decodeEntry(i, raw, &c) {
			return nil
		}
		p, ok := hnPosting(&c)
		if !ok {
			return nil
		}
		postings++
		return h.emit(p, yield)
	})
	return comments, postings, err
}

var notHiring = regexp.MustCompile(`(?i)\b(not|aren'?t|isn'?t|no longer|stopped)\s+(currently\s+)?hiring\b`)

// hnPosting turns one top-level comment into a posting, or reports that it
// is not one: deleted, not hiring, or without a header naming a company and
// a role (see parseHeader). A header that names no role ("Acme | Berlin |
// Multiple roles") takes the roles the comment lists below it; a comment
// with several roles keeps them all in Roles and names them in the title.
func hnPosting(c *hnItem) (jobpilot.Posting, bool) {
	if c == nil || strings.TrimSpace(c.Text) == "" {
		return jobpilot.Posting{}, false // deleted or dead
	}
	text, links := htmlText(c.Text)
	first, _, _ := strings.Cut(text, "\n")
	if notHiring.MatchString(first) || notHiring.MatchString(text) && !strings.Contains(first, "|") {
		return jobpilot.Posting{}, false
	}
	h, body, ok := findHeader(firstLines(text, 80))
	if !ok {
		return jobpilot.Posting{}, false
	}
	roles := h.roles
	if len(roles) == 0 || len(roles) == 1 && genericRoleRe.MatchString(roles[0]) {
		if listed := bodyRoles(body); len(listed) > 0 {
			roles = listed
		}
	}
	if len(roles) == 0 {
		return jobpilot.Posting{}, false
	}
	p := jobpilot.Posting{
		ExternalID:     strconv.FormatInt(c.ID, 10),
		Company:        h.company,
		Title:          titleOf(roles),
		Locations:      h.places,
		WorkMode:       h.mode,
		Remote:         h.remote,
		EmploymentType: h.employment,
		Pay:            h.pay,
		Description:    text,
		URL:            "https://news.ycombinator.com/item?id=" + strconv.FormatInt(c.ID, 10),
		PublishedAt:    parseTime(c.CreatedAt),
	}
	if len(roles) > 1 {
		p.Roles = roles
	}
	if len(h.places) > 0 {
		p.Location = h.places[0]
	} else if h.remote {
		p.Location = "Remote"
	}
	if len(h.regions) > 0 {
		p.RemoteRegions = h.regions[:min(len(h.regions), jobpilot.MaxRemoteRegions)]
	}
	p.ContactEmail = findEmail(text, links)
	p.ApplyURL = applyLink(append(links, h.websites...))
	return p, true
}

// firstLines returns at most n lines of s.
func firstLines(s string, n int) []string {
	lines := strings.SplitN(s, "\n", n+1)
	return lines[:min(len(lines), n)]
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
