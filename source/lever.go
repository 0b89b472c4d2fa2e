package source

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	SlugKey:        "site",
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
		Location     string   `json:"location"`
		AllLocations []string `json:"allLocations"`
		Commitment   string   `json:"commitment"`
		Team         string   `json:"team"`
	} `json:"categories"`
	SalaryRange *struct {
		Min      float64 `json:"min"`
		Max      float64 `json:"max"`
		Currency string  `json:"currency"`
		Interval string  `json:"interval"`
	} `json:"salaryRange"`
	SalaryDescription      string `json:"salaryDescription"`
	SalaryDescriptionPlain string `json:"salaryDescriptionPlain"`
}

// leverIntervals maps salaryRange.interval to a pay period; Lever's other
// intervals (semi-month, bi-week, one-time) keep an empty period.
var leverIntervals = map[string]string{
	"per-year-salary": jobpilot.PayYear, "per-month-salary": jobpilot.PayMonth, "per-week-salary": jobpilot.PayWeek,
	"per-day-wage": jobpilot.PayDay, "per-hour-wage": jobpilot.PayHour,
}

// Fetch returns every open posting of the site, across pages.
func (l *Lever) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, l.FetchEach)
}

// FetchEach streams the site page by page, one posting at a time; it stops
// at a short page, or at a page with nothing new (a server that ignores
// skip).
func (l *Lever) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxLeverPages {
			return jobpilot.Permanent(fmt.Errorf("source %s: more than %d pages; the server seems to ignore skip", l.name, maxLeverPages))
		}
		u := fmt.Sprintf("%s/v0/postings/%s?mode=json&skip=%d&limit=%d", l.baseURL, url.PathEscape(l.cfg.Keys["site"]), page*l.pageSize, l.pageSize)
		var n, fresh int
		err := l.client.Stream(ctx, l.name, u, func(_ context.Context, body io.Reader) error {
			var err error
			n, fresh, err = l.decodePage(body, seen, yield) // a retried page counts again
			return err
		})
		if err != nil {
			return err
		}
		if n < l.pageSize || fresh == 0 {
			return nil
		}
	}
}

// decodePage reads one page: n entries, fresh of them not seen before.
func (l *Lever) decodePage(body io.Reader, seen map[string]bool, yield func(jobpilot.Posting) error) (n, fresh int, err error) {
	err = eachElement(body, nil, func(i int, raw json.RawMessage) error {
		n++
		var j leverPosting
		if !l.decodeEntry(i, raw, &j) {
			return nil
		}
		if !seen[j.ID] {
			fresh++
		}
		seen[j.ID] = true
		return l.emit(l.posting(j), yield)
	})
	return n, fresh, err
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
		ExternalID:     j.ID,
		Company:        l.cfg.Name,
		Title:          j.Text,
		Location:       j.Categories.Location,
		Locations:      boundedPlaces(j.Categories.AllLocations),
		EmploymentType: employmentOf(j.Categories.Commitment),
		Description:    desc,
		URL:            j.HostedURL,
		ApplyURL:       j.ApplyURL,
	}
	fillPlaces(&p, j.WorkplaceType)
	if j.CreatedAt > 0 {
		p.PublishedAt = time.UnixMilli(j.CreatedAt).UTC()
	}
	p.Pay = leverPay(j)
	return p
}

// leverPay is salaryRange with salaryDescription as its text; without a
// range, the amounts the description gives.
func leverPay(j leverPosting) *jobpilot.Pay {
	text := oneLine(j.SalaryDescriptionPlain)
	if text == "" {
		text = oneLine(HTMLToText(j.SalaryDescription))
	}
	text = boundedText(text, 300)
	r := j.SalaryRange
	if r == nil || r.Min <= 0 && r.Max <= 0 || !validAmount(r.Min) || !validAmount(r.Max) {
		if p := parsePay(text); p != nil {
			return p
		}
		if text == "" {
			return nil
		}
		return &jobpilot.Pay{Text: text}
	}
	p := &jobpilot.Pay{Min: r.Min, Max: r.Max, Currency: strings.ToUpper(r.Currency), Period: leverIntervals[r.Interval], Text: text}
	if p.Max > 0 && p.Max < p.Min {
		p.Min, p.Max = p.Max, p.Min
	}
	if !isISOCurrency(p.Currency) {
		p.Currency = ""
	}
	return p
}
