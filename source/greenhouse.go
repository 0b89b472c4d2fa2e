package source

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/jobpilot/jobpilot"
)

// GreenhouseType is the "greenhouse" board: a Greenhouse job board's public
// API, by the board token.
var GreenhouseType = Type{
	Name:           "greenhouse",
	Keys:           []Key{{Name: "token", Required: true, Doc: "board token: boards.greenhouse.io/<token>"}},
	DefaultBaseURL: "https://boards-api.greenhouse.io",
	New:            func(b base) jobpilot.Source { return &Greenhouse{base: b} },
}

// Greenhouse reads a Greenhouse job board:
// GET {base}/v1/boards/{token}/jobs?content=true, one request for the whole
// board. Its content field is entity-escaped HTML ("&lt;p&gt;…"); it is
// unescaped and converted to text. The company is the board's company_name,
// or the source's name when the board does not send it. Greenhouse has no
// remote flag: a location that says "Remote" makes the posting remote.
type Greenhouse struct {
	base
}

type ghBoard struct {
	Jobs []ghJob `json:"jobs"`
}

type ghJob struct {
	ID             int64  `json:"id"`
	Title          string `json:"title"`
	UpdatedAt      string `json:"updated_at"`
	FirstPublished string `json:"first_published"`
	AbsoluteURL    string `json:"absolute_url"`
	Content        string `json:"content"`
	CompanyName    string `json:"company_name"`
	Location       struct {
		Name string `json:"name"`
	} `json:"location"`
}

// Fetch returns the board's open postings.
func (g *Greenhouse) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	var board ghBoard
	u := g.baseURL + "/v1/boards/" + url.PathEscape(g.cfg.Keys["token"]) + "/jobs?content=true"
	if err := g.getJSON(ctx, u, &board); err != nil {
		return nil, err
	}
	ps := make([]jobpilot.Posting, 0, len(board.Jobs))
	for _, j := range board.Jobs {
		company := j.CompanyName
		if company == "" {
			company = g.cfg.Name
		}
		published := parseTime(j.FirstPublished)
		if published.IsZero() {
			published = parseTime(j.UpdatedAt)
		}
		ps = append(ps, jobpilot.Posting{
			ExternalID:  strconv.FormatInt(j.ID, 10),
			Company:     company,
			Title:       j.Title,
			Location:    j.Location.Name,
			Remote:      isRemoteText(j.Location.Name),
			Description: HTMLToText(j.Content),
			URL:         j.AbsoluteURL,
			ApplyURL:    j.AbsoluteURL,
			PublishedAt: published,
		})
	}
	return g.finish(ps), nil
}

// parseTime reads the boards' timestamps (RFC 3339, with or without
// fractional seconds); anything else is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
