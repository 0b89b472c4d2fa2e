package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
)

// maxLetterLen bounds an edited cover letter.
const maxLetterLen = 20000

// EditDocuments replaces a ready application's cover letter and/or the
// resume's selection of work entries and highlights, then renders both PDFs
// again and saves them.
//
// The fabrication guard checks the edit as it checks a writer's draft, with
// one difference: nothing is removed silently. A letter sentence with a fact
// the profile does not hold (an employer, a number, a technology) refuses
// the whole edit with EINVALID naming the words, so the candidate's own new
// facts go in only once they are in the profile. The resume's entries and
// highlights are copied from the profile by index, so they cannot invent.
func (s *Service) EditDocuments(ctx context.Context, id int64, e jobpilot.DocumentEdit) (*jobpilot.Application, error) {
	if e.CoverLetter == nil && e.Resume == nil {
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "nothing to edit: give cover_letter or resume")
	}
	app, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if app.Status != jobpilot.StatusReady {
		return nil, jobpilot.Errorf(jobpilot.ECONFLICT, "application %d is %s: only a ready application's documents can be edited", id, app.Status)
	}
	docs, err := s.Store.Documents(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.Profile(ctx, app.ProfileID)
	if err != nil {
		return nil, err
	}
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return nil, err
	}
	facts := guard.New(p)
	var what []string
	if e.Resume != nil {
		r, err := selectResume(&docs.Resume, &p.Resume, e.Resume)
		if err != nil {
			return nil, err
		}
		removals, err := facts.Resume(r)
		if err != nil || len(removals) > 0 {
			return nil, refused("resume", removals, err)
		}
		docs.Resume = *r
		what = append(what, "resume")
	}
	if e.CoverLetter != nil {
		text := strings.TrimSpace(*e.CoverLetter)
		switch {
		case text == "":
			return nil, jobpilot.FieldError("cover_letter", "is empty")
		case len(text) > maxLetterLen:
			return nil, jobpilot.FieldError("cover_letter", "must be at most %d characters", maxLetterLen)
		}
		checked, removals := facts.VerifyLetter(post, text)
		if len(removals) > 0 {
			return nil, refused("cover_letter", removals, nil)
		}
		docs.CoverLetter = checked
		what = append(what, "cover letter")
	}
	if docs.ResumePDF, err = s.Renderer.RenderResume(&docs.Resume); err != nil {
		return nil, fmt.Errorf("rendering the resume: %w", err)
	}
	if docs.CoverLetterPDF, err = s.Renderer.RenderCoverLetter(p, post, docs.CoverLetter); err != nil {
		return nil, fmt.Errorf("rendering the cover letter: %w", err)
	}
	if !strings.HasSuffix(docs.Writer, editedMark) {
		docs.Writer += editedMark
	}
	// The ready → approved compare-and-swap guards the send; here the
	// documents are saved only while the application is still ready.
	if _, err := s.Store.Update(ctx, id, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusReady}, Writer: &docs.Writer}); err != nil {
		return nil, err
	}
	if err := s.Store.SaveDocuments(ctx, docs); err != nil {
		return nil, err
	}
	s.event(ctx, id, jobpilot.EventNote, "edited by the candidate: "+strings.Join(what, " and ")+"; checked by the fabrication guard and rendered again", nil)
	return s.Store.Application(ctx, id)
}

// editedMark is appended to the writer of documents the candidate edited.
const editedMark = " (edited by the candidate)"

// refused is the EINVALID error of an edit the guard would have cut.
func refused(field string, removals []jobpilot.Removal, err error) error {
	var words []string
	for _, r := range removals {
		if v := strings.TrimSpace(r.Value); v != "" && !slices.Contains(words, v) {
			words = append(words, v)
		}
	}
	msg := "not in your profile: " + strings.Join(words, ", ") + "; add these facts to the profile first, or leave them out"
	if len(words) == 0 && err != nil {
		msg = err.Error()
	}
	return jobpilot.FieldError(field, "%s", msg)
}

// selectResume is the tailored resume with its work entries replaced by the
// selection: the profile's entries, in the order given, each with the
// chosen highlights in the order given.
func selectResume(tailored, profile *jobpilot.Resume, sel *jobpilot.ResumeSelection) (*jobpilot.Resume, error) {
	if len(sel.Work) == 0 && len(profile.Work) > 0 {
		return nil, jobpilot.FieldError("resume.work", "must keep at least one work entry")
	}
	r := *tailored
	r.Work = nil
	seen := map[int]bool{}
	for i, pick := range sel.Work {
		field := fmt.Sprintf("resume.work[%d]", i)
		if pick.Index < 0 || pick.Index >= len(profile.Work) || seen[pick.Index] {
			return nil, jobpilot.FieldError(field+".index", "must be a distinct index into the profile's %d work entries", len(profile.Work))
		}
		seen[pick.Index] = true
		w := profile.Work[pick.Index]
		if pick.Highlights != nil {
			src := w.Highlights
			w.Highlights = nil
			picked := map[int]bool{}
			for j, h := range pick.Highlights {
				if h < 0 || h >= len(src) || picked[h] {
					return nil, jobpilot.FieldError(fmt.Sprintf("%s.highlights[%d]", field, j), "must be a distinct index into the entry's %d highlights", len(src))
				}
				picked[h] = true
				w.Highlights = append(w.Highlights, src[h])
			}
		}
		w.Highlights = slices.Clone(w.Highlights)
		r.Work = append(r.Work, w)
	}
	return &r, nil
}
