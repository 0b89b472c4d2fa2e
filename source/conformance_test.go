package source_test

import (
	"encoding/json"
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
	for _, k := range []sourcetest.Kind{greenhouseKind, leverKind, ashbyKind, hnKind, jsonKind} {
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
