package source

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// WorkableType is the "workable" board: a Workable account's careers page,
// through the public widget API its careers page and job widget load.
var WorkableType = Type{
	Name:           "workable",
	Keys:           []Key{{Name: "account", Required: true, Doc: "account name: apply.workable.com/<account>"}},
	DefaultBaseURL: "https://apply.workable.com",
	SlugKey:        "account",
	New:            func(b base) jobpilot.Source { return &Workable{base: b} },
}

// Workable reads a Workable careers page:
// GET {base}/api/v1/widget/accounts/{account}?details=true, one request for
// the whole board (the API has no paging). The company is the account's
// name as the document gives it, else the source's name. description (the
// job's HTML, which details=true adds) is converted to text; telecommuting
// makes a job remote, and every entry of locations is kept.
type Workable struct {
	base
}

type workableJob struct {
	Title          string `json:"title"`
	Shortcode      string `json:"shortcode"`
	EmploymentType string `json:"employment_type"`
	Telecommuting  bool   `json:"telecommuting"`
	Workplace      string `json:"workplace"` // "on_site", "hybrid", "remote" where the account sets it
	Department     string `json:"department"`
	URL            string `json:"url"`
	Shortlink      string `json:"shortlink"`
	ApplicationURL string `json:"application_url"`
	PublishedOn    string `json:"published_on"`
	CreatedAt      string `json:"created_at"`
	Country        string `json:"country"`
	City           string `json:"city"`
	State          string `json:"state"`
	Locations      []struct {
		Country string `json:"country"`
		City    string `json:"city"`
		Region  string `json:"region"`
		Hidden  bool   `json:"hidden"`
	} `json:"locations"`
	Description     string `json:"description"`
	FullDescription string `json:"full_description"`
	Requirements    string `json:"requirements"`
	Benefits        string `json:"benefits"`
	Salary          *struct {
		From     flexAmount `json:"salary_from"`
		To       flexAmount `json:"salary_to"`
		Currency string     `json:"salary_currency"`
	} `json:"salary"`
}

// Fetch returns the board's published jobs.
func (w *Workable) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, w.FetchEach)
}

// FetchEach streams the board's jobs array, one job at a time.
func (w *Workable) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	u := w.baseURL + "/api/v1/widget/accounts/" + url.PathEscape(w.cfg.Keys["account"]) + "?details=true"
	return w.client.Stream(ctx, w.name, u, func(_ context.Context, body io.Reader) error {
		return w.decode(body, yield)
	})
}

// decode reads an account document: {"name": …, "jobs": [...]}, the name
// before the jobs as Workable sends it (a name after them is not used).
func (w *Workable) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	dec := json.NewDecoder(body)
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok != json.Delim('{') {
		return fmt.Errorf("%w: want an account object, got %v", errNotBoard, tok)
	}
	company := w.cfg.Name
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case "name":
			var name string
			if err := dec.Decode(&name); err == nil && strings.TrimSpace(name) != "" {
				company = name
			}
		case "jobs":
			tok, err := dec.Token()
			if err != nil || tok == nil {
				return err
			}
			if tok != json.Delim('[') {
				return fmt.Errorf("%w: want a jobs array, got %v", errNotBoard, tok)
			}
			return eachRest(dec, func(i int, raw json.RawMessage) error {
				var j workableJob
				if !w.decodeEntry(i, raw, &j) {
					return nil
				}
				return w.emit(w.posting(company, j), yield)
			})
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%w: no \"jobs\"", errNotBoard)
}

// posting normalises one job.
func (w *Workable) posting(company string, j workableJob) jobpilot.Posting {
	html := firstNonEmpty(j.FullDescription, j.Description)
	if j.Requirements != "" {
		html += "<h3>Requirements</h3>" + j.Requirements
	}
	if j.Benefits != "" {
		html += "<h3>Benefits</h3>" + j.Benefits
	}
	p := jobpilot.Posting{
		ExternalID:     j.Shortcode,
		Company:        company,
		Title:          j.Title,
		Location:       joinPlace(j.City, j.State, j.Country),
		EmploymentType: employmentOf(j.EmploymentType),
		Description:    HTMLToText(html),
		URL:            firstNonEmpty(j.URL, j.Shortlink),
		ApplyURL:       firstNonEmpty(j.ApplicationURL, j.URL, j.Shortlink),
		PublishedAt:    parseBoardTime(firstNonEmpty(j.PublishedOn, j.CreatedAt)),
	}
	var places []string
	for _, l := range j.Locations {
		if place := joinPlace(l.City, l.Region, l.Country); !l.Hidden && place != "" && place != p.Location {
			places = append(places, place)
		}
	}
	if p.Location == "" && len(places) > 0 {
		p.Location, places = places[0], places[1:]
	}
	p.Locations = boundedPlaces(places)
	workplace := j.Workplace
	if workplace == "" && j.Telecommuting {
		workplace = "remote"
	}
	fillPlaces(&p, workplace)
	if j.Salary != nil {
		p.Pay = rangePay(float64(j.Salary.From), float64(j.Salary.To), j.Salary.Currency, "", "")
	}
	if p.Pay == nil {
		p.Pay = payInText(p.Description)
	}
	return p
}

// joinPlace writes "City, Region, Country", leaving out empty parts and a
// region that repeats the city ("Berlin, Berlin").
func joinPlace(city, region, country string) string {
	var parts []string
	for _, s := range []string{city, region, country} {
		if s = strings.TrimSpace(s); s != "" && !strings.EqualFold(s, firstNonEmpty(parts...)) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
