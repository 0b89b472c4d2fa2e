package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/system"
)

// The candidate's review actions: each command takes application ids, acts
// on each in its own transaction (jobpilot.Review), reports one line per id
// and fails when any was refused. Ids that are not positive integers are a
// usage error (exit 2) before anything is done.

// reviewAction opens the system without starting the engine (the state
// change and the work it queues share a transaction; a running serve, or
// the next one, does the work) and runs act for each id.
func reviewAction(app *App, ids []int64, verb string, act func(r jobpilot.Review, id int64) (string, error)) error {
	if err := checkIDs(ids); err != nil {
		return err
	}
	sys, err := openSystem(app, system.Options{})
	if err != nil {
		return err
	}
	defer sys.Close()
	failed := 0
	for _, id := range ids {
		msg, err := act(sys.Apply, id)
		if err != nil {
			fmt.Fprintf(app.Stderr, "%d: %s\n", id, jobpilot.ErrorMessage(err))
			failed++
			continue
		}
		fmt.Fprintf(app.Stdout, "%d: %s\n", id, msg)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d applications not %s", failed, len(ids), verb)
	}
	return nil
}

// checkIDs refuses ids that cannot be applications' (EINVALID: exit 2).
func checkIDs(ids []int64) error {
	if len(ids) == 0 {
		return jobpilot.FieldError("id", "give at least one application id")
	}
	for _, id := range ids {
		if id <= 0 {
			return jobpilot.FieldError("id", "%d is not an application id", id)
		}
	}
	return nil
}

// parseDate reads --date: 2006-01-02 (noon UTC, so it stays that day
// everywhere) or RFC 3339; "" is now.
func parseDate(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, jobpilot.FieldError(flag, "must be a date like 2026-05-01")
	}
	return t, nil
}

// CancelCmd is `jobpilot cancel ID…`.
type CancelCmd struct {
	IDs []int64 `arg:"" name:"id" help:"Approved applications whose email is not sent yet."`
}

// Run takes approved applications back to ready inside their undo window.
func (c *CancelCmd) Run(app *App) error {
	return reviewAction(app, c.IDs, "cancelled", func(r jobpilot.Review, id int64) (string, error) {
		_, err := r.Cancel(app.Ctx, id)
		return "cancelled; nothing was sent, it is ready for review again", err
	})
}

// DismissCmd is `jobpilot dismiss ID… [--reason]`.
type DismissCmd struct {
	IDs    []int64 `arg:"" name:"id" help:"Applications to set aside."`
	Reason string  `help:"Why (kept with the application)."`
}

// Run dismisses applications.
func (c *DismissCmd) Run(app *App) error {
	return reviewAction(app, c.IDs, "dismissed", func(r jobpilot.Review, id int64) (string, error) {
		_, err := r.Dismiss(app.Ctx, id, c.Reason)
		return "dismissed", err
	})
}

// RestoreCmd is `jobpilot restore ID…`.
type RestoreCmd struct {
	IDs []int64 `arg:"" name:"id" help:"Dismissed applications."`
}

// Run restores dismissed applications and says where each went back to.
func (c *RestoreCmd) Run(app *App) error {
	return reviewAction(app, c.IDs, "restored", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.Restore(app.Ctx, id)
		if err != nil {
			return "", err
		}
		if a.Status == jobpilot.StatusMatched {
			return "restored; queued to be drafted again by the running service", nil
		}
		return "restored; it is " + a.StatusLabel() + " again", nil
	})
}

// BlockCmd is `jobpilot block ID… [--reason]`.
type BlockCmd struct {
	IDs    []int64 `arg:"" name:"id" help:"Applications whose company to block."`
	Reason string  `help:"Why; later postings from the company are skipped with it."`
}

// Run blocks the applications' companies and dismisses the applications.
func (c *BlockCmd) Run(app *App) error {
	return reviewAction(app, c.IDs, "blocked", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.BlockCompany(app.Ctx, id, c.Reason)
		if err != nil {
			return "", err
		}
		return "company blocked; this application is " + a.StatusLabel(), nil
	})
}

// AppliedCmd is `jobpilot applied ID… [--date]`.
type AppliedCmd struct {
	IDs  []int64 `arg:"" name:"id" help:"Ready applications you applied to through the posting's link."`
	Date string  `help:"The day you applied, 2026-05-01 (default today)."`
}

// Run marks applications applied.
func (c *AppliedCmd) Run(app *App) error {
	at, err := parseDate("--date", c.Date)
	if err != nil {
		return err
	}
	return reviewAction(app, c.IDs, "marked applied", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.MarkApplied(app.Ctx, id, at)
		if err != nil {
			return "", err
		}
		return "applied on " + a.SentAt.Format(time.DateOnly), nil
	})
}

// RetryCmd is `jobpilot retry ID…`.
type RetryCmd struct {
	IDs []int64 `arg:"" name:"id" help:"Failed applications."`
}

// Run takes failed applications up again and shows the error each had.
func (c *RetryCmd) Run(app *App) error {
	return reviewAction(app, c.IDs, "retried", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.Retry(app.Ctx, id)
		if err != nil {
			return "", err
		}
		msg := "back to review (ready)"
		if a.Status == jobpilot.StatusMatched {
			msg = "queued to be drafted again by the running service"
		}
		if a.Error != "" {
			msg += "; it had failed with: " + a.Error
		}
		return msg, nil
	})
}

// StatusCmd is `jobpilot status ID STATUS [--note] [--date]`.
type StatusCmd struct {
	ID     int64           `arg:"" name:"id" help:"The application."`
	Status jobpilot.Status `arg:"" name:"status" help:"interviewing, offered, rejected, withdrawn or no_reply."`
	Note   string          `help:"A note (who, what next)."`
	Date   string          `help:"When it happened, 2026-05-01 (default today)."`
}

// Run records the candidate's news on an application.
func (c *StatusCmd) Run(app *App) error {
	if !c.Status.Manual() {
		return jobpilot.FieldError("status", "must be one of interviewing, offered, rejected, withdrawn, no_reply")
	}
	at, err := parseDate("--date", c.Date)
	if err != nil {
		return err
	}
	return reviewAction(app, []int64{c.ID}, "updated", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.SetStatus(app.Ctx, id, jobpilot.StatusUpdate{Status: c.Status, Note: c.Note, At: at})
		if err != nil {
			return "", err
		}
		return a.StatusLabel() + " since " + a.StatusAt.Format(time.DateOnly), nil
	})
}

// ApproveCmd is `jobpilot approve ID…`.
type ApproveCmd struct {
	IDs []int64 `arg:"" name:"id" help:"Application ids to approve."`
}

// Run approves ready applications; each approval queues its send in the same
// transaction, after the undo window. It says what will actually happen:
// who receives it, when, and whether it is emailed or only saved to the
// outbox.
func (c *ApproveCmd) Run(app *App) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	how := "emailed through " + cfg.SMTP.Host
	if cfg.SMTP.Host == "" {
		how = "saved to " + cfg.DataDir + "/outbox as an .eml file, not emailed: no SMTP server is configured"
	}
	return reviewAction(app, c.IDs, "approved", func(r jobpilot.Review, id int64) (string, error) {
		a, err := r.Approve(app.Ctx, id)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		b.WriteString("approved")
		if a.Recipient != nil {
			b.WriteString(" for " + a.Recipient.Address)
		}
		when := "by the running `jobpilot serve` (or the next one started)"
		if a.SendAfter != nil {
			when = fmt.Sprintf("after %s by the running `jobpilot serve` (or the next one started); undo until then with `jobpilot cancel %d`",
				a.SendAfter.Local().Format("15:04:05"), id)
		}
		fmt.Fprintf(&b, "; it will be %s, %s", how, when)
		if a.Recipient.Flagged() {
			b.WriteString("; note: " + strings.Join(a.Recipient.Flags, "; "))
		}
		return b.String(), nil
	})
}
