package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/dbtest/storetest"
	"github.com/jobpilot/jobpilot/store"
)

// storeDash is the dashboard served over a store alone (no pipeline, no
// engine), signed in, with a clock the test moves.
type storeDash struct {
	db  *store.DB
	srv *httptest.Server
	c   *http.Client
	fx  storetest.Fixture

	mu  sync.Mutex
	now time.Time
}

func newStoreDash(t *testing.T, db *store.DB, postings int) *storeDash {
	t.Helper()
	d := &storeDash{db: db, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	d.fx = storetest.NewFixture(t, db, postings)
	d.srv = httptest.NewServer(httpapi.New(httpapi.Options{Store: db, Token: secretToken, Pipeline: storeDismiss{db: db},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time {
			d.mu.Lock()
			defer d.mu.Unlock()
			return d.now
		}}))
	t.Cleanup(d.srv.Close)
	jar, _ := cookiejar.New(nil)
	d.c = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := d.post(t, "/login", url.Values{"token": {secretToken}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return d
}

// storeDismiss is the one review action the queue's store-only tests use:
// Dismiss as apply.Service does it (ready → dismissed with the reason in the
// history). Every other action is nil and panics if called.
type storeDismiss struct {
	jobpilot.Review
	db *store.DB
}

func (r storeDismiss) Dismiss(ctx context.Context, id int64, why string) (*jobpilot.Application, error) {
	msg := "dismissed by the candidate"
	if why != "" {
		msg += ": " + why
	}
	return r.db.Transition(ctx, id, jobpilot.StatusDismissed, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusReady}, Reason: msg, Note: &why})
}

func (d *storeDash) advance(by time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(by)
	d.mu.Unlock()
}

func (d *storeDash) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := d.c.Get(d.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (d *storeDash) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := d.c.PostForm(d.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// csrf reads the form token from the queue page.
func (d *storeDash) csrf(t *testing.T) string {
	t.Helper()
	_, page := d.get(t, "/")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the queue page")
	}
	return m[1]
}

// ready creates a ready application on posting i scored score.
func (d *storeDash) ready(t *testing.T, i, score int) *jobpilot.Application {
	t.Helper()
	a := &jobpilot.Application{ProfileID: d.fx.Profile.ID, PostingID: d.fx.Postings[i].ID, Fingerprint: fmt.Sprint("fp-", i),
		Status: jobpilot.StatusReady, Score: score, ApplyVia: jobpilot.ApplyViaEmail}
	if _, err := d.db.CreateApplication(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// The status filter's counts are read at most every few seconds, but the
// dashboard's own actions show at once.
func TestQueueCountsCachedButFreshAfterActions(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		d := newStoreDash(t, db, 4)
		a := d.ready(t, 0, 80)
		if _, page := d.get(t, "/"); !strings.Contains(page, ">ready (1)<") {
			t.Fatalf("first count: %s", section(t, page, "filters"))
		}
		d.ready(t, 1, 70) // behind the dashboard's back
		if _, page := d.get(t, "/"); !strings.Contains(page, ">ready (1)<") {
			t.Fatalf("the count was read again within the TTL")
		}
		d.advance(6 * time.Second)
		if _, page := d.get(t, "/"); !strings.Contains(page, ">ready (2)<") {
			t.Fatalf("the count is stale after the TTL")
		}
		resp, _ := d.post(t, fmt.Sprintf("/applications/%d/dismiss", a.ID), url.Values{"csrf": {d.csrf(t)}, "reason": {"too far"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?done=dismissed" {
			t.Fatalf("dismiss: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page := d.get(t, "/?done=dismissed")
		if !strings.Contains(page, ">ready (1)<") || !strings.Contains(page, ">dismissed (1)<") {
			t.Fatalf("the counts did not follow the dismissal: %s", section(t, page, "filters"))
		}
		if !strings.Contains(page, "Dismissed. The application left the review queue.") || strings.Contains(page, `id="app-`+fmt.Sprint(a.ID)+`"`) {
			t.Fatal("the dismissed application is still in the queue, or no message says so")
		}
	})
}

// Bulk actions check their form: a CSRF token, an action, at least one
// and at most MaxBulk ids; approving needs the pipeline. A dismissal that
// cannot be (not ready) is counted, the others done, and the candidate
// returns to the page of the queue they were on.
func TestBulkFormChecks(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		d := newStoreDash(t, db, 3)
		a, b := d.ready(t, 0, 80), d.ready(t, 1, 60)
		sent := d.ready(t, 2, 90)
		ctx := context.Background()
		for _, to := range []jobpilot.Status{jobpilot.StatusApproved, jobpilot.StatusSending, jobpilot.StatusSent} {
			if _, err := db.Transition(ctx, sent.ID, to, jobpilot.Change{}); err != nil {
				t.Fatal(err)
			}
		}
		csrf := d.csrf(t)
		many := make([]string, httpapi.MaxBulk+1)
		for i := range many {
			many[i] = fmt.Sprint(i + 1)
		}
		for name, c := range map[string]struct {
			form url.Values
			code int
			text string
		}{
			"no csrf":   {url.Values{"action": {"dismiss"}, "id": {fmt.Sprint(a.ID)}}, http.StatusForbidden, "did not come from the dashboard"},
			"no action": {url.Values{"csrf": {csrf}, "id": {fmt.Sprint(a.ID)}}, http.StatusBadRequest, "must be approve or dismiss"},
			"no ids":    {url.Values{"csrf": {csrf}, "action": {"dismiss"}}, http.StatusBadRequest, "select at least one application"},
			"bad id":    {url.Values{"csrf": {csrf}, "action": {"dismiss"}, "id": {"x"}}, http.StatusBadRequest, "must be a positive integer"},
			"too many":  {url.Values{"csrf": {csrf}, "action": {"dismiss"}, "id": many}, http.StatusBadRequest, "at most 200"},
		} {
			resp, page := d.post(t, "/applications/bulk", c.form)
			if resp.StatusCode != c.code || !strings.Contains(page, c.text) {
				t.Errorf("%s: %d, want %d with %q", name, resp.StatusCode, c.code, c.text)
			}
		}
		if s := d.status(t, a.ID); s != jobpilot.StatusReady {
			t.Fatalf("a refused form changed application %d to %s", a.ID, s)
		}

		resp, _ := d.post(t, "/applications/bulk", url.Values{"csrf": {csrf}, "action": {"dismiss"}, "reason": {"  wrong\nstack  "},
			"id": {fmt.Sprint(a.ID), fmt.Sprint(sent.ID), fmt.Sprint(b.ID), fmt.Sprint(a.ID)}, "min_score": {"50"}, "after": {"90.1"}})
		want := "/?after=90.1&done=bulk_dismiss&failed=1&min_score=50&n=2"
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Fatalf("bulk dismiss: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		for _, app := range []*jobpilot.Application{a, b} {
			if s := d.status(t, app.ID); s != jobpilot.StatusDismissed {
				t.Fatalf("application %d is %s", app.ID, s)
			}
			evs, err := db.Events(ctx, jobpilot.EventFilter{ApplicationID: app.ID, Limit: 1})
			if err != nil || evs[0].Message != "ready → dismissed: dismissed by the candidate: wrong stack" {
				t.Fatalf("application %d's last event: %v, %v", app.ID, evs, err)
			}
		}
		if s := d.status(t, sent.ID); s != jobpilot.StatusSent {
			t.Fatalf("the sent application became %s", s)
		}
		_, page := d.get(t, want)
		if !strings.Contains(page, "Dismissed 2 applications. 1 could not be: no longer ready, or not sent by email.") {
			t.Fatalf("no flash for the bulk dismissal")
		}
	})
}

func (d *storeDash) status(t *testing.T, id int64) jobpilot.Status {
	t.Helper()
	a, err := d.db.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// The filter form's values come back into the form, escaped, and a
// malformed one is refused with its message; the pages' links carry the
// filters.
func TestQueueFilterForm(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		d := newStoreDash(t, db, 30)
		for i := range 30 {
			d.ready(t, i, 40+i)
		}
		code, page := d.get(t, "/?q=%22%3E%3Cscript%3E&company=Acme&min_score=45")
		if code != 200 || strings.Contains(page, "<script>") || !strings.Contains(page, `value="&#34;&gt;&lt;script&gt;"`) {
			t.Fatalf("search echo: %d", code)
		}
		code, page = d.get(t, "/?company=acme&min_score=42")
		if n := strings.Count(page, `class="app"`); code != 200 || n != httpapi.QueuePageSize {
			t.Fatalf("filtered first page: %d, %d cards", code, n)
		}
		if !strings.Contains(page, `href="/?after=45.`) || !strings.Contains(page, `company=acme&amp;min_score=42"`) {
			i := strings.Index(page, `id="next-page"`)
			t.Fatalf("the next page link lacks the filters: %s", page[max(0, i-120):i])
		}
		for path, msg := range map[string]string{
			"/?min_score=abc":  "must be a whole number from 0 to 100",
			"/?status=nothing": "unknown status",
			"/?after=oops":     "is not a queue position",
		} {
			if code, page := d.get(t, path); code != http.StatusBadRequest || !strings.Contains(page, msg) {
				t.Errorf("%s: %d, want 400 with %q", path, code, msg)
			}
		}
	})
}

// card returns the HTML of the review card of application id on page.
func card(t *testing.T, page string, id int64) string {
	t.Helper()
	i := strings.Index(page, fmt.Sprintf(`<article class="app" id="app-%d"`, id))
	if i < 0 {
		t.Fatalf("no card for application %d", id)
	}
	rest := page[i:]
	return rest[:strings.Index(rest, "</article>")]
}

// Cards and lists say what happened, not the bare status: an email only
// saved to the outbox (no SMTP server configured) never reads "sent", on
// the queue's card, the detail page or the admin page's recent list. Every
// review card shows its recipient's address, the address's domain and the
// site it was found on, and the check's warning when there is one.
func TestCardsSayWhatHappened(t *testing.T) {
	dbtest.RunStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStoreDash(t, db, 3)
		flagged := &jobpilot.Recipient{Address: "jobs@acme-careers.io", Domain: "acme-careers.io", Source: "jobs.example.com",
			Flags: []string{"domain differs from the company's: acme-careers.io (posting at jobs.example.com)"}}
		outboxed := d.ready(t, 0, 90)
		for _, step := range []jobpilot.Change{
			{Reason: "approved"}, {Reason: "sending", Recipient: flagged},
			{Reason: "saved to the outbox, not sent", Delivery: ptr(jobpilot.DeliveryOutbox), SentAt: ptr(d.now)},
		} {
			to := map[string]jobpilot.Status{"approved": jobpilot.StatusApproved, "sending": jobpilot.StatusSending}[step.Reason]
			if to == "" {
				to = jobpilot.StatusSent
			}
			if _, err := db.Transition(ctx, outboxed.ID, to, step); err != nil {
				t.Fatal(err)
			}
		}
		held := d.ready(t, 1, 80)
		if _, err := db.Update(ctx, held.ID, jobpilot.Change{Recipient: flagged}); err != nil {
			t.Fatal(err)
		}
		bare := d.ready(t, 2, 70) // no address stored, none on the posting

		_, page := d.get(t, "/?status=all")
		const label = "saved to outbox (no SMTP server configured)"
		sent := card(t, page, outboxed.ID)
		if !strings.Contains(sent, label) || strings.Contains(sent, ">sent<") {
			t.Fatalf("the outbox's card does not say where the email went:\n%s", sent)
		}
		for _, id := range []int64{outboxed.ID, held.ID} {
			c := card(t, page, id)
			for _, want := range []string{"jobs@acme-careers.io", "acme-careers.io</span>", "jobs.example.com", "Check the recipient:", "domain differs from the company&#39;s"} {
				if !strings.Contains(c, want) {
					t.Fatalf("card %d lacks %q:\n%s", id, want, c)
				}
			}
		}
		if c := card(t, page, bare.ID); !strings.Contains(c, "No recipient address") || strings.Contains(c, "Check the recipient") {
			t.Fatalf("a card without an address:\n%s", c)
		}

		_, detail := d.get(t, fmt.Sprintf("/applications/%d", outboxed.ID))
		if s := section(t, detail, "summary"); !strings.Contains(s, label) || strings.Contains(s, ">sent<") || !strings.Contains(s, "Check the recipient:") {
			t.Fatalf("the detail page's summary:\n%s", s)
		}
		_, admin := d.get(t, "/admin")
		if s := section(t, admin, "recent"); !strings.Contains(s, label) || strings.Contains(s, ">sent<") {
			t.Fatalf("the admin page's recent list:\n%s", s)
		}
	})
}

func ptr[T any](v T) *T { return &v }
