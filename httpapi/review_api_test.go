package httpapi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
)

// The candidate's review actions over the API: cancel inside the undo
// window, dismiss, block, mark applied, the tracker with its funnel and CSV
// export, retry, and edits refused by the guard.
func TestReviewActionsAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.sys.Apply.SendDelay = time.Hour // the undo window stays open for the test
	var ready []*jobpilot.Application
	var byURL *jobpilot.Application
	waitFor(t, 30*time.Second, "ready applications by email and by link", func() bool {
		apps, err := e.sys.Store.Applications(ctx, jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusReady}})
		if err != nil {
			t.Fatal(err)
		}
		ready, byURL = nil, nil
		for _, a := range apps {
			if a.ApplyVia == jobpilot.ApplyViaEmail {
				ready = append(ready, a)
			} else {
				byURL = a
			}
		}
		return len(ready) >= 3 && byURL != nil
	})
	path := func(id int64, action string) string { return fmt.Sprintf("/api/v1/applications/%d/%s", id, action) }

	// Approve shows the recipient and the end of the undo window; cancel
	// takes it back.
	// act answers a fresh application each time (JSON leaves absent fields
	// of a reused value as they were).
	act := func(method, p string, body any) jobpilot.Application {
		t.Helper()
		var a jobpilot.Application
		e.api(t, method, p, body, 200, &a)
		return a
	}
	app := act("POST", path(ready[0].ID, "approve"), nil)
	if app.Status != jobpilot.StatusApproved || app.SendAfter == nil || time.Until(*app.SendAfter) < 59*time.Minute ||
		app.Recipient == nil || app.Recipient.Address == "" || app.Recipient.Domain == "" {
		t.Fatalf("approved: %+v", app)
	}
	var detail httpapi.ApplicationDetail
	e.api(t, "GET", fmt.Sprintf("/api/v1/applications/%d", ready[0].ID), nil, 200, &detail)
	if !strings.Contains(detail.StatusLabel, "unless cancelled") || detail.Recipient == nil {
		t.Fatalf("detail of an approved application: label %q, recipient %+v", detail.StatusLabel, detail.Recipient)
	}
	app = act("POST", path(ready[0].ID, "cancel"), nil)
	if app.Status != jobpilot.StatusReady || app.SendAfter != nil {
		t.Fatalf("cancelled: %+v", app)
	}
	e.wantError(t, "POST", path(ready[0].ID, "cancel"), nil, 409, "conflict", "")

	// Dismiss, with and without a body; a bad body is 400.
	e.wantError(t, "POST", path(ready[0].ID, "dismiss"), `{"reason":5}`, 400, "invalid", "reason")
	app = act("POST", path(ready[0].ID, "dismiss"), map[string]string{"reason": "salary too low"})
	if app.Status != jobpilot.StatusDismissed || app.Note != "salary too low" {
		t.Fatalf("dismissed: %+v", app)
	}
	app = act("POST", path(ready[1].ID, "block"), map[string]string{"reason": "bad reviews"})
	var blocked httpapi.Page[jobpilot.BlockedCompany]
	e.api(t, "GET", fmt.Sprintf("/api/v1/profiles/%d/blocked", app.ProfileID), nil, 200, &blocked)
	if app.Status != jobpilot.StatusDismissed || len(blocked.Items) != 1 || blocked.Items[0].Reason != "bad reviews" {
		t.Fatalf("blocked: %+v %+v", app, blocked)
	}

	// A link-only job: approve says what to do; applied takes a date; the
	// tracker takes a status, a note and a date.
	e.wantError(t, "POST", path(byURL.ID, "approve"), nil, 409, "conflict", "")
	e.wantError(t, "POST", path(byURL.ID, "applied"), `{"date":"yesterday"}`, 422, "invalid", "date")
	app = act("POST", path(byURL.ID, "applied"), map[string]string{"date": "2026-11-30"})
	if app.Status != jobpilot.StatusApplied || app.SentAt == nil || app.SentAt.Format(time.DateOnly) != "2026-11-30" {
		t.Fatalf("applied: %+v", app)
	}
	e.wantError(t, "POST", path(byURL.ID, "status"), `{"status":"sent"}`, 422, "invalid", "status")
	app = act("POST", path(byURL.ID, "status"), map[string]string{"status": "interviewing", "note": "first call Tuesday", "at": "2026-12-02"})
	if app.Status != jobpilot.StatusInterviewing || app.Note != "first call Tuesday" || app.StatusAt.Format(time.DateOnly) != "2026-12-02" {
		t.Fatalf("interviewing: %+v", app)
	}

	var funnel jobpilot.Funnel
	e.api(t, "GET", "/api/v1/tracker/funnel", nil, 200, &funnel)
	if funnel.Stages[0].Count != 1 || funnel.Stages[2].Name != "interviewing" || funnel.Stages[2].Count != 1 ||
		funnel.Statuses[jobpilot.StatusDismissed] != 2 {
		t.Fatalf("funnel: %+v", funnel)
	}
	code, body := e.do(t, "GET", "/api/v1/tracker/applications.csv", secretToken, nil)
	if code != 200 {
		t.Fatalf("csv: %d %s", code, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	all, _ := e.sys.Store.Applications(ctx, jobpilot.ApplicationFilter{Limit: 1000})
	if len(rows) != len(all)+1 || strings.Join(rows[0], ",") != strings.Join(jobpilot.TrackerCSVHeader, ",") {
		t.Fatalf("csv: %d rows for %d applications; header %q", len(rows), len(all), rows[0])
	}
	post, _ := e.sys.Store.Posting(ctx, byURL.PostingID)
	found := false
	for _, r := range rows[1:] {
		if r[0] == fmt.Sprint(byURL.ID) {
			found = r[1] == post.Company && r[2] == post.Title && r[4] == "interviewing" && r[10] == "2026-11-30" &&
				r[11] == "2026-12-02" && r[12] == "first call Tuesday" && r[6] == fmt.Sprint(byURL.Score)
		}
	}
	if !found {
		t.Fatalf("csv lacks the interviewing row right:\n%s", body)
	}
	e.wantError(t, "GET", "/api/v1/tracker/funnel?profile_id=x", nil, 400, "invalid", "profile_id")

	// Restore: a dismissed application goes back to review, recorded in
	// its history; one that is not dismissed is 409.
	e.wantError(t, "POST", path(ready[2].ID, "restore"), nil, 409, "conflict", "")
	app = act("POST", path(ready[0].ID, "restore"), nil)
	if app.Status != jobpilot.StatusReady || app.Note != "" {
		t.Fatalf("restored: %+v", app)
	}
	var restored httpapi.ApplicationDetail
	e.api(t, "GET", fmt.Sprintf("/api/v1/applications/%d", ready[0].ID), nil, 200, &restored)
	if last := restored.Events[0]; !strings.Contains(last.Message, "dismissed → ready: restored by the candidate") {
		t.Fatalf("last event after restore: %+v", last)
	}
	e.wantError(t, "POST", path(ready[0].ID, "restore"), nil, 409, "conflict", "")

	// Retry only a failed application; edits refused by the guard are 422.
	e.wantError(t, "POST", path(ready[2].ID, "retry"), nil, 409, "conflict", "")
	letter := "Dear hiring team,\n\nAt Google I led forty engineers.\n\nBest regards"
	e.wantError(t, "PATCH", path(ready[2].ID, "documents"), map[string]string{"cover_letter": letter}, 422, "invalid", "cover_letter")
	e.wantError(t, "PATCH", path(ready[2].ID, "documents"), `{"resume":{"work":[{"index":99}]}}`, 422, "invalid", "resume.work[0].index")
	e.wantError(t, "PATCH", path(ready[2].ID, "documents"), `{"resume":{"work":[{"index":0}]},"extra":1}`, 400, "invalid", "extra")
	app = act("PATCH", path(ready[2].ID, "documents"), `{"resume":{"work":[{"index":1},{"index":0,"highlights":[0]}]}}`)
	if app.Status != jobpilot.StatusReady || !strings.Contains(app.Writer, "edited") {
		t.Fatalf("edited: %+v", app)
	}
}
