package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
	"github.com/jobpilot/jobpilot/templatewriter"
)

// HoldAbove is the number of invented facts the guard may remove from an
// application's documents (outside the summary and the letter) before the
// application is held for review. Any removal from the summary or the
// letter holds it, and so does a fallback to the template writer.
const HoldAbove = 2

// drafted is an application's documents before rendering, with everything
// the guard took out on the way.
type drafted struct {
	tailored *jobpilot.Tailored
	letter   *jobpilot.CoverLetter
	removals []jobpilot.Removal
	writer   string
	fallback string
}

// write asks the writer for both documents. A draft the writer finds
// unusable (jobpilot.ErrUnusableDraft: not valid after its repair request,
// too large, refused by the guard) is replaced by the template writer's
// document and the reason recorded; never nothing, never the bad draft.
// When the resume falls back the letter is the template writer's too, so
// the pair stays coherent and the model is not asked again.
func (s *Service) write(ctx context.Context, p *jobpilot.Profile, post *jobpilot.Posting) (*drafted, error) {
	d := &drafted{writer: s.Writer.Name()}
	writer := s.Writer
	t, err := writer.TailorResume(ctx, p, post)
	if errors.Is(err, jobpilot.ErrUnusableDraft) {
		d.reject("resume", err)
		writer = s.fallback()
		t, err = writer.TailorResume(ctx, p, post)
	}
	if err != nil {
		return nil, fmt.Errorf("tailoring the resume: %w", err)
	}
	d.tailored = t
	d.removals = append(d.removals, t.Removals...)
	l, err := writer.WriteCoverLetter(ctx, p, post, t)
	if errors.Is(err, jobpilot.ErrUnusableDraft) {
		d.reject("cover letter", err)
		l, err = s.fallback().WriteCoverLetter(ctx, p, post, t)
	}
	if err != nil {
		return nil, fmt.Errorf("writing the cover letter: %w", err)
	}
	d.letter = l
	d.removals = append(d.removals, l.Removals...)
	d.writer = t.Writer
	if l.Writer != t.Writer {
		d.writer = t.Writer + "; cover letter: " + l.Writer
	}
	if d.fallback != "" {
		d.writer = templatewriter.Name + " (LLM output rejected: " + d.fallback + ")"
		if t.Writer != templatewriter.Name {
			d.writer = t.Writer + "; cover letter: " + templatewriter.Name + " (LLM output rejected: " + d.fallback + ")"
		}
	}
	return d, nil
}

// reject records why a draft was unusable and what the guard had removed
// from it before giving up.
func (d *drafted) reject(what string, err error) {
	var rej *guard.Rejection
	if errors.As(err, &rej) {
		d.removals = append(d.removals, rej.Removals...)
	}
	if d.fallback != "" {
		d.fallback += "; "
	}
	d.fallback += what + ": " + shortReason(err)
}

func (s *Service) fallback() jobpilot.Writer {
	if s.Fallback != nil {
		return s.Fallback
	}
	return templatewriter.New()
}

// verify runs the guard once more on exactly what will be rendered, which
// ever writer wrote it.
func (d *drafted) verify(p *jobpilot.Profile, post *jobpilot.Posting) error {
	facts := guard.New(p)
	more, err := facts.Resume(&d.tailored.Resume)
	if err != nil {
		return jobpilot.Permanent(fmt.Errorf("checking the resume: %w", err))
	}
	text, letter := facts.VerifyLetter(post, d.letter.Text)
	d.letter.Text = text
	d.removals = append(append(d.removals, more...), letter...)
	return nil
}

// report is the guard's report on the draft: what was removed and, when it
// warrants it, why the application is held.
func (d *drafted) report() jobpilot.GuardReport {
	r := jobpilot.GuardReport{Removed: guard.Invented(d.removals)}
	if d.fallback != "" {
		r.Fallback = "LLM output rejected: " + d.fallback
	}
	seen := map[string]bool{}
	inProse := false
	for _, rm := range d.removals {
		if rm.Kind == guard.KindLength {
			continue
		}
		if rm.Field == "cover_letter" || rm.Field == "basics.summary" {
			inProse = true
		}
		v := strings.TrimSpace(rm.Value)
		if v != "" && !seen[strings.ToLower(v)] && len(r.Phrases) < jobpilot.MaxGuardPhrases {
			seen[strings.ToLower(v)] = true
			r.Phrases = append(r.Phrases, v)
		}
	}
	var why []string
	if r.Removed > 0 && (r.Removed > HoldAbove || inProse) {
		why = append(why, fmt.Sprintf("the writer invented %d facts; %d removed", r.Removed, r.Removed))
	}
	if d.fallback != "" {
		why = append(why, "documents written by the template writer instead ("+r.Fallback+")")
	}
	r.Hold = strings.Join(why, "; ")
	return r
}

// shortReason is an error's message without the wrapping prefixes, cut to
// 200 characters, for the record.
func shortReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, guard.ErrRejected.Error()+": "); i >= 0 {
		msg = msg[i+len(guard.ErrRejected.Error())+2:]
	} else if i := strings.Index(msg, jobpilot.ErrUnusableDraft.Error()+": "); i >= 0 {
		msg = msg[i+len(jobpilot.ErrUnusableDraft.Error())+2:]
	}
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:197]) + "..."
	}
	return msg
}
