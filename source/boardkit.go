package source

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// What the boards added after the first three share: a company's own host
// in the API root, amounts sent as numbers or as strings, and timestamps in
// more layouts than RFC 3339.

// companyPlaceholder in a type's API root stands for the company's board
// name: "https://{company}.recruitee.com". A base_url may use it too
// ("http://127.0.0.1:8080/{company}"), which lets one loopback server answer
// for many companies (company discovery's tests).
const companyPlaceholder = "{company}"

// boardRoot is the API root of the company's board: base with the company
// put in for companyPlaceholder.
func boardRoot(base, company string) string {
	return strings.ReplaceAll(base, companyPlaceholder, url.PathEscape(company))
}

// hostLabelRe is what a board name must be when it becomes part of a host
// name (recruitee, personio): a DNS label.
var hostLabelRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// checkHostLabel is a Type.Check for a type whose key becomes a host name.
func checkHostLabel(key string) func(Spec) []*jobpilot.Error {
	return func(spec Spec) []*jobpilot.Error {
		if v := spec.Keys[key]; !hostLabelRe.MatchString(v) {
			return []*jobpilot.Error{jobpilot.FieldError(key, "must be the lowercase name in the board's address: letters, digits and hyphens (got %q)", v)}
		}
		return nil
	}
}

// flexAmount is an amount a board sends as a number, a string of digits or
// null.
type flexAmount float64

func (f *flexAmount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || !validAmount(v) {
		*f = 0 // an amount that is not one is no amount, not a bad job
		return nil
	}
	*f = flexAmount(v)
	return nil
}

var _ json.Unmarshaler = (*flexAmount)(nil)

// boardTimeLayouts are the timestamp layouts the boards send.
var boardTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000-0700", // SmartRecruiters
	"2006-01-02 15:04:05 MST",      // Recruitee: "2026-11-02 09:00:00 UTC"
	"2006-01-02 15:04:05",
	time.RFC1123Z, time.RFC1123, // RSS
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2006-01-02",
}

// parseBoardTime reads a timestamp in any of boardTimeLayouts; anything
// else is the zero time.
func parseBoardTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range boardTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// rangePay is a pay range a board states in fields: nil without amounts.
func rangePay(lo, hi float64, currency, period, text string) *jobpilot.Pay {
	if lo <= 0 && hi <= 0 {
		if text = boundedText(oneLine(text), 300); text == "" {
			return nil
		}
		if p := parsePay(text); p != nil {
			return p
		}
		return &jobpilot.Pay{Text: text}
	}
	p := &jobpilot.Pay{Min: lo, Max: hi, Currency: strings.ToUpper(strings.TrimSpace(currency)), Period: period,
		Text: boundedText(oneLine(text), 300)}
	if p.Max > 0 && p.Max < p.Min {
		p.Min, p.Max = p.Max, p.Min
	}
	if !isISOCurrency(p.Currency) {
		p.Currency = ""
	}
	return p
}

// payPeriodOf maps the period words the boards use ("year", "yearly",
// "annual", "month", "hourly" …) to a pay period; "" for anything else.
func payPeriodOf(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "year", "yearly", "annual", "annually", "per_year", "per year":
		return jobpilot.PayYear
	case "month", "monthly", "per_month", "per month":
		return jobpilot.PayMonth
	case "week", "weekly", "per_week":
		return jobpilot.PayWeek
	case "day", "daily", "per_day":
		return jobpilot.PayDay
	case "hour", "hourly", "per_hour":
		return jobpilot.PayHour
	}
	return ""
}

// payLineRe finds the lines of a description that talk about pay.
var payLineRe = regexp.MustCompile(`(?i)\b(?:salary|salaries|pay|paid|compensation|remuneration|wage|base|gehalt|vergütung|salaire|salario|stipendio)\b`)

// payInText reads the pay a description states on a line that says it is
// pay ("Salary: €75,000 – €95,000 per year"), for boards without a pay
// field. A figure elsewhere ("we raised $20M") is not pay.
func payInText(desc string) *jobpilot.Pay {
	for line := range strings.Lines(desc) {
		// Most lines have no figure: the digit test spares them the
		// regular expression, which costs as much as the HTML conversion.
		if !strings.ContainsAny(line, "0123456789") {
			continue
		}
		if payLineRe.MatchString(line[:min(len(line), maxPayScan)]) {
			if p := parsePay(line); p != nil {
				return p
			}
		}
	}
	return nil
}
