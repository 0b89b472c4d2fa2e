package httpapi

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// ago is a past time as the dashboard shows it ("5m ago"), "never" for
// the zero time and "just now" for a time ahead of the clock.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// until is a future time as the dashboard shows it ("in 2h 5m"), "due
// now" once it has passed and "—" for the zero time.
func until(t time.Time) string {
	d := time.Until(t)
	switch {
	case t.IsZero():
		return "—"
	case d <= 0:
		return "due now"
	case d < time.Minute:
		return fmt.Sprintf("in %ds", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("in %dm", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("in %dd", int(d.Hours()/24))
}

// perDayChart draws applications created per day over the last days days
// (UTC) as an inline SVG bar chart. Every number in it is computed here;
// no request data reaches the markup.
func perDayChart(apps []*jobpilot.Application, now time.Time, days int) template.HTML {
	today := now.UTC().Truncate(24 * time.Hour)
	counts := make([]int, days)
	for _, a := range apps {
		day := a.CreatedAt.UTC().Truncate(24 * time.Hour)
		i := days - 1 - int(today.Sub(day)/(24*time.Hour))
		if i >= 0 && i < days {
			counts[i]++
		}
	}
	peak := 1
	for _, c := range counts {
		peak = max(peak, c)
	}
	const w, h, top, bottom = 560, 160, 18, 22
	bw := float64(w) / float64(days)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Applications per day, last %d days" xmlns="http://www.w3.org/2000/svg">`, w, h, days)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" class="axis"/>`, h-bottom, w, h-bottom)
	for i, c := range counts {
		bh := float64(h-top-bottom) * float64(c) / float64(peak)
		x := float64(i)*bw + bw*0.15
		y := float64(h-bottom) - bh
		day := today.AddDate(0, 0, i-days+1)
		fmt.Fprintf(&b, `<g><title>%s: %d</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" class="bar"/>`,
			day.Format("Jan 2"), c, x, y, bw*0.7, bh)
		if c > 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="val">%d</text>`, x+bw*0.35, y-4, c)
		}
		if i%2 == (days-1)%2 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="lbl">%s</text>`, x+bw*0.35, h-6, day.Format("2 Jan"))
		}
		b.WriteString("</g>")
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
