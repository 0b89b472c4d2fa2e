package chaos

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/jobpilot/jobpilot"
)

// WriteTable prints the run's figures as aligned tables: applications per
// status, the kills and restarts, the lab servers' counters, then notes and
// any mismatch. The final line (Line) is not part of it.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "database: %s, writer: %s, send attempts: %d, kills: %d, restarts: %d\n",
		r.Database, r.Writer, r.Attempts, r.Kills, len(r.Restarts))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tAPPLICATIONS")
	for _, st := range jobpilot.Statuses {
		if n := r.ByStatus[st]; n > 0 {
			fmt.Fprintf(tw, "%s\t%d\n", st, n)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Restarts) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KILL\tAT\tSETTLED\tWORK\tHEALTHY AFTER\tRESUMED AFTER")
		for i, rs := range r.Restarts {
			resumed := "-"
			if rs.Resumed > 0 {
				resumed = ms(rs.Resumed)
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", i+1, ms(rs.KilledAt), rs.Settled, rs.Work, ms(rs.Healthy), resumed)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tACCEPTED\tREJECTED\tDETAIL")
	fmt.Fprintf(tw, "llm\t%d\t%d\tinjected 429: %d, injected 500: %d, fake's own: %d (outage 503: %d)\n",
		r.LLMAccepted, r.LLMRejected+r.LLMInjected429+r.LLMInjected500, r.LLMInjected429, r.LLMInjected500, r.LLMRejected, r.LLMDown)
	fmt.Fprintf(tw, "smtp\t%d\t%d\tdropped: %d, hung: %d, aborted: %d, connections: %d\n",
		r.SMTP.Accepted, r.SMTP.Rejected+r.SMTP.Dropped+r.SMTP.Hung, r.SMTP.Dropped, r.SMTP.Hung, r.SMTP.Aborted, r.SMTP.Connections)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "mailbox: %d settled as sent from their copy; %d left in needs_review with a copy (unresolved); %d marked %q, %d never accepted by the lab server (cut before the 250)\n",
		r.SettledFromCopy, r.Unresolved, r.NoCopy, jobpilot.NoCopyArrived, r.Cut)
	if r.TimedOut {
		fmt.Fprintln(w, "deadline reached before every application settled")
	}
	for _, m := range r.Mismatches {
		fmt.Fprintf(w, "MISMATCH: %s\n", m)
	}
	if r.Lost > 0 {
		fmt.Fprintf(w, "lost postings (first %d): %v\n", len(r.LostIDs), r.LostIDs)
	}
	return nil
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }
