package httpapi

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jobpilot/jobpilot"
)

// QueuePageSize is how many cards a page of the review queue shows.
const QueuePageSize = 25

// MaxBulk bounds the applications one bulk action may name.
const MaxBulk = 200

// queueParams are the queue's filter form as the URL carries it. Status ""
// is the default view (ready), "all" every status.
type queueParams struct {
	Status   string
	MinScore string
	Company  string
	Source   string
	Search   string
	After    string
	// Pick ticks every card's checkbox ("select all on this page" without
	// script: the dashboard runs none).
	Pick bool
}

// queueParamsOf reads the filter form from v; a malformed score or position
// is EINVALID.
func queueParamsOf(v url.Values) (queueParams, jobpilot.QueueFilter, error) {
	p := queueParams{
		Status: strings.TrimSpace(v.Get("status")), MinScore: strings.TrimSpace(v.Get("min_score")),
		Company: strings.TrimSpace(v.Get("company")), Source: strings.TrimSpace(v.Get("source")),
		Search: strings.TrimSpace(v.Get("q")), After: strings.TrimSpace(v.Get("after")),
		Pick: v.Get("pick") == "all",
	}
	f := jobpilot.QueueFilter{Company: p.Company, Source: p.Source, Search: p.Search, Limit: QueuePageSize}
	switch st := jobpilot.Status(p.Status); {
	case p.Status == "":
		f.Statuses = []jobpilot.Status{jobpilot.StatusReady}
	case p.Status == "all":
	case st.Valid():
		f.Statuses = []jobpilot.Status{st}
	default:
		return p, f, jobpilot.FieldError("status", "unknown status %q", p.Status)
	}
	if p.MinScore != "" {
		n, err := strconv.Atoi(p.MinScore)
		if err != nil || n < 0 || n > 100 {
			return p, f, jobpilot.FieldError("min_score", "must be a whole number from 0 to 100")
		}
		f.MinScore = n
	}
	if p.After != "" {
		c, err := jobpilot.ParseQueueCursor(p.After)
		if err != nil {
			return p, f, err
		}
		f.After = &c
	}
	return p, f, nil
}

// url is the queue page of these filters at position after ("" for the
// first page), with extra parameters; empty fields are left out.
func (p queueParams) url(after string, extra ...string) string {
	v := url.Values{}
	for k, s := range map[string]string{"status": p.Status, "min_score": p.MinScore, "company": p.Company,
		"source": p.Source, "q": p.Search, "after": after} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// Filtered reports whether any filter differs from the default view.
func (p queueParams) Filtered() bool {
	return p.Status != "" || p.MinScore != "" || p.Company != "" || p.Source != "" || p.Search != ""
}

// statusOption is one choice of the queue's status filter.
type statusOption struct {
	Value, Label string
	Count        int
	Selected     bool
}

// queueView is the review queue page's own data.
type queueView struct {
	Params queueParams
	Cards  []queueCard
	// HTML are the cards rendered (cardCache).
	HTML []template.HTML
	// Statuses are the status filter's choices other than the default
	// view (ready), whose count is Ready.
	Statuses []statusOption
	Ready    int
	// Companies and Sources are this page's, offered as the filters'
	// suggestions.
	Companies, Sources []string
	// NextURL is the next page's URL, FirstURL the first page's when this
	// one is not it.
	NextURL, FirstURL string
	// SelectAllURL is this page with every checkbox ticked.
	SelectAllURL string
	// Undo is the application just approved from this page while its
	// undo window is open: the page offers to cancel it.
	Undo *jobpilot.Application
}

// queue is the candidate's home page: the review queue, best score first.
func (s *server) queue(w http.ResponseWriter, r *http.Request, sid []byte, flash string) {
	d := &dashData{Title: "Review", CSRF: s.sessions.csrf(sid), Flash: flash, Now: s.Now()}
	params, f, err := queueParamsOf(r.URL.Query())
	d.Review = &queueView{Params: params}
	if err == nil {
		err = s.loadQueue(r.Context(), d.Review, f)
	}
	if err == nil {
		d.Review.Undo, err = s.undoable(r.Context(), r.URL.Query().Get("undo"))
	}
	for i := 0; err == nil && i < len(d.Review.Cards); i++ {
		var html template.HTML
		html, err = s.cards.render(&d.Review.Cards[i], d.CSRF)
		d.Review.HTML = append(d.Review.HTML, html)
	}
	status := http.StatusOK
	if err != nil {
		var detail ErrorDetail
		status, detail = statusFor(err)
		if status >= 500 {
			s.log.ErrorContext(r.Context(), "loading the review queue failed", "err", err)
		}
		d.Error = detail.Message
	}
	s.render(w, r, status, "queue.html", d)
}

func (s *server) loadQueue(ctx context.Context, v *queueView, f jobpilot.QueueFilter) error {
	page, err := s.Store.Queue(ctx, f)
	if err != nil {
		return err
	}
	v.Cards = make([]queueCard, 0, len(page.Items))
	if page.Next != nil {
		v.NextURL = v.Params.url(page.Next.String())
	}
	if f.After != nil {
		v.FirstURL = v.Params.url("")
	}
	v.SelectAllURL = v.Params.url(v.Params.After, "pick", "all")
	for _, it := range page.Items {
		v.Cards = append(v.Cards, cardOf(it, v.Params.Pick))
		if !slices.Contains(v.Companies, it.Posting.Company) {
			v.Companies = append(v.Companies, it.Posting.Company)
		}
		if !slices.Contains(v.Sources, it.Posting.Source) {
			v.Sources = append(v.Sources, it.Posting.Source)
		}
	}
	counts, err := s.counts.get(ctx, s.Store, s.Now())
	if err != nil {
		return err
	}
	for _, st := range jobpilot.Statuses {
		if st != jobpilot.StatusReady {
			v.Statuses = append(v.Statuses, statusOption{Value: string(st), Label: statusText(st),
				Count: counts[st], Selected: v.Params.Status == string(st)})
		}
	}
	v.Ready = counts[jobpilot.StatusReady]
	return nil
}

// undoable is the application ?undo= names when it is approved and its
// email not yet sent (the approval's redirect names it); nil otherwise,
// including for a malformed or unknown id: the strip is a convenience.
func (s *server) undoable(ctx context.Context, v string) (*jobpilot.Application, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, nil
	}
	a, err := s.Store.Application(ctx, id)
	switch {
	case jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	case a.Status != jobpilot.StatusApproved:
		return nil, nil
	}
	return a, nil
}

// bulkForm approves or dismisses the applications the queue's checkboxes
// name, one by one: one that cannot be (already sent, apply-by-link) is
// counted and the rest go on. It returns to the queue page it came from.
func (s *server) bulkForm(r *http.Request) (string, error) {
	action := r.PostFormValue("action")
	if action != "approve" && action != "dismiss" {
		return "", jobpilot.FieldError("action", "must be approve or dismiss")
	}
	if s.Pipeline == nil {
		return "", unavailable("the pipeline")
	}
	ids, err := formIDs(r.PostForm["id"])
	if err != nil {
		return "", err
	}
	reason := formReason(r.PostFormValue("reason"))
	var done, failed int
	for _, id := range ids {
		if action == "approve" {
			_, err = s.Pipeline.Approve(r.Context(), id)
		} else {
			_, err = s.Pipeline.Dismiss(r.Context(), id, reason)
		}
		switch {
		case err == nil:
			done++
		case jobpilot.ErrorCode(err) == jobpilot.ECONFLICT || jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND:
			failed++
		default: // the store failing is not one application's problem
			return "", err
		}
	}
	back, _, err := queueParamsOf(r.PostForm)
	if err != nil { // the page it came from is gone: the first one
		back = queueParams{}
	}
	return back.url(back.After, "done", "bulk_"+action, "n", strconv.Itoa(done), "failed", strconv.Itoa(failed)), nil
}

// dismissForm dismisses one application from its detail page.
func (s *server) dismissForm(r *http.Request) (string, error) {
	id, err := pathID(r)
	if err != nil {
		return "", err
	}
	if s.Pipeline == nil {
		return "", unavailable("the pipeline")
	}
	if _, err := s.Pipeline.Dismiss(r.Context(), id, formReason(r.PostFormValue("reason"))); err != nil {
		return "", err
	}
	return "/?done=dismissed", nil
}

// formIDs reads the ids a bulk form names: at least one, at most MaxBulk,
// each a positive integer, duplicates dropped.
func formIDs(vals []string) ([]int64, error) {
	if len(vals) == 0 {
		return nil, jobpilot.FieldError("id", "select at least one application")
	}
	if len(vals) > MaxBulk {
		return nil, jobpilot.FieldError("id", "select at most %d applications at once", MaxBulk)
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, v := range vals {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, jobpilot.FieldError("id", "must be a positive integer")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// formReason is a dismissal reason as the history keeps it: one line, at
// most 200 characters.
func formReason(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}

// flashFor is the message a redirect asks the dashboard to show. The query
// names one of the fixed messages and, for bulk actions, counts: no request
// text is ever reflected into the page.
func flashFor(q url.Values) string {
	done := q.Get("done")
	if msg, ok := flashes[done]; ok {
		return msg
	}
	verb, ok := map[string]string{"bulk_approve": "Approved", "bulk_dismiss": "Dismissed"}[done]
	if !ok {
		return ""
	}
	n, _ := strconv.Atoi(q.Get("n"))
	failed, _ := strconv.Atoi(q.Get("failed"))
	msg := fmt.Sprintf("%s %d %s.", verb, n, plural(n, "application", "applications"))
	if failed > 0 {
		msg += fmt.Sprintf(" %d could not be: no longer ready, or not sent by email.", failed)
	}
	return msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countsTTL is how long the queue page reuses its counts by status.
const countsTTL = 5 * time.Second

// countCache keeps the counts by status the queue page's status filter
// shows. Counting reads an index entry per application (about 10 ms at
// 100,000 on SQLite, whose one connection every request shares), and a
// label a few seconds old does no harm; the dashboard's own actions clear
// it, so what a candidate just did shows at once. Requests arriving while
// the counts are read wait for that one reading.
type countCache struct {
	mu     sync.Mutex
	at     time.Time
	counts map[jobpilot.Status]int
}

func (c *countCache) get(ctx context.Context, st jobpilot.Store, now time.Time) (map[jobpilot.Status]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && now.Sub(c.at) < countsTTL && !now.Before(c.at) {
		return c.counts, nil
	}
	counts, err := st.CountByStatus(ctx, 0)
	if err != nil {
		return nil, err
	}
	c.counts, c.at = counts, now
	return counts, nil
}

func (c *countCache) clear() {
	c.mu.Lock()
	c.counts = nil
	c.mu.Unlock()
}
