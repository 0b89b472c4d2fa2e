package jobpilot

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"
)

// Funnel stage names, in order.
const (
	StageSent         = "sent"         // emailed, saved to the outbox, or applied by link
	StageReplied      = "replied"      // the employer answered: interviewing, offered or rejected
	StageInterviewing = "interviewing" // interviewing or offered
	StageOffered      = "offered"
)

// stageOf is the furthest funnel stage an application's status shows, or
// -1 when it never went out. It reads the current status only: an
// application rejected after interviewing counts as replied. A bounced
// application went out (the funnel counts what the candidate sent; the
// status table shows the bounce).
func stageOf(s Status) int {
	switch s {
	case StatusSent, StatusFollowedUp, StatusApplied, StatusWithdrawn, StatusNoReply, StatusBounced:
		return 0
	case StatusReplied, StatusRejected:
		return 1
	case StatusInterviewing:
		return 2
	case StatusOffered:
		return 3
	}
	return -1
}

var stageNames = []string{StageSent, StageReplied, StageInterviewing, StageOffered}

// FunnelOf summarises applications as a funnel: per stage the applications
// that reached it and the conversion from the stage before, overall and per
// week of sending.
func FunnelOf(apps []*Application) Funnel {
	f := Funnel{Statuses: map[Status]int{}}
	total := make([]int, len(stageNames))
	weeks := map[string][]int{}
	for _, a := range apps {
		f.Statuses[a.Status]++
		st := stageOf(a.Status)
		if st < 0 {
			continue
		}
		var week []int
		if a.SentAt != nil {
			key := weekOf(*a.SentAt)
			if weeks[key] == nil {
				weeks[key] = make([]int, len(stageNames))
			}
			week = weeks[key]
		}
		for i := 0; i <= st; i++ {
			total[i]++
			if week != nil {
				week[i]++
			}
		}
	}
	f.Stages = stages(total)
	keys := make([]string, 0, len(weeks))
	for k := range weeks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f.Weeks = append(f.Weeks, FunnelWeek{Week: k, Stages: stages(weeks[k])})
	}
	return f
}

func stages(counts []int) []FunnelStage {
	out := make([]FunnelStage, len(counts))
	for i, n := range counts {
		out[i] = FunnelStage{Name: stageNames[i], Count: n}
		if i > 0 && counts[i-1] > 0 {
			out[i].Conversion = float64(n) / float64(counts[i-1])
		}
	}
	return out
}

// weekOf is the Monday of t's ISO week, as 2006-01-02 (UTC).
func weekOf(t time.Time) string {
	t = t.UTC()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	d := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
	return d.Format(time.DateOnly)
}

// TrackerRow is one application of the tracker's CSV export with its
// posting (nil when the posting is gone).
type TrackerRow struct {
	Application *Application
	Posting     *Posting
}

// TrackerCSVHeader is the CSV export's header line.
var TrackerCSVHeader = []string{"id", "company", "role", "url", "status", "label", "score", "apply_via", "recipient",
	"created", "sent", "status_date", "note", "profile_id"}

// WriteTrackerCSV writes rows as CSV (RFC 4180) with TrackerCSVHeader.
// Dates are 2006-01-02; a field a spreadsheet would run as a formula is
// prefixed with a quote mark.
func WriteTrackerCSV(w io.Writer, rows []TrackerRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TrackerCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		a, p := r.Application, r.Posting
		if p == nil {
			p = &Posting{}
		}
		url := p.URL
		if url == "" {
			url = p.ApplyURL
		}
		rcpt := ""
		if a.Recipient != nil {
			rcpt = a.Recipient.Address
		} else if a.ApplyVia == ApplyViaEmail {
			rcpt = p.ContactEmail
		}
		rec := []string{strconv.FormatInt(a.ID, 10), p.Company, p.Title, url, string(a.Status), a.StatusLabel(),
			strconv.Itoa(a.Score), a.ApplyVia, rcpt, day(&a.CreatedAt), day(a.SentAt), day(a.StatusAt), a.Note,
			strconv.FormatInt(a.ProfileID, 10)}
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// csvSafe keeps a spreadsheet from running third-party text (a company
// name from a job board) as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}
