package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/resilience"
)

// TestAPI runs every endpoint against the real system: happy paths, bad
// input with its documented codes, 401s, and finally greps everything the
// service said (responses, logs, printed configuration) for the secrets.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	app := e.readyByEmail(t)
	id := fmt.Sprint(app.ID)

	t.Run("auth", func(t *testing.T) {
		routes := []string{
			"GET /metrics", "GET /api/v1/profiles", "POST /api/v1/profiles", "GET /api/v1/profiles/1", "PUT /api/v1/profiles/1",
			"GET /api/v1/postings", "POST /api/v1/postings", "GET /api/v1/postings/1",
			"GET /api/v1/applications", "GET /api/v1/applications/" + id, "GET /api/v1/applications/" + id + "/resume.pdf",
			"GET /api/v1/applications/" + id + "/cover-letter", "GET /api/v1/applications/" + id + "/cover-letter.pdf",
			"POST /api/v1/applications/" + id + "/approve", "POST /api/v1/applications/" + id + "/status", "POST /api/v1/applications/" + id + "/reopen",
			"GET /api/v1/breakers", "POST /api/v1/breakers/email/reset", "GET /api/v1/scheduler", "POST /api/v1/scheduler/trigger",
			"POST /api/v1/scheduler/restart", "GET /api/v1/runs", "GET /api/v1/events", "GET /api/v1/nope",
		}
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt, " ")
			for _, tok := range []string{"", "wrong-token", secretToken + "x"} {
				code, body := e.do(t, method, path, tok, nil)
				if code != 401 || !strings.Contains(string(body), `"unauthorized"`) {
					t.Errorf("%s with token %q: %d %s, want 401", rt, tok, code, body)
				}
			}
		}
		if s := e.status(t, app.ID); s != jobpilot.StatusReady {
			t.Fatalf("an unauthorised approve changed the application to %s", s)
		}
		code, body := e.do(t, "GET", "/health", "", nil)
		var h jobpilot.Health
		if code != 200 || json.Unmarshal(body, &h) != nil || h.Status != "healthy" || !h.Scheduler.Running {
			t.Fatalf("/health without token: %d %s", code, body)
		}
	})

	t.Run("profiles", func(t *testing.T) {
		var list httpapi.Page[jobpilot.Profile]
		e.api(t, "GET", "/api/v1/profiles", nil, 200, &list)
		if len(list.Items) != 1 || !list.Items[0].Example {
			t.Fatalf("profiles = %+v, want the example one", list.Items)
		}
		pid := list.Items[0].ID
		var p jobpilot.Profile
		e.api(t, "GET", fmt.Sprintf("/api/v1/profiles/%d", pid), nil, 200, &p)
		if p.Name() == "" || p.Version != 1 {
			t.Fatalf("profile %+v", p)
		}
		body := map[string]any{"resume": map[string]any{"basics": map[string]any{"name": "Grace Hopper", "email": "grace@example.com"}},
			"preferences": map[string]any{"keywords": []string{"go"}, "min_score": 40}}
		var created jobpilot.Profile
		e.api(t, "POST", "/api/v1/profiles", body, 201, &created)
		if created.ID == 0 || created.Name() != "Grace Hopper" || created.Version != 1 {
			t.Fatalf("created %+v", created)
		}
		body["preferences"] = map[string]any{"min_score": 70}
		var replaced jobpilot.Profile
		e.api(t, "PUT", fmt.Sprintf("/api/v1/profiles/%d", created.ID), body, 200, &replaced)
		if replaced.Version != 2 || replaced.Preferences.EffectiveMinScore() != 70 {
			t.Fatalf("replaced %+v", replaced)
		}
		e.wantError(t, "PUT", "/api/v1/profiles/99999", body, 404, "not_found", "")
		e.wantError(t, "GET", "/api/v1/profiles/99999", nil, 404, "not_found", "")
		e.wantError(t, "GET", "/api/v1/profiles/abc", nil, 400, "invalid", "id")
		// Validation of a well-formed body: 422 with the field.
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":""}}}`, 422, "invalid", "resume.basics.name")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":"A","email":"nope"}}}`, 422, "invalid", "resume.basics.email")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":"A"},"work":[{"name":"X","startDate":"soon"}]}}`, 422, "invalid", "resume.work[0].startDate")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":"A"}},"preferences":{"remote":"mars"}}`, 422, "invalid", "preferences.remote")
		// Malformed bodies: 400.
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":`, 400, "invalid", "")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":"A"}},"admin":true}`, 400, "invalid", "admin")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":"A"}}} {}`, 400, "invalid", "")
		e.wantError(t, "POST", "/api/v1/profiles", `{"resume":{"basics":{"name":42}}}`, 400, "invalid", "resume.basics.name")
		e.wantError(t, "POST", "/api/v1/profiles", ``, 400, "invalid", "")
		big := `{"resume":{"basics":{"name":"` + strings.Repeat("a", httpapi.DefaultMaxBody) + `"}}}`
		e.wantError(t, "POST", "/api/v1/profiles", big, 413, "too_large", "")
	})

	t.Run("postings", func(t *testing.T) {
		var all httpapi.Page[jobpilot.Posting]
		e.api(t, "GET", "/api/v1/postings?limit=500", nil, 200, &all)
		if len(all.Items) < 3 || all.Next != "" {
			t.Fatalf("%d postings, next %q", len(all.Items), all.Next)
		}
		// Keyset pages of 2 cover the same postings in the same order.
		var ids []int64
		for after := ""; ; {
			var pg httpapi.Page[jobpilot.Posting]
			e.api(t, "GET", "/api/v1/postings?limit=2&after="+after, nil, 200, &pg)
			for _, p := range pg.Items {
				ids = append(ids, p.ID)
			}
			if pg.Next == "" {
				break
			}
			after = pg.Next
		}
		if len(ids) != len(all.Items) {
			t.Fatalf("paged %d postings, listed %d", len(ids), len(all.Items))
		}
		for i, p := range all.Items {
			if ids[i] != p.ID || (i > 0 && ids[i] <= ids[i-1]) {
				t.Fatalf("page order %v differs from list order", ids)
			}
		}
		var withEmail httpapi.Page[jobpilot.Posting]
		e.api(t, "GET", "/api/v1/postings?has_email=true&open=true&limit=500", nil, 200, &withEmail)
		if len(withEmail.Items) == 0 || len(withEmail.Items) >= len(all.Items) {
			t.Fatalf("has_email filter: %d of %d", len(withEmail.Items), len(all.Items))
		}
		for _, p := range withEmail.Items {
			if p.ContactEmail == "" {
				t.Fatalf("posting %d has no email", p.ID)
			}
		}
		first := all.Items[0]
		var q httpapi.Page[jobpilot.Posting]
		e.api(t, "GET", "/api/v1/postings?q="+strings.ToLower(first.Company[:3])+"&limit=500", nil, 200, &q)
		if len(q.Items) == 0 {
			t.Fatal("q filter found nothing")
		}
		var got jobpilot.Posting
		e.api(t, "GET", fmt.Sprintf("/api/v1/postings/%d", first.ID), nil, 200, &got)
		if got.Title != first.Title {
			t.Fatalf("got %q", got.Title)
		}
		manual := map[string]any{"company": "Initech", "title": "Go Engineer", "contact_email": "jobs@initech.example", "remote": true, "description": "Go and PostgreSQL"}
		var added jobpilot.Posting
		e.api(t, "POST", "/api/v1/postings", manual, 201, &added)
		if added.Source != "manual" || added.ContactEmail != "jobs@initech.example" || added.ID == 0 {
			t.Fatalf("added %+v", added)
		}
		e.api(t, "POST", "/api/v1/postings", manual, 200, nil) // the same job again: updated, not duplicated
		// Issue 14, finding 7: a NUL byte is invalid input (422), not a
		// database failure (500 on PostgreSQL).
		e.wantError(t, "POST", "/api/v1/postings", map[string]any{"company": "X", "title": "Y", "contact_email": "a@b.example", "description": "a\x00b"}, 422, "invalid", "description")
		detailed := map[string]any{"company": "Initech", "title": "SRE", "contact_email": "jobs@initech.example", "work_mode": "hybrid",
			"locations": []string{"Austin, TX", "Dallas, TX"}, "employment_type": "contract",
			"pay": map[string]any{"min": 90, "max": 110, "currency": "USD", "period": "hour", "text": "$90–110/h"}}
		var withDetails jobpilot.Posting
		e.api(t, "POST", "/api/v1/postings", detailed, 201, &withDetails)
		if withDetails.WorkMode != "hybrid" || withDetails.Location != "Austin, TX" || len(withDetails.Locations) != 2 ||
			withDetails.Pay == nil || withDetails.Pay.Max != 110 || withDetails.EmploymentType != "contract" {
			t.Fatalf("details: %+v %+v", withDetails, withDetails.Pay)
		}
		e.wantError(t, "POST", "/api/v1/postings", map[string]any{"company": "X", "title": "Y", "contact_email": "a@b.example", "work_mode": "sometimes"}, 422, "invalid", "work_mode")
		e.wantError(t, "POST", "/api/v1/postings", map[string]any{"company": "X", "title": "Y"}, 422, "invalid", "contact_email")
		e.wantError(t, "POST", "/api/v1/postings", map[string]any{"company": "X", "title": "Y", "contact_email": "not an email"}, 422, "invalid", "contact_email")
		e.wantError(t, "POST", "/api/v1/postings", map[string]any{"title": "Y", "contact_email": "a@b.example"}, 422, "invalid", "company")
		e.wantError(t, "POST", "/api/v1/postings", `{"company":"X","title":"Y","contact_email":"a@b.example","source":"evil"}`, 400, "invalid", "source")
		e.wantError(t, "GET", "/api/v1/postings?remote=maybe", nil, 400, "invalid", "remote")
		e.wantError(t, "GET", "/api/v1/postings?limit=0", nil, 400, "invalid", "limit")
		e.wantError(t, "GET", "/api/v1/postings/424242", nil, 404, "not_found", "")
		code, _ := e.do(t, "POST", "/api/v1/postings", secretToken, nil)
		if code != 400 {
			t.Fatalf("empty body: %d", code)
		}
	})

	t.Run("applications", func(t *testing.T) {
		var ready httpapi.Page[jobpilot.Application]
		e.api(t, "GET", "/api/v1/applications?status=ready", nil, 200, &ready)
		if len(ready.Items) == 0 {
			t.Fatal("no ready application listed")
		}
		for _, a := range ready.Items {
			if a.Status != jobpilot.StatusReady {
				t.Fatalf("status filter returned %s", a.Status)
			}
		}
		e.wantError(t, "GET", "/api/v1/applications?status=bogus", nil, 400, "invalid", "status")
		var d struct {
			jobpilot.Application
			Posting     *jobpilot.Posting `json:"posting"`
			Events      []jobpilot.Event  `json:"events"`
			HasDocs     bool              `json:"has_documents"`
			CoverLetter string            `json:"cover_letter"`
		}
		e.api(t, "GET", "/api/v1/applications/"+id, nil, 200, &d)
		if d.ID != app.ID || d.Posting == nil || len(d.Events) == 0 || !d.HasDocs || d.CoverLetter == "" {
			t.Fatalf("detail %+v", d)
		}
		code, pdf := e.do(t, "GET", "/api/v1/applications/"+id+"/resume.pdf", secretToken, nil)
		if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("resume.pdf: %d %.20q", code, pdf)
		}
		code, pdf = e.do(t, "GET", "/api/v1/applications/"+id+"/cover-letter.pdf", secretToken, nil)
		if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("cover-letter.pdf: %d", code)
		}
		code, letter := e.do(t, "GET", "/api/v1/applications/"+id+"/cover-letter", secretToken, nil)
		if code != 200 || string(letter) != d.CoverLetter {
			t.Fatalf("cover letter: %d %q", code, letter)
		}
		e.wantError(t, "GET", "/api/v1/applications/987654/resume.pdf", nil, 404, "not_found", "")

		// Invalid transitions and bad bodies.
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/status", `{"status":"interviewing"}`, 409, "conflict", "")
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/status", `{"status":"sent"}`, 422, "invalid", "status")
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/status", `{"status":"offered","note":1}`, 400, "invalid", "note")
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/reopen", `{"action":"mark_sent"}`, 409, "conflict", "")
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/reopen", `{"action":"shrug"}`, 422, "invalid", "action")
		e.wantError(t, "POST", "/api/v1/applications/987654/approve", nil, 404, "not_found", "")

		var approved jobpilot.Application
		e.api(t, "POST", "/api/v1/applications/"+id+"/approve", nil, 200, &approved)
		if approved.Status != jobpilot.StatusApproved {
			t.Fatalf("approve: %s", approved.Status)
		}
		e.wantError(t, "POST", "/api/v1/applications/"+id+"/approve", nil, 409, "conflict", "")
		waitFor(t, 20*time.Second, "the approved application to be sent", func() bool { return e.status(t, app.ID) == jobpilot.StatusSent })
		var moved jobpilot.Application
		e.api(t, "POST", "/api/v1/applications/"+id+"/status", map[string]string{"status": "interviewing"}, 200, &moved)
		if moved.Status != jobpilot.StatusInterviewing {
			t.Fatalf("status: %s", moved.Status)
		}
		// Reopen of a needs_review application: put one there as a crash would.
		other := e.readyByEmail(t)
		ctx := context.Background()
		for _, to := range []jobpilot.Status{jobpilot.StatusSending, jobpilot.StatusNeedsReview} {
			if _, err := e.sys.Store.Transition(ctx, other.ID, to, jobpilot.Change{Reason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		var reopened jobpilot.Application
		e.api(t, "POST", fmt.Sprintf("/api/v1/applications/%d/reopen", other.ID), map[string]string{"action": "mark_sent"}, 200, &reopened)
		if reopened.Status != jobpilot.StatusSent || reopened.SentAt == nil {
			t.Fatalf("reopen mark_sent: %+v", reopened)
		}
	})

	t.Run("breakers", func(t *testing.T) {
		b := e.sys.Resilience.Breakers.Breaker(resilience.BreakerEmail, resilience.BreakerSettings{FailureThreshold: 5, RecoveryTimeout: time.Minute})
		_ = b
		var list httpapi.Page[httpapi.BreakerView]
		e.api(t, "GET", "/api/v1/breakers", nil, 200, &list)
		found := false
		for _, v := range list.Items {
			found = found || (v.Name == "email" && v.State == "closed" && v.FailureThreshold > 0)
		}
		if !found {
			t.Fatalf("breakers %+v lack a closed email breaker", list.Items)
		}
		var v httpapi.BreakerView
		e.api(t, "POST", "/api/v1/breakers/email/reset", nil, 200, &v)
		if v.State != "closed" {
			t.Fatalf("after reset: %+v", v)
		}
		e.wantError(t, "POST", "/api/v1/breakers/nosuch/reset", nil, 404, "not_found", "")
	})

	t.Run("scheduler", func(t *testing.T) {
		var v httpapi.SchedulerView
		e.api(t, "GET", "/api/v1/scheduler", nil, 200, &v)
		if !v.Status.Running || len(v.Jobs) != 5 { // fetch, automation, follow-ups, cleanup, the notification digest
			t.Fatalf("scheduler %+v", v)
		}
		for _, j := range v.Jobs {
			if !j.NextRun.After(time.Now()) {
				t.Fatalf("job %s next run %v is not in the future", j.Name, j.NextRun)
			}
		}
		e.api(t, "POST", "/api/v1/scheduler/trigger", map[string]string{"kind": "cleanup"}, 202, nil)
		e.wantError(t, "POST", "/api/v1/scheduler/trigger", map[string]string{"kind": "send_application"}, 422, "invalid", "kind")
		e.wantError(t, "POST", "/api/v1/scheduler/trigger", `{}`, 422, "invalid", "kind")
		e.wantError(t, "POST", "/api/v1/scheduler/trigger", `{"kind":"cleanup"`, 400, "invalid", "")
		var st jobpilot.SchedulerStatus
		e.api(t, "POST", "/api/v1/scheduler/restart", nil, 200, &st)
		if !st.Running || st.Restarts != 1 {
			t.Fatalf("after restart: %+v", st)
		}
	})

	t.Run("runs and events", func(t *testing.T) {
		var runs httpapi.Page[jobpilot.Run]
		e.api(t, "GET", "/api/v1/runs", nil, 200, &runs)
		if len(runs.Items) == 0 || runs.Items[0].Kind == "" {
			t.Fatalf("runs %+v", runs)
		}
		var evs httpapi.Page[jobpilot.Event]
		e.api(t, "GET", "/api/v1/events?limit=3", nil, 200, &evs)
		if len(evs.Items) != 3 || evs.Next == "" || evs.Items[0].ID < evs.Items[2].ID {
			t.Fatalf("events page %+v", evs)
		}
		var older httpapi.Page[jobpilot.Event]
		e.api(t, "GET", "/api/v1/events?limit=3&after="+evs.Next, nil, 200, &older)
		if len(older.Items) == 0 || older.Items[0].ID >= evs.Items[2].ID {
			t.Fatalf("older page %+v", older)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		code, body := e.do(t, "GET", "/metrics", secretToken, nil)
		text := string(body)
		for _, want := range []string{
			`jobpilot_applications{status="interviewing"} 1`,
			`jobpilot_jobs{kind="send_application",state="completed"}`,
			`jobpilot_http_requests_total{code="201",method="POST",route="POST /api/v1/profiles"} 1`,
			`jobpilot_http_requests_total{code="401",method="GET",route="GET /metrics"}`,
			"jobpilot_resilience_breaker_state", "jobpilot_engine_restarts_total 1",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if code != 200 || t.Failed() {
			t.Fatalf("metrics %d:\n%s", code, text)
		}
	})

	t.Run("dashboard pages", func(t *testing.T) { dashboardPages(t, e) })

	t.Run("no secrets anywhere", func(t *testing.T) {
		var cfgOut bytes.Buffer
		if err := e.cfg.Print(&cfgOut); err != nil {
			t.Fatal(err)
		}
		e.mu.Lock()
		transcript := e.transcript.String()
		e.mu.Unlock()
		logs := e.logs.String()
		if len(transcript) < 10000 || !strings.Contains(logs, "engine started") || !strings.Contains(cfgOut.String(), "SMTP_PASSWORD") {
			t.Fatalf("too little to scan: %d bytes of responses, logs %d, config %d", len(transcript), len(logs), cfgOut.Len())
		}
		secrets := e.cfg.Secrets()
		if len(secrets) != 3 {
			t.Fatalf("configured secrets %d, want 3", len(secrets))
		}
		for _, s := range secrets {
			for name, text := range map[string]string{"responses": transcript, "logs": logs, "config check": cfgOut.String()} {
				if strings.Contains(text, s) {
					t.Errorf("a secret appears in the %s", name)
				}
			}
		}
	})
}
