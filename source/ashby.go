package source

import (
	"context"
	"net/url"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// AshbyType is the "ashby" board: an Ashby organisation's job-board API.
var AshbyType = Type{
	Name:           "ashby",
	Keys:           []Key{{Name: "org", Required: true, Doc: "organisation: jobs.ashbyhq.com/<org>"}},
	DefaultBaseURL: "https://api.ashbyhq.com",
	New:            func(b base) jobpilot.Source { return &Ashby{base: b} },
}

// Ashby reads an Ashby job board: GET {base}/posting-api/job-board/{org},
// one request for the whole board. Postings marked isListed=false are left
// out. The description is descriptionHtml converted to text, or
// descriptionPlain when there is no HTML. Ashby does not name the company:
// it is the source's name.
type Ashby struct {
	base
}

type ashbyBoard struct {
	Jobs []ashbyJob `json:"jobs"`
}

type ashbyJob struct {
	ID               string `json:"id"`
	Title            string `json:"title"`
	Location         string `json:"location"`
	IsRemote         bool   `json:"isRemote"`
	WorkplaceType    string `json:"workplaceType"`
	IsListed         *bool  `json:"isListed"`
	DescriptionHTML  string `json:"descriptionHtml"`
	DescriptionPlain string `json:"descriptionPlain"`
	JobURL           string `json:"jobUrl"`
	ApplyURL         string `json:"applyUrl"`
	PublishedAt      string `json:"publishedAt"`
}

// Fetch returns the board's listed postings.
func (a *Ashby) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	var board ashbyBoard
	u := a.baseURL + "/posting-api/job-board/" + url.PathEscape(a.cfg.Keys["org"])
	if err := a.getJSON(ctx, u, &board); err != nil {
		return nil, err
	}
	ps := make([]jobpilot.Posting, 0, len(board.Jobs))
	for _, j := range board.Jobs {
		if j.IsListed != nil && !*j.IsListed {
			continue
		}
		desc := HTMLToText(j.DescriptionHTML)
		if desc == "" {
			desc = HTMLToText(j.DescriptionPlain)
		}
		ps = append(ps, jobpilot.Posting{
			ExternalID:  j.ID,
			Company:     a.cfg.Name,
			Title:       j.Title,
			Location:    j.Location,
			Remote:      j.IsRemote || strings.EqualFold(j.WorkplaceType, "remote") || isRemoteText(j.Location),
			Description: desc,
			URL:         j.JobURL,
			ApplyURL:    j.ApplyURL,
			PublishedAt: parseTime(j.PublishedAt),
		})
	}
	return a.finish(ps), nil
}
