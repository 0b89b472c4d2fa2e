package source

import (
	"context"
	"encoding/xml"
	"io"
	"net/url"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// PersonioType is the "personio" board: the XML feed of a company's
// Personio careers page.
var PersonioType = Type{
	Name: "personio",
	Keys: []Key{
		{Name: "company", Required: true, Doc: "careers page name: <company>.jobs.personio.de"},
		{Name: "language", Doc: "language of the texts: en (default), de, fr, es, nl, it, pt …"},
	},
	DefaultBaseURL: "https://" + companyPlaceholder + ".jobs.personio.de",
	SlugKey:        "company",
	Check:          checkHostLabel("company"),
	New:            func(b base) jobpilot.Source { return &Personio{base: b} },
}

// Personio reads a Personio careers page's feed: GET
// {base}/xml?language=en, one XML document with every published position
// (no paging), decoded one <position> at a time. The API root is the
// company's own host, https://{company}.jobs.personio.de; a base_url
// replaces it ("{company}" in it stands for the company). The description
// is the position's jobDescriptions, each under its own heading; the
// company is the position's subcompany, else the source's name; office and
// additionalOffices are its places (an office named "Remote" makes it
// remote); schedule and employmentType its employment type. Positions link
// to {base}/job/{id}.
type Personio struct {
	base
}

type personioPosition struct {
	ID                string   `xml:"id"`
	Subcompany        string   `xml:"subcompany"`
	Office            string   `xml:"office"`
	AdditionalOffices []string `xml:"additionalOffices>office"`
	Department        string   `xml:"department"`
	Name              string   `xml:"name"`
	Descriptions      []struct {
		Name  string `xml:"name"`
		Value string `xml:"value"`
	} `xml:"jobDescriptions>jobDescription"`
	EmploymentType string `xml:"employmentType"`
	Schedule       string `xml:"schedule"`
	CreatedAt      string `xml:"createdAt"`
}

// Fetch returns the feed's positions.
func (p *Personio) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, p.FetchEach)
}

// FetchEach streams the feed, one position at a time.
func (p *Personio) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	lang := firstNonEmpty(strings.TrimSpace(p.cfg.Keys["language"]), "en")
	u := p.root() + "/xml?language=" + url.QueryEscape(lang)
	return p.client.stream(ctx, p.name, u, acceptXML, func(_ context.Context, body io.Reader) error {
		return xmlErr(p.decode(body, yield))
	})
}

func (p *Personio) root() string { return boardRoot(p.baseURL, p.cfg.Keys["company"]) }

func (p *Personio) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	i := 0
	return eachXMLElement(body, []string{"workzag-jobs"}, func(dec *xml.Decoder, start xml.StartElement, path []string) (bool, error) {
		if len(path) != 2 || path[1] != "position" {
			return false, nil
		}
		var pos personioPosition
		if err := dec.DecodeElement(&pos, &start); err != nil {
			return true, err
		}
		i++
		if !isDigits(pos.ID) {
			p.log.Warn("posting skipped", "index", i-1, "reason", "position id is not a number: "+boundedText(pos.ID, 40))
			return true, nil
		}
		return true, p.emit(p.posting(pos), yield)
	})
}

func (p *Personio) posting(pos personioPosition) jobpilot.Posting {
	var h strings.Builder
	for _, d := range pos.Descriptions {
		if strings.TrimSpace(d.Value) == "" {
			continue
		}
		if d.Name != "" {
			h.WriteString("<h3>" + d.Name + "</h3>")
		}
		h.WriteString(d.Value)
	}
	jobURL := p.root() + "/job/" + pos.ID
	out := jobpilot.Posting{
		ExternalID:     pos.ID,
		Company:        firstNonEmpty(strings.TrimSpace(pos.Subcompany), p.cfg.Name),
		Title:          pos.Name,
		Location:       pos.Office,
		Locations:      boundedPlaces(pos.AdditionalOffices),
		EmploymentType: personioEmployment(pos.EmploymentType, pos.Schedule),
		Description:    HTMLToText(h.String()),
		URL:            jobURL,
		ApplyURL:       jobURL + "#apply",
		PublishedAt:    parseBoardTime(pos.CreatedAt),
	}
	fillPlaces(&out, "")
	out.Pay = payInText(out.Description)
	return out
}

// personioEmployment reads employmentType (permanent, intern, trainee,
// freelance, working_student …) and schedule (full-time, part-time).
func personioEmployment(kind, schedule string) string {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "intern", "trainee", "working_student", "apprentice":
		return jobpilot.EmploymentInternship
	case "freelance":
		return jobpilot.EmploymentContract
	case "temporary":
		return jobpilot.EmploymentTemporary
	}
	return employmentOf(schedule)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
