package source

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// RecruiteeType is the "recruitee" board: a company's Recruitee careers
// site, through its Careers Site API.
var RecruiteeType = Type{
	Name:           "recruitee",
	Keys:           []Key{{Name: "company", Required: true, Doc: "careers site name: <company>.recruitee.com"}},
	DefaultBaseURL: "https://" + companyPlaceholder + ".recruitee.com",
	SlugKey:        "company",
	Check:          checkHostLabel("company"),
	New:            func(b base) jobpilot.Source { return &Recruitee{base: b} },
}

// Recruitee reads a Recruitee careers site: GET {base}/api/offers/, one
// request for every published offer (the API has no paging). The API root
// is the company's own host, https://{company}.recruitee.com; a base_url
// replaces it ("{company}" in it stands for the company). An offer's
// description and requirements (HTML) become the description; its
// remote, hybrid and on_site flags the work mode; its locations every
// place; its salary, when the company publishes one, the pay.
type Recruitee struct {
	base
}

type recruiteeOffer struct {
	ID              int64  `json:"id"`
	Slug            string `json:"slug"`
	Title           string `json:"title"`
	Status          string `json:"status"`
	CompanyName     string `json:"company_name"`
	Description     string `json:"description"`
	Requirements    string `json:"requirements"`
	Location        string `json:"location"`
	City            string `json:"city"`
	Country         string `json:"country"`
	Remote          bool   `json:"remote"`
	Hybrid          bool   `json:"hybrid"`
	OnSite          bool   `json:"on_site"`
	EmploymentType  string `json:"employment_type_code"`
	CareersURL      string `json:"careers_url"`
	CareersApplyURL string `json:"careers_apply_url"`
	PublishedAt     string `json:"published_at"`
	CreatedAt       string `json:"created_at"`
	Locations       []struct {
		Name    string `json:"name"`
		City    string `json:"city"`
		State   string `json:"state"`
		Country string `json:"country"`
	} `json:"locations"`
	Salary *struct {
		Min      flexAmount `json:"min"`
		Max      flexAmount `json:"max"`
		Currency string     `json:"currency"`
		Period   string     `json:"period"`
	} `json:"salary"`
}

// Fetch returns the site's published offers.
func (r *Recruitee) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, r.FetchEach)
}

// FetchEach streams the offers array, one offer at a time.
func (r *Recruitee) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	u := boardRoot(r.baseURL, r.cfg.Keys["company"]) + "/api/offers/"
	return r.client.Stream(ctx, r.name, u, func(_ context.Context, body io.Reader) error {
		return r.decode(body, yield)
	})
}

func (r *Recruitee) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	return eachElement(body, []string{"offers"}, func(i int, raw json.RawMessage) error {
		var o recruiteeOffer
		if !r.decodeEntry(i, raw, &o) || o.Status != "" && o.Status != "published" {
			return nil
		}
		return r.emit(r.posting(o), yield)
	})
}

func (r *Recruitee) posting(o recruiteeOffer) jobpilot.Posting {
	html := o.Description
	if strings.TrimSpace(o.Requirements) != "" {
		html += "<h3>Requirements</h3>" + o.Requirements
	}
	id := ""
	if o.ID > 0 {
		id = strconv.FormatInt(o.ID, 10)
	}
	p := jobpilot.Posting{
		ExternalID:     id,
		Company:        firstNonEmpty(o.CompanyName, r.cfg.Name),
		Title:          o.Title,
		Location:       firstNonEmpty(o.Location, joinPlace(o.City, "", o.Country)),
		EmploymentType: employmentOf(strings.ReplaceAll(o.EmploymentType, "_", " ")),
		Description:    HTMLToText(html),
		URL:            o.CareersURL,
		ApplyURL:       firstNonEmpty(o.CareersApplyURL, o.CareersURL),
		PublishedAt:    parseBoardTime(firstNonEmpty(o.PublishedAt, o.CreatedAt)),
	}
	var places []string
	for _, l := range o.Locations {
		if place := firstNonEmpty(l.Name, joinPlace(l.City, l.State, l.Country)); place != p.Location {
			places = append(places, place)
		}
	}
	p.Locations = boundedPlaces(places)
	workplace := ""
	switch {
	case o.Remote:
		workplace = "remote"
	case o.Hybrid:
		workplace = "hybrid"
	case o.OnSite:
		workplace = "onsite"
	}
	fillPlaces(&p, workplace)
	if s := o.Salary; s != nil {
		p.Pay = rangePay(float64(s.Min), float64(s.Max), s.Currency, payPeriodOf(s.Period), "")
	}
	if p.Pay == nil {
		p.Pay = payInText(p.Description)
	}
	return p
}
