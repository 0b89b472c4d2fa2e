package source_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/source/sourcetest"
)

// Every source type passes the same conformance suite; a new type adds its
// Kind here (its board's real shape) and nothing else.
func TestConformance(t *testing.T) {
	for _, k := range []sourcetest.Kind{greenhouseKind, leverKind, ashbyKind, hnKind, jsonKind,
		workableKind, smartRecruitersKind, recruiteeKind, personioKind, rssKind, atomKind} {
		t.Run(k.Type, func(t *testing.T) {
			t.Parallel()
			sourcetest.Exercise(t, k)
		})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// withMalformed puts the board's malformed entry after its first job.
func withMalformed(b sourcetest.Board, entries []any, malformed any) []any {
	if !b.Malformed {
		return entries
	}
	at := min(1, len(entries))
	return append(entries[:at:at], append([]any{malformed}, entries[at:]...)...)
}

func num(id string) int64 { n, _ := strconv.ParseInt(id, 10, 64); return n }

var greenhouseKind = sourcetest.Kind{
	Type: "greenhouse",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "greenhouse", Name: name, BaseURL: base, Keys: map[string]string{"token": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/v1/boards/"+name+"/jobs" || r.URL.Query().Get("content") != "true" {
			return false
		}
		var jobs []any
		for _, j := range b.Jobs {
			jobs = append(jobs, map[string]any{"id": num(j.ID), "internal_job_id": num(j.ID) + 1, "title": j.Title,
				"updated_at": "2026-11-20T10:15:00-05:00", "requisition_id": "R-" + j.ID, "company_name": j.Company,
				"absolute_url": "https://boards.greenhouse.io/" + name + "/jobs/" + j.ID, "location": map[string]any{"name": j.Location},
				"metadata": nil, "content": html.EscapeString(j.HTML)})
		}
		jobs = withMalformed(b, jobs, map[string]any{"id": "not-a-number", "title": 5})
		writeJSON(w, map[string]any{"jobs": jobs, "meta": map[string]any{"total": len(jobs)}})
		return true
	},
}

var leverKind = sourcetest.Kind{
	Type: "lever",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "lever", Name: name, BaseURL: base, Keys: map[string]string{"site": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		q := r.URL.Query()
		if r.URL.Path != "/v0/postings/"+name || q.Get("mode") != "json" {
			return false
		}
		var all []any
		for _, j := range b.Jobs {
			all = append(all, map[string]any{"id": j.ID, "text": j.Title, "categories": map[string]any{"location": j.Location, "commitment": "Full-time"},
				"description": j.HTML, "descriptionPlain": "", "lists": []any{}, "hostedUrl": "https://jobs.lever.co/" + name + "/" + j.ID,
				"applyUrl": "https://jobs.lever.co/" + name + "/" + j.ID + "/apply", "createdAt": 1762000000000, "workplaceType": "unspecified"})
		}
		all = withMalformed(b, all, map[string]any{"id": 42, "text": map[string]any{"x": 1}})
		skip, _ := strconv.Atoi(q.Get("skip"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		end := min(skip+limit, len(all))
		page := []any{}
		if skip < end {
			page = all[skip:end]
		}
		writeJSON(w, page)
		return true
	},
	SetPageSize: source.SetLeverPageSize,
}

var ashbyKind = sourcetest.Kind{
	Type: "ashby",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "ashby", Name: name, BaseURL: base, Keys: map[string]string{"org": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/posting-api/job-board/"+name {
			return false
		}
		var jobs []any
		for _, j := range b.Jobs {
			jobs = append(jobs, map[string]any{"id": j.ID, "title": j.Title, "location": j.Location, "secondaryLocations": []any{},
				"isListed": true, "isRemote": false, "employmentType": "FullTime", "descriptionHtml": j.HTML, "descriptionPlain": "",
				"jobUrl": "https://jobs.ashbyhq.com/" + name + "/" + j.ID, "applyUrl": "https://jobs.ashbyhq.com/" + name + "/" + j.ID + "/application",
				"publishedAt": "2026-11-05T14:30:00.123+00:00"})
		}
		jobs = withMalformed(b, jobs, map[string]any{"id": 5, "title": []any{}})
		writeJSON(w, map[string]any{"apiVersion": "1", "jobs": jobs})
		return true
	},
}

var hnKind = sourcetest.Kind{
	Type: "hn",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "hn", Name: name, BaseURL: base}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		switch r.URL.Path {
		case "/api/v1/search_by_date":
			writeJSON(w, map[string]any{"hits": []any{map[string]any{"objectID": "777", "title": "Ask HN: Who is hiring? (December 2026)",
				"created_at_i": 1796140800, "author": "whoishiring"}}})
			return true
		case "/api/v1/items/777":
		default:
			return false
		}
		var children []any
		for _, j := range b.Jobs {
			text := fmt.Sprintf("%s | %s | %s<p>%s", html.EscapeString(j.Company), html.EscapeString(j.Title), html.EscapeString(j.Location),
				strings.TrimPrefix(j.HTML, "<p>"))
			children = append(children, map[string]any{"id": num(j.ID), "created_at": "2026-12-01T16:01:00.000Z", "type": "comment",
				"author": "u" + j.ID, "text": text, "parent_id": 777, "children": []any{}})
		}
		children = withMalformed(b, children, map[string]any{"id": "x", "text": 5})
		writeJSON(w, map[string]any{"id": 777, "type": "story", "title": "Ask HN: Who is hiring? (December 2026)", "children": children})
		return true
	},
}

var jsonKind = sourcetest.Kind{
	Type: "json",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "json", Name: name, Keys: map[string]string{"url": base + "/" + name + "/feed.json"}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/"+name+"/feed.json" {
			return false
		}
		var ps []any
		for _, j := range b.Jobs {
			ps = append(ps, map[string]any{"external_id": j.ID, "company": j.Company, "title": j.Title, "location": j.Location,
				"description": j.HTML, "url": "https://feed.example/jobs/" + j.ID})
		}
		ps = withMalformed(b, ps, map[string]any{"external_id": 5, "company": []any{"x"}})
		writeJSON(w, map[string]any{"postings": ps})
		return true
	},
}

var workableKind = sourcetest.Kind{
	Type: "workable",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "workable", Name: name, BaseURL: base, Keys: map[string]string{"account": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/api/v1/widget/accounts/"+name || r.URL.Query().Get("details") != "true" {
			return false
		}
		var jobs []any
		for _, j := range b.Jobs {
			jobs = append(jobs, map[string]any{"title": j.Title, "shortcode": j.ID, "code": "", "employment_type": "Full-time",
				"telecommuting": false, "department": "Engineering", "url": "https://apply.workable.com/j/W" + j.ID,
				"shortlink": "https://apply.workable.com/j/W" + j.ID, "application_url": "https://apply.workable.com/j/W" + j.ID + "/apply",
				"published_on": "2026-11-02", "created_at": "2026-11-02", "country": "Germany", "city": j.Location, "state": "",
				"locations":   []any{map[string]any{"country": "Germany", "countryCode": "DE", "city": j.Location, "region": "", "hidden": false}},
				"description": j.HTML})
		}
		jobs = withMalformed(b, jobs, map[string]any{"title": 7, "shortcode": []any{}})
		writeJSON(w, map[string]any{"name": "Acme", "description": nil, "jobs": jobs})
		return true
	},
}

var smartRecruitersKind = sourcetest.Kind{
	Type: "smartrecruiters",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "smartrecruiters", Name: name, BaseURL: base, Keys: map[string]string{"company": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		list := "/v1/companies/" + name + "/postings"
		summary := func(j sourcetest.Job) map[string]any {
			return map[string]any{"id": j.ID, "name": j.Title, "uuid": "uuid-" + j.ID, "refNumber": "REF" + j.ID,
				"company": map[string]any{"identifier": name, "name": j.Company}, "releasedDate": "2026-11-02T10:00:00.000Z",
				"location":         map[string]any{"city": j.Location, "country": "de", "remote": false, "fullLocation": j.Location},
				"typeOfEmployment": map[string]any{"id": "permanent", "label": "Full-time"},
				"ref":              "https://api.smartrecruiters.com/v1/companies/" + name + "/postings/" + j.ID}
		}
		if id, ok := strings.CutPrefix(r.URL.Path, list+"/"); ok {
			for _, j := range b.Jobs {
				if j.ID == id {
					d := summary(j)
					d["postingUrl"] = "https://jobs.smartrecruiters.com/" + name + "/" + j.ID
					d["applyUrl"] = "https://jobs.smartrecruiters.com/" + name + "/" + j.ID + "?oga=true"
					d["jobAd"] = map[string]any{"sections": map[string]any{
						"jobDescription": map[string]any{"title": "Job Description", "text": j.HTML}}}
					writeJSON(w, d)
					return true
				}
			}
			return false
		}
		if r.URL.Path != list {
			return false
		}
		var all []any
		for _, j := range b.Jobs {
			all = append(all, summary(j))
		}
		all = withMalformed(b, all, map[string]any{"id": 9, "name": map[string]any{}})
		q := r.URL.Query()
		offset, _ := strconv.Atoi(q.Get("offset"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		end := min(offset+limit, len(all))
		page := []any{}
		if offset < end {
			page = all[offset:end]
		}
		writeJSON(w, map[string]any{"offset": offset, "limit": limit, "totalFound": len(all), "content": page})
		return true
	},
	SetPageSize: source.SetSmartRecruitersPageSize,
}

var recruiteeKind = sourcetest.Kind{
	Type: "recruitee",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "recruitee", Name: name, BaseURL: base, Keys: map[string]string{"company": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/api/offers/" {
			return false
		}
		var offers []any
		for _, j := range b.Jobs {
			offers = append(offers, map[string]any{"id": num(j.ID), "slug": "job-" + j.ID, "title": j.Title, "status": "published",
				"company_name": j.Company, "description": j.HTML, "requirements": "", "location": j.Location, "city": j.Location,
				"country": "Germany", "remote": false, "hybrid": false, "on_site": true, "employment_type_code": "fulltime_permanent",
				"careers_url":       "https://" + name + ".recruitee.com/o/job-" + j.ID,
				"careers_apply_url": "https://" + name + ".recruitee.com/o/job-" + j.ID + "/c/new",
				"published_at":      "2026-11-02 09:00:00 UTC", "locations": []any{}, "salary": map[string]any{"min": nil, "max": nil}})
		}
		offers = withMalformed(b, offers, map[string]any{"id": "x", "title": false})
		writeJSON(w, map[string]any{"offers": offers})
		return true
	},
}

var personioKind = sourcetest.Kind{
	Type: "personio",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "personio", Name: name, BaseURL: base, Keys: map[string]string{"company": name}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/xml" || r.URL.Query().Get("language") != "en" {
			return false
		}
		var x strings.Builder
		x.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<workzag-jobs>\n")
		for i, j := range b.Jobs {
			if i == 1 && b.Malformed {
				x.WriteString("<position><id>not-a-number</id><name></name></position>\n")
			}
			fmt.Fprintf(&x, `<position><id>%s</id><subcompany>%s</subcompany><office>%s</office><department>Engineering</department>`+
				`<recruitingCategory>Software</recruitingCategory><name>%s</name><jobDescriptions><jobDescription><name>Your role</name>`+
				`<value><![CDATA[%s]]></value></jobDescription></jobDescriptions><employmentType>permanent</employmentType>`+
				`<seniority>experienced</seniority><schedule>full-time</schedule><yearsOfExperience>2-5</yearsOfExperience>`+
				`<createdAt>2026-10-12T09:30:00+00:00</createdAt></position>`+"\n",
				j.ID, xmlText(j.Company), xmlText(j.Location), xmlText(j.Title), j.HTML)
		}
		x.WriteString("</workzag-jobs>\n")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(x.String()))
		return true
	},
}

var rssKind = sourcetest.Kind{
	Type: "feed (rss)",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "feed", Name: name, Keys: map[string]string{"url": base + "/" + name + "/jobs.rss"}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/"+name+"/jobs.rss" {
			return false
		}
		var x strings.Builder
		x.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Acme careers</title>` +
			`<link>https://acme.example/careers</link><description>Open roles at Acme</description>` + "\n")
		for i, j := range b.Jobs {
			if i == 1 && b.Malformed {
				x.WriteString("<item><description>no title, no link, no guid</description></item>\n")
			}
			fmt.Fprintf(&x, `<item><title>%s</title><link>https://acme.example/jobs/%s</link><guid isPermaLink="false">%s</guid>`+
				`<pubDate>Mon, 02 Nov 2026 09:00:00 +0000</pubDate><description>%s</description></item>`+"\n",
				xmlText(j.Title), j.ID, j.ID, xmlText(j.HTML))
		}
		x.WriteString("</channel></rss>\n")
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(x.String()))
		return true
	},
}

var atomKind = sourcetest.Kind{
	Type: "feed (atom)",
	Config: func(name, base string) source.Spec {
		return source.Spec{Type: "feed", Name: name, Keys: map[string]string{"url": base + "/" + name + "/jobs.atom", "company": "Acme"}}
	},
	Serve: func(w http.ResponseWriter, r *http.Request, name string, b sourcetest.Board) bool {
		if r.URL.Path != "/"+name+"/jobs.atom" {
			return false
		}
		var x strings.Builder
		x.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<feed xmlns="http://www.w3.org/2005/Atom"><title>Jobs</title>` +
			`<id>urn:acme:jobs</id><updated>2026-11-02T09:00:00Z</updated>` + "\n")
		for i, j := range b.Jobs {
			if i == 1 && b.Malformed {
				x.WriteString("<entry><summary>nothing else</summary></entry>\n")
			}
			fmt.Fprintf(&x, `<entry><id>%s</id><title>%s</title><link rel="alternate" href="https://acme.example/jobs/%s"/>`+
				`<published>2026-11-02T09:00:00Z</published><updated>2026-11-02T09:00:00Z</updated>`+
				`<content type="html">%s</content></entry>`+"\n", j.ID, xmlText(j.Title), j.ID, xmlText(j.HTML))
		}
		x.WriteString("</feed>\n")
		w.Header().Set("Content-Type", "application/atom+xml")
		_, _ = w.Write([]byte(x.String()))
		return true
	},
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
