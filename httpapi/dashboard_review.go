package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// The candidate's review actions as dashboard forms: each calls the same
// jobpilot.Review method as the API and the CLI, then returns to the page
// the candidate acted on with a fixed message (flashes).

// detailURL is an application's detail page with the message done.
func detailURL(id int64, done string) string {
	return "/applications/" + strconv.FormatInt(id, 10) + "?done=" + done
}

// cancelForm takes an approved application back to ready inside its undo
// window, from the queue's undo strip or the detail page.
func (s *server) cancelForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	if _, err := s.Pipeline.Cancel(r.Context(), id); err != nil {
		return "", err
	}
	if r.PostFormValue("back") == "queue" {
		return "/?done=cancelled#app-" + strconv.FormatInt(id, 10), nil
	}
	return detailURL(id, "cancelled"), nil
}

// restoreForm takes a dismissed application back to where it was.
func (s *server) restoreForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	if _, err := s.Pipeline.Restore(r.Context(), id); err != nil {
		return "", err
	}
	return detailURL(id, "restored"), nil
}

// appliedForm marks a link-only application applied on the day the form
// gives (empty: today).
func (s *server) appliedForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	at, err := parseDay("date", r.PostFormValue("date"))
	if err != nil {
		return "", err
	}
	if _, err := s.Pipeline.MarkApplied(r.Context(), id, at); err != nil {
		return "", err
	}
	return detailURL(id, "applied"), nil
}

// statusForm records the tracker's news: a status, a note and a day.
func (s *server) statusForm(r *http.Request) (string, error) {
	id, err := s.actionID(r)
	if err != nil {
		return "", err
	}
	at, err := parseDay("date", r.PostFormValue("date"))
	if err != nil {
		return "", err
	}
	u := jobpilot.StatusUpdate{Status: jobpilot.Status(r.PostFormValue("status")), Note: r.PostFormValue("note"), At: at}
	if _, err := s.Pipeline.SetStatus(r.Context(), id, u); err != nil {
		return "", err
	}
	return detailURL(id, "tracked"), nil
}

// editForm replaces a ready application's cover letter. An edit the
// fabrication guard refuses (EINVALID, naming the words the profile lacks)
// shows the detail page again with the guard's verdict and the candidate's
// text kept in the form, so nothing they typed is lost; see "Edits go
// through the guard without silent cuts" in docs/design-notes.md.
func (s *server) editForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.formCSRF(w, r) {
			return
		}
		id, err := s.actionID(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		// Browsers send a textarea's line breaks as CRLF.
		letter := strings.ReplaceAll(r.PostFormValue("cover_letter"), "\r\n", "\n")
		_, err = s.Pipeline.EditDocuments(r.Context(), id, jobpilot.DocumentEdit{CoverLetter: &letter})
		if err == nil {
			http.Redirect(w, r, detailURL(id, "edited"), http.StatusSeeOther)
			return
		}
		if jobpilot.ErrorCode(err) != jobpilot.EINVALID {
			s.renderError(w, r, err)
			return
		}
		detail, derr := s.applicationDetail(r.Context(), id)
		if derr != nil {
			s.renderError(w, r, derr)
			return
		}
		sid, _ := s.session(r)
		status, d := statusFor(err)
		s.render(w, r, status, "preview.html", &dashData{Title: detailTitle(detail), CSRF: s.sessions.csrf(sid), Detail: detail,
			Now: s.Now(), Error: "Not saved: " + d.Message, Draft: letter})
	})
}

// trackerNext lists the tracker statuses an application may move to now,
// for the detail page's form; none hides the form.
func trackerNext(from jobpilot.Status) []jobpilot.Status {
	var out []jobpilot.Status
	for _, to := range jobpilot.Transitions[from] {
		if to.Manual() {
			out = append(out, to)
		}
	}
	return out
}

// cardRecipient is the recipient a card shows: the one checked and stored
// on the application, else (an application created before the check) the
// posting's contact address with its domain and the host it came from.
func cardRecipient(a *jobpilot.Application, contactEmail, postingURL, applyURL string) *jobpilot.Recipient {
	if a != nil && a.Recipient != nil && a.Recipient.Address != "" {
		return a.Recipient
	}
	if contactEmail == "" {
		return nil
	}
	r := &jobpilot.Recipient{Address: contactEmail, Domain: domainOf(contactEmail)}
	for _, u := range []string{postingURL, applyURL} {
		if h := hostOf(u); h != "" {
			r.Source = h
			break
		}
	}
	return r
}
