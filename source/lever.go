package source

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// LeverType is the "lever" board: a Lever job site's postings API, by site
// name.
var LeverType = Type{
	Name:           "lever",
	Keys:           []Key{{Name: "site", Required: true, Doc: "site name: jobs.lever.co/<site>"}},
	DefaultBaseURL: "https://api.lever.co",
	New:            func(b base) jobpilot.Source { return &Lever{base: b, pageSize: 100} },
}

// Lever reads a Lever job site: GET {base}/v0/postings/{site}?mode=json,
// page by page with skip and limit until a page comes back short. The
// description is the posting's HTML opening, its lists (each under its own
// heading: "Requirements", …) and its closing, converted to text; the plain
// descriptionPlain is used when there is no HTML. Lever does not name the
// company: it is the source's name. workplaceType "remote" (or a location
// saying "Remote") makes the posting remote.
type Lever struct {
	base
	pageSize int
}

// maxLeverPages guards against a server that ignores skip and answers the
// same full page forever.
const maxLeverPages = 200

type leverPosting struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	HostedURL        string `json:"hostedUrl"`
	ApplyURL         string `json:"applyUrl"`
	CreatedAt        int64  `json:"createdAt"` // ms since the epoch
	WorkplaceType    string `json:"workplaceType"`
	Description      string `json:"description"`
	DescriptionPlain string `json:"descriptionPlain"`
	Additional       string `json:"additional"`
	AdditionalPlain  string `json:"additionalPlain"`
	Lists            []struct {
		Text    string `json:"text"`
		Content string `json:"content"`
	} `json:"lists"`
	Categories struct {
		Location   string `json:"location"`
		Commitment string `json:"commitment"`
		Team       string `json:"team"`
	} `json:"categories"`
}

// Fetch returns every open posting of the site, across pages.
func (l *Lever) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	var ps []jobpilot.Posting
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxLeverPages {
			return nil, jobpilot.Permanent(fmt.Errorf("source %s: more than %d pages; the server seems to ignore skip", l.name, maxLeverPages))
		}
		u := fmt.Sprintf("%s/v0/postings/%s?mode=json&skip=%d&limit=%d", l.baseURL, url.PathEscape(l.cfg.Keys["site"]), page*l.pageSize, l.pageSize)
		var batch []leverPosting
		if err := l.getJSON(ctx, u, &batch); err != nil {
			return nil, err
		}
		fresh := 0
		for _, j := range batch {
			if seen[j.ID] {
				continue
			}
			seen[j.ID] = true
			fresh++
			ps = append(ps, l.posting(j))
		}
		if len(batch) < l.pageSize || fresh == 0 {
			break
		}
	}
	return l.finish(ps), nil
}

func (l *Lever) posting(j leverPosting) jobpilot.Posting {
	var h strings.Builder
	h.WriteString(j.Description)
	for _, li := range j.Lists {
		h.WriteString("<h3>" + li.Text + "</h3><ul>" + li.Content + "</ul>")
	}
	h.WriteString(j.Additional)
	desc := HTMLToText(h.String())
	if desc == "" {
		desc = HTMLToText(strings.TrimSpace(j.DescriptionPlain + "\n\n" + j.AdditionalPlain))
	}
	p := jobpilot.Posting{
		ExternalID:  j.ID,
		Company:     l.cfg.Name,
		Title:       j.Text,
		Location:    j.Categories.Location,
		Remote:      strings.EqualFold(j.WorkplaceType, "remote") || isRemoteText(j.Categories.Location),
		Description: desc,
		URL:         j.HostedURL,
		ApplyURL:    j.ApplyURL,
	}
	if j.CreatedAt > 0 {
		p.PublishedAt = time.UnixMilli(j.CreatedAt).UTC()
	}
	return p
}
