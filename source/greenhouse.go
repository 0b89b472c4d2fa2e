package source

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// GreenhouseType is the "greenhouse" board: a Greenhouse job board's public
// API, by the board token.
var GreenhouseType = Type{
	Name:           "greenhouse",
	Keys:           []Key{{Name: "token", Required: true, Doc: "board token: boards.greenhouse.io/<token>"}},
	DefaultBaseURL: "https://boards-api.greenhouse.io",
	SlugKey:        "token",
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
	Offices []struct {
		Name     string  `json:"name"`
		Location *string `json:"location"`
	} `json:"offices"`
}

// Fetch returns the board's open postings.
func (g *Greenhouse) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, g.FetchEach)
}

// FetchEach streams the board's jobs array, one job at a time.
func (g *Greenhouse) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	u := g.baseURL + "/v1/boards/" + url.PathEscape(g.cfg.Keys["token"]) + "/jobs?content=true"
	return g.client.Stream(ctx, g.name, u, func(_ context.Context, body io.Reader) error {
		return g.decode(body, yield)
	})
}

// decode reads a board document.
func (g *Greenhouse) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	return eachElement(body, []string{"jobs"}, func(i int, raw json.RawMessage) error {
		var j ghJob
		if !g.decodeEntry(i, raw, &j) {
			return nil
		}
		return g.emit(g.posting(j), yield)
	})
}

// posting normalises one job. Its locations are location.name (split at
// ";", as boards list several) and its offices; work mode and regions come
// from what they say ("Remote - Europe"): Greenhouse has no field for them.
func (g *Greenhouse) posting(j ghJob) jobpilot.Posting {
	company := j.CompanyName
	if company == "" {
		company = g.cfg.Name
	}
	published := parseTime(j.FirstPublished)
	if published.IsZero() {
		published = parseTime(j.UpdatedAt)
	}
	p := jobpilot.Posting{
		ExternalID:  strconv.FormatInt(j.ID, 10),
		Company:     company,
		Title:       j.Title,
		Location:    j.Location.Name,
		Description: HTMLToText(j.Content),
		URL:         j.AbsoluteURL,
		ApplyURL:    j.AbsoluteURL,
		PublishedAt: published,
	}
	var places []string
	if first, _, ok := strings.Cut(j.Location.Name, ";"); ok {
		p.Location = first
		places = strings.Split(j.Location.Name, ";")
	}
	for _, o := range j.Offices {
		if o.Location != nil && *o.Location != "" {
			places = append(places, *o.Location)
		} else {
			places = append(places, o.Name)
		}
	}
	p.Locations = boundedPlaces(places)
	fillPlaces(&p, "")
	p.Pay = greenhousePay(j.Content)
	return p
}

// greenhousePay reads the pay-transparency block Greenhouse renders into a
// description (<div class="pay-range"><span>$150,000</span>…
// <span>$190,000 USD</span></div>); nil when there is none.
func greenhousePay(content string) *jobpilot.Pay {
	if !strings.Contains(content, "<") {
		content = html.UnescapeString(content)
	}
	i := strings.Index(content, `class="pay-range"`)
	if i < 0 {
		return nil
	}
	block := content[i:min(len(content), i+600)]
	if end := strings.Index(block, "</div>"); end >= 0 {
		block = block[:end]
	}
	if j := strings.Index(block, ">"); j >= 0 {
		block = block[j+1:]
	}
	return parsePay(strings.ReplaceAll(HTMLToText(block), "\n", " "))
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

// CountJobs reads the board's list without the descriptions (content=false
// is a fraction of the size) and returns its meta.total, for discovery.
func (g *Greenhouse) CountJobs(ctx context.Context) (int, error) {
	var board struct {
		Jobs []json.RawMessage `json:"jobs"`
		Meta struct {
			Total *int `json:"total"`
		} `json:"meta"`
	}
	u := g.baseURL + "/v1/boards/" + url.PathEscape(g.cfg.Keys["token"]) + "/jobs"
	if err := g.client.GetJSON(ctx, g.name, u, &board); err != nil {
		return 0, err
	}
	if board.Meta.Total != nil {
		return *board.Meta.Total, nil
	}
	return len(board.Jobs), nil
}
