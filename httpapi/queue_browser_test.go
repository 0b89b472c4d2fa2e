package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
)

// seedQueue adds n ready applications by email to the running system, on
// postings of the source "seed:board": the first `northwind` at Northwind,
// the rest at Contoso, scored 95, 94, … and, every fifth one, with
// "zeppelin" in the description. They reuse the documents of tmpl, an
// application the system prepared. It returns them in creation order.
func (e *env) seedQueue(t *testing.T, tmpl *jobpilot.Application, n, northwind int) []*jobpilot.Application {
	t.Helper()
	ctx := context.Background()
	docs, err := e.sys.Store.Documents(ctx, tmpl.ID)
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]jobpilot.Posting, n)
	for i := range ps {
		company, desc := "Contoso", "Build payment services in Go."
		if i < northwind {
			company = "Northwind"
		}
		if i%5 == 0 {
			desc = "Keep the zeppelin fleet's booking system flying. " + desc
		}
		ps[i] = jobpilot.Posting{ExternalID: fmt.Sprint("seed-", i), Company: company, Title: fmt.Sprintf("Seeded Role %02d", i),
			Location: "Berlin", Description: desc, URL: fmt.Sprintf("https://jobs.%s.example/%d", strings.ToLower(company), i),
			ContactEmail: "jobs@" + strings.ToLower(company) + ".example"}
	}
	if _, err := e.sys.Store.UpsertPostings(ctx, "seed:board", ps, false); err != nil {
		t.Fatal(err)
	}
	apps := make([]*jobpilot.Application, n)
	for i, p := range ps {
		a := &jobpilot.Application{ProfileID: tmpl.ProfileID, PostingID: p.ID, Status: jobpilot.StatusReady, Score: 95 - i,
			ApplyVia: jobpilot.ApplyViaEmail, Writer: "template", Explanation: jobpilot.Match{Score: 95 - i, For: []string{"seeded reason"}}}
		if created, err := e.sys.Store.CreateApplication(ctx, a); err != nil || !created {
			t.Fatalf("seed application %d: created %v, %v", i, created, err)
		}
		d := *docs
		d.ApplicationID = a.ID
		if err := e.sys.Store.SaveDocuments(ctx, &d); err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	return apps
}

// cards reads the review queue's cards on the page: their ids and scores,
// in page order.
func cards(t *testing.T, ctx context.Context) (ids []string, scores []int) {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#review article.app"), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		var score int
		if _, err := fmt.Sscan(n.AttributeValue("data-score"), &score); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strings.TrimPrefix(n.AttributeValue("id"), "app-"))
		scores = append(scores, score)
	}
	return ids, scores
}

// shot writes a full-page screenshot to artifacts/name.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// text reads the text of the element sel selects.
func text[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %v: %v", sel, err)
	}
	return s
}

// TestReviewQueueInBrowser drives the review queue in real headless
// Chromium: cards by score over two pages, the company and score filters,
// the search, a card's detail page (description, recipient and domain,
// history, resume preview), bulk approve of a filtered page and bulk
// dismiss of two ticked cards with a reason. Screenshots go to artifacts/.
func TestReviewQueueInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium(t)
	e := newEnv(t)
	tmpl := e.readyByEmail(t)
	const n, northwind = 30, 20
	seeded := e.seedQueue(t, tmpl, n, northwind)
	ctx, _ := browser(t, exe)
	if err := chromedp.Do(ctx, append(signIn(e.srv.URL),
		chromedp.WaitVisible(chromedp.ID("review")),
	)...); err != nil {
		t.Fatalf("login: %v", err)
	}

	// Pages: the best scores first, a full first page, the rest on the
	// next one, nothing twice.
	first, scores := cards(t, ctx)
	if len(first) != httpapi.QueuePageSize || !slices.IsSortedFunc(scores, func(a, b int) int { return b - a }) || scores[0] != 95 {
		t.Fatalf("first page: %d cards scored %v", len(first), scores)
	}
	shot(t, ctx, "queue.png")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("next-page")), chromedp.WaitVisible(chromedp.ID("first-page"))); err != nil {
		t.Fatalf("next page: %v", err)
	}
	second, scores2 := cards(t, ctx)
	if len(second) == 0 || scores2[0] > scores[len(scores)-1] {
		t.Fatalf("second page: %v after %v", scores2, scores)
	}
	for _, id := range second {
		if slices.Contains(first, id) {
			t.Fatalf("application %s on both pages", id)
		}
	}
	ready, err := e.sys.Store.CountByStatus(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(first) + len(second); got != ready[jobpilot.StatusReady] {
		t.Fatalf("two pages show %d cards; %d applications are ready", got, ready[jobpilot.StatusReady])
	}

	// Filters: Northwind (typed in lower case) scoring 80 or more.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.SendKeys(chromedp.ID("company"), "northwind"),
		chromedp.SendKeys(chromedp.ID("min-score"), "80"),
		chromedp.Click(chromedp.ID("apply-filters")),
		chromedp.WaitVisible(chromedp.ID("clear-filters")),
	); err != nil {
		t.Fatalf("filter: %v", err)
	}
	ids, scores := cards(t, ctx)
	var want []string
	for _, a := range seeded[:northwind] {
		if a.Score >= 80 {
			want = append(want, fmt.Sprint(a.ID))
		}
	}
	if !slices.Equal(ids, want) || slices.Min(scores) < 80 {
		t.Fatalf("Northwind ≥ 80 shows %v (scores %v), want %v", ids, scores, want)
	}
	shot(t, ctx, "queue-filtered.png")

	// Search: a word of the description, whatever its case.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.SendKeys(chromedp.ID("q"), "Zeppelin"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.ID("clear-filters")),
	); err != nil {
		t.Fatalf("search: %v", err)
	}
	ids, _ = cards(t, ctx)
	want = nil
	for i, a := range seeded {
		if i%5 == 0 {
			want = append(want, fmt.Sprint(a.ID))
		}
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("search zeppelin shows %v, want %v", ids, want)
	}

	// The detail page of the first result.
	top := seeded[0]
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID(fmt.Sprint("open-", top.ID))),
		chromedp.WaitVisible(chromedp.ID("description")),
		chromedp.WaitVisible(chromedp.ID("resume")),
	); err != nil {
		t.Fatalf("detail page: %v", err)
	}
	desc, recipient, history := text(t, ctx, chromedp.ID("description")), text(t, ctx, chromedp.ID("recipient")), text(t, ctx, chromedp.ID("history"))
	if !strings.Contains(desc, "zeppelin fleet") || !strings.Contains(recipient, "jobs@northwind.example") ||
		!strings.Contains(recipient, "northwind.example") || !strings.Contains(history, "created as ready") {
		t.Fatalf("detail page: description %q, recipient %q, history %q", desc, recipient, history)
	}
	shot(t, ctx, "queue-detail.png")

	// Bulk approve: every Contoso card of the page, ticked at once.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/?company=Contoso"),
		chromedp.Click(chromedp.ID("select-all")),
		chromedp.WaitVisible(chromedp.ID("bulk-approve")),
		chromedp.Click(chromedp.ID("bulk-approve")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatalf("bulk approve: %v", err)
	}
	flash := text(t, ctx, chromedp.CSS(".flash"))
	if want := fmt.Sprintf("Approved %d applications.", n-northwind); flash != want {
		t.Fatalf("flash %q, want %q", flash, want)
	}
	for _, a := range seeded[northwind:] {
		if s := e.status(t, a.ID); s == jobpilot.StatusReady || s == jobpilot.StatusDismissed {
			t.Fatalf("approved application %d is %s", a.ID, s)
		}
	}
	if ids, _ := cards(t, ctx); len(ids) != 0 {
		t.Fatalf("the Contoso page still shows %v", ids)
	}

	// Bulk dismiss: two ticked cards, with a reason.
	a, b := seeded[1], seeded[2]
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/?company=Northwind"),
		chromedp.Click(chromedp.ID(fmt.Sprint("pick-", a.ID))),
		chromedp.Click(chromedp.ID(fmt.Sprint("pick-", b.ID))),
		chromedp.SendKeys(chromedp.ID("bulk-reason"), "relocation needed"),
		chromedp.Click(chromedp.ID("bulk-dismiss")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatalf("bulk dismiss: %v", err)
	}
	flash = text(t, ctx, chromedp.CSS(".flash"))
	if flash != "Dismissed 2 applications." {
		t.Fatalf("flash %q", flash)
	}
	for _, d := range []*jobpilot.Application{a, b} {
		if s := e.status(t, d.ID); s != jobpilot.StatusDismissed {
			t.Fatalf("dismissed application %d is %s", d.ID, s)
		}
		evs, err := e.sys.Store.Events(context.Background(), jobpilot.EventFilter{ApplicationID: d.ID})
		if err != nil || len(evs) == 0 || !strings.Contains(evs[0].Message, "dismissed by the candidate: relocation needed") {
			t.Fatalf("application %d's last event: %v, %v", d.ID, evs, err)
		}
	}
	ids, _ = cards(t, ctx)
	if slices.Contains(ids, fmt.Sprint(a.ID)) || slices.Contains(ids, fmt.Sprint(b.ID)) || len(ids) != northwind-2 {
		t.Fatalf("after dismissing two, the Northwind page shows %v", ids)
	}
	if s := e.status(t, seeded[3].ID); s != jobpilot.StatusReady {
		t.Fatalf("an unticked application is %s", s)
	}
	shot(t, ctx, "queue-after-bulk.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("review"))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "queue-phone.png")
}
