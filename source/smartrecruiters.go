package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// SmartRecruitersType is the "smartrecruiters" board: a company's postings
// through SmartRecruiters' public Posting API.
var SmartRecruitersType = Type{
	Name: "smartrecruiters",
	Keys: []Key{
		{Name: "company", Required: true, Doc: "company identifier: jobs.smartrecruiters.com/<company>"},
		{Name: "max_details", Doc: "most postings whose full text is requested per fetch (default 200; 0: none)"},
	},
	DefaultBaseURL: "https://api.smartrecruiters.com",
	SlugKey:        "company",
	Check: func(spec Spec) []*jobpilot.Error {
		if v, ok := spec.Keys["max_details"]; ok && v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return []*jobpilot.Error{jobpilot.FieldError("max_details", "must be a whole number, 0 or more (got %q)", v)}
			}
		}
		return nil
	},
	New: func(b base) jobpilot.Source {
		s := &SmartRecruiters{base: b, pageSize: 100, maxDetails: DefaultSmartRecruitersDetails}
		if v := b.cfg.Keys["max_details"]; v != "" {
			s.maxDetails, _ = strconv.Atoi(v)
		}
		return s
	},
}

// DefaultSmartRecruitersDetails bounds the details requests of one fetch.
const DefaultSmartRecruitersDetails = 200

// maxSmartRecruitersPages guards against a server that ignores offset.
const maxSmartRecruitersPages = 200

// SmartRecruiters reads a company's postings:
// GET {base}/v1/companies/{company}/postings?offset=…&limit=100, page by
// page until a page comes back short or brings nothing new. The list has no
// text: each posting's description (its job ad's sections, HTML, converted
// to text) comes from GET …/postings/{id}, one request per posting, for at
// most max_details postings per fetch (the first ones listed); the rest keep
// the list's fields and no description. A posting whose details are gone
// (404) or refused keeps the list's fields too; details that fail for a
// while fail the fetch, as a list page would.
type SmartRecruiters struct {
	base
	pageSize   int
	maxDetails int
}

type srPosting struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ReleasedDate string `json:"releasedDate"`
	Company      struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	} `json:"company"`
	Location struct {
		City         string `json:"city"`
		Region       string `json:"region"`
		Country      string `json:"country"`
		Remote       bool   `json:"remote"`
		Hybrid       bool   `json:"hybrid"`
		FullLocation string `json:"fullLocation"`
	} `json:"location"`
	TypeOfEmployment struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	} `json:"typeOfEmployment"`
	Ref        string `json:"ref"`
	PostingURL string `json:"postingUrl"`
	ApplyURL   string `json:"applyUrl"`
	JobAd      *struct {
		Sections map[string]struct {
			Title string `json:"title"`
			Text  string `json:"text"`
		} `json:"sections"`
	} `json:"jobAd"`
}

// srSections are a job ad's sections in the order a careers page shows them.
var srSections = []string{"companyDescription", "jobDescription", "qualifications", "additionalInformation"}

// Fetch returns every listed posting.
func (s *SmartRecruiters) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, s.FetchEach)
}

// FetchEach reads the list page by page and, after each page, the details
// of its postings (never while the page's request holds the host's slot).
func (s *SmartRecruiters) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	seen := map[string]bool{}
	details := 0
	for page := 0; ; page++ {
		if page == maxSmartRecruitersPages {
			return jobpilot.Permanent(fmt.Errorf("source %s: more than %d pages; the server seems to ignore offset", s.name, maxSmartRecruitersPages))
		}
		var list []srPosting
		err := s.client.Stream(ctx, s.name, s.listURL(page*s.pageSize, s.pageSize), func(_ context.Context, body io.Reader) error {
			var err error
			list, err = s.decodePage(body) // a retried page is read again
			return err
		})
		if err != nil {
			return err
		}
		fresh := 0
		for _, p := range list {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			fresh++
			if details < s.maxDetails && p.ID != "" {
				details++
				if p, err = s.details(ctx, p); err != nil {
					return err
				}
			}
			if err := s.emit(s.posting(p), yield); err != nil {
				return err
			}
		}
		if len(list) < s.pageSize || fresh == 0 {
			return nil
		}
	}
}

// decodePage reads one page of the list: at most a page of summaries,
// without text, so small whatever the board's size.
func (s *SmartRecruiters) decodePage(body io.Reader) ([]srPosting, error) {
	var list []srPosting
	err := eachElement(body, []string{"content"}, func(i int, raw json.RawMessage) error {
		var p srPosting
		if s.decodeEntry(i, raw, &p) {
			list = append(list, p)
		}
		return nil
	})
	return list, err
}

func (s *SmartRecruiters) listURL(offset, limit int) string {
	return fmt.Sprintf("%s/v1/companies/%s/postings?offset=%d&limit=%d", s.baseURL, url.PathEscape(s.cfg.Keys["company"]), offset, limit)
}

// details returns p with its job ad; p as it is when the posting is gone.
func (s *SmartRecruiters) details(ctx context.Context, p srPosting) (srPosting, error) {
	u := s.baseURL + "/v1/companies/" + url.PathEscape(s.cfg.Keys["company"]) + "/postings/" + url.PathEscape(p.ID)
	var full srPosting
	err := s.client.GetJSON(ctx, s.name, u, &full)
	var se *StatusError
	switch {
	case errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone):
		return p, nil // withdrawn since the list was read
	case errors.Is(err, jobpilot.ErrPermanent):
		// Refused or of the wrong shape: asking again would not help, and
		// the list's fields still make a posting.
		s.log.Warn("posting details skipped", "id", p.ID, "reason", err.Error())
		return p, nil
	case err != nil:
		return p, err // transient: the fetch fails and is tried again later
	}
	if full.ID != p.ID {
		return p, nil
	}
	return full, nil
}

// posting normalises one posting.
func (s *SmartRecruiters) posting(j srPosting) jobpilot.Posting {
	var h strings.Builder
	if j.JobAd != nil {
		for _, key := range srSections {
			if sec, ok := j.JobAd.Sections[key]; ok && strings.TrimSpace(sec.Text) != "" {
				if sec.Title != "" {
					h.WriteString("<h3>" + sec.Title + "</h3>")
				}
				h.WriteString(sec.Text)
			}
		}
	}
	company := j.Company.Name
	if company == "" {
		company = s.cfg.Name
	}
	l := j.Location
	location := l.FullLocation
	if location == "" {
		location = joinPlace(l.City, l.Region, strings.ToUpper(l.Country))
	}
	p := jobpilot.Posting{
		ExternalID:     j.ID,
		Company:        company,
		Title:          j.Name,
		Location:       location,
		EmploymentType: employmentOf(firstNonEmpty(j.TypeOfEmployment.Label, j.TypeOfEmployment.ID)),
		Description:    HTMLToText(h.String()),
		URL:            firstNonEmpty(j.PostingURL, "https://jobs.smartrecruiters.com/"+url.PathEscape(s.cfg.Keys["company"])+"/"+url.PathEscape(j.ID)),
		ApplyURL:       j.ApplyURL,
		PublishedAt:    parseBoardTime(j.ReleasedDate),
	}
	if p.ApplyURL == "" {
		p.ApplyURL = p.URL
	}
	workplace := ""
	switch {
	case l.Remote:
		workplace = "remote"
	case l.Hybrid:
		workplace = "hybrid"
	}
	fillPlaces(&p, workplace)
	p.Pay = payInText(p.Description)
	return p
}

// CountJobs asks for one posting and returns the total the list reports.
// The API answers any company identifier, known or not, with an empty list,
// so a company without postings is reported as not found.
func (s *SmartRecruiters) CountJobs(ctx context.Context) (int, error) {
	var page struct {
		TotalFound int `json:"totalFound"`
	}
	if err := s.client.GetJSON(ctx, s.name, s.listURL(0, 1), &page); err != nil {
		return 0, err
	}
	if page.TotalFound == 0 {
		return 0, errNoBoard
	}
	return page.TotalFound, nil
}
