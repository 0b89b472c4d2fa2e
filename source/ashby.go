package source

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// AshbyType is the "ashby" board: an Ashby organisation's job-board API.
var AshbyType = Type{
	Name:           "ashby",
	Keys:           []Key{{Name: "org", Required: true, Doc: "organisation: jobs.ashbyhq.com/<org>"}},
	DefaultBaseURL: "https://api.ashbyhq.com",
	SlugKey:        "org",
	New:            func(b base) jobpilot.Source { return &Ashby{base: b} },
}

// Ashby reads an Ashby job board:
// GET {base}/posting-api/job-board/{org}?includeCompensation=true, one
// request for the whole board. Postings marked isListed=false are left
// out. The description is descriptionHtml converted to text, or
// descriptionPlain when there is no HTML. Ashby does not name the company:
// it is the source's name.
type Ashby struct {
	base
}

type ashbyJob struct {
	ID                 string `json:"id"`
	Title              string `json:"title"`
	Location           string `json:"location"`
	SecondaryLocations []struct {
		Location string `json:"location"`
	} `json:"secondaryLocations"`
	IsRemote         bool   `json:"isRemote"`
	WorkplaceType    string `json:"workplaceType"`
	EmploymentType   string `json:"employmentType"`
	IsListed         *bool  `json:"isListed"`
	DescriptionHTML  string `json:"descriptionHtml"`
	DescriptionPlain string `json:"descriptionPlain"`
	JobURL           string `json:"jobUrl"`
	ApplyURL         string `json:"applyUrl"`
	PublishedAt      string `json:"publishedAt"`
	Compensation     *struct {
		TierSummary       string           `json:"compensationTierSummary"`
		SalarySummary     string           `json:"scrapeableCompensationSalarySummary"`
		SummaryComponents []ashbyComponent `json:"summaryComponents"`
		Tiers             []struct {
			Components []ashbyComponent `json:"components"`
		} `json:"compensationTiers"`
	} `json:"compensation"`
}

type ashbyComponent struct {
	CompensationType string   `json:"compensationType"` // Salary, EquityPercentage, Bonus, Commission …
	Interval         string   `json:"interval"`         // "1 YEAR", "1 HOUR" …
	CurrencyCode     string   `json:"currencyCode"`
	MinValue         *float64 `json:"minValue"`
	MaxValue         *float64 `json:"maxValue"`
}

// ashbyIntervals maps a component's interval to a pay period.
var ashbyIntervals = map[string]string{
	"1 YEAR": jobpilot.PayYear, "1 MONTH": jobpilot.PayMonth, "1 WEEK": jobpilot.PayWeek,
	"1 DAY": jobpilot.PayDay, "1 HOUR": jobpilot.PayHour,
}

// Fetch returns the board's listed postings.
func (a *Ashby) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, a.FetchEach)
}

// FetchEach streams the board's jobs array, one job at a time.
func (a *Ashby) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	u := a.baseURL + "/posting-api/job-board/" + url.PathEscape(a.cfg.Keys["org"]) + "?includeCompensation=true"
	return a.client.Stream(ctx, a.name, u, func(_ context.Context, body io.Reader) error {
		return a.decode(body, yield)
	})
}

// decode reads a board document.
func (a *Ashby) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	return eachElement(body, []string{"jobs"}, func(i int, raw json.RawMessage) error {
		var j ashbyJob
		if !a.decodeEntry(i, raw, &j) || j.IsListed != nil && !*j.IsListed {
			return nil
		}
		return a.emit(a.posting(j), yield)
	})
}

// posting normalises one job: its secondary locations join its location,
// workplaceType (or isRemote) gives the work mode, and the salary component
// of its compensation the pay, with the tier summary as the pay's text.
func (a *Ashby) posting(j ashbyJob) jobpilot.Posting {
	desc := HTMLToText(j.DescriptionHTML)
	if desc == "" {
		desc = HTMLToText(j.DescriptionPlain)
	}
	p := jobpilot.Posting{
		ExternalID:     j.ID,
		Company:        a.cfg.Name,
		Title:          j.Title,
		Location:       j.Location,
		EmploymentType: employmentOf(j.EmploymentType),
		Description:    desc,
		URL:            j.JobURL,
		ApplyURL:       j.ApplyURL,
		PublishedAt:    parseTime(j.PublishedAt),
	}
	var places []string
	for _, l := range j.SecondaryLocations {
		places = append(places, l.Location)
	}
	p.Locations = boundedPlaces(places)
	workplace := j.WorkplaceType
	if workplace == "" && j.IsRemote {
		workplace = "remote"
	}
	fillPlaces(&p, workplace)
	p.Remote = p.Remote || j.IsRemote
	p.Pay = a.pay(j)
	return p
}

func (a *Ashby) pay(j ashbyJob) *jobpilot.Pay {
	c := j.Compensation
	if c == nil {
		return nil
	}
	text := boundedText(oneLine(firstNonEmpty(c.TierSummary, c.SalarySummary)), 300)
	comps := c.SummaryComponents
	for _, t := range c.Tiers {
		comps = append(comps, t.Components...)
	}
	for _, comp := range comps {
		if !strings.EqualFold(comp.CompensationType, "salary") || comp.MinValue == nil && comp.MaxValue == nil {
			continue
		}
		p := &jobpilot.Pay{Currency: strings.ToUpper(comp.CurrencyCode), Period: ashbyIntervals[strings.ToUpper(comp.Interval)], Text: text}
		if comp.MinValue != nil && validAmount(*comp.MinValue) {
			p.Min = *comp.MinValue
		}
		if comp.MaxValue != nil && validAmount(*comp.MaxValue) {
			p.Max = *comp.MaxValue
		}
		if p.Max > 0 && p.Max < p.Min {
			p.Min, p.Max = p.Max, p.Min
		}
		if !isISOCurrency(p.Currency) {
			p.Currency = ""
		}
		return p
	}
	if p := parsePay(text); p != nil {
		return p
	}
	if text == "" {
		return nil
	}
	return &jobpilot.Pay{Text: text}
}
