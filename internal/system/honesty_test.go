package system_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/internal/pdftext"
)

// sparseProfile is a second fixture candidate, with one job, no degree and
// a few skills, so the liar has less true material to hide behind.
const sparseProfile = `{"resume": {
  "basics": {"name": "Ana Ruiz", "label": "Backend Developer", "email": "ana.ruiz@example.com",
    "summary": "Backend developer who builds small, dependable web services in Go."},
  "work": [
    {"name": "Tidewater Freight", "position": "Backend Developer", "startDate": "2022-04",
     "highlights": ["Built the order tracking API in Go used by 40 partner carriers",
                    "Moved nightly reports from cron scripts to a queue with retries"]},
    {"name": "Bluebird Clinics", "position": "Junior Developer", "startDate": "2020-09", "endDate": "2022-03",
     "highlights": ["Maintained the appointment booking service on PostgreSQL"]}
  ],
  "skills": [{"name": "Backend", "keywords": ["Go", "PostgreSQL", "Docker"]}]
},
"preferences": {"min_score": 0, "daily_cap": 100}}`

// forbiddenFor are the liar's inventions that a fixture's own profile and
// postings do not contain: none of them may reach a document.
func forbiddenFor(p *jobpilot.Profile, postings string) []*regexp.Regexp {
	own, _ := json.Marshal(p.Resume)
	var out []*regexp.Regexp
	for _, lie := range fakellm.Lies {
		re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(lie) + `\b`)
		if !re.Match(own) && !re.MatchString(postings) {
			out = append(out, re)
		}
	}
	return out
}

// pdfText extracts the text of a PDF with poppler's pdftotext (an extractor
// that is not ours), or with the project's own when it is not installed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if len(pdf) == 0 {
		t.Fatal("empty PDF")
	}
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "doc.pdf")
		if err := os.WriteFile(f, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		return string(out)
	}
	pages, err := pdftext.Pages(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(pages, "\n")
}

// mailParts returns a message's text body and the text of its PDF
// attachments.
func mailParts(t *testing.T, raw []byte) (body string, pdfs []string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, header map[string][]string, r io.Reader)
	walk = func(ct string, header map[string][]string, r io.Reader) {
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				part, err := mr.NextPart()
				if err != nil {
					return
				}
				walk(part.Header.Get("Content-Type"), part.Header, part)
			}
		}
		data, _ := io.ReadAll(r)
		if enc := strings.ToLower(strings.Join(header["Content-Transfer-Encoding"], "")); enc == "base64" {
			data, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
		} else if enc == "quoted-printable" {
			data, _ = io.ReadAll(qpReader(data))
		}
		switch {
		case mt == "application/pdf":
			pdfs = append(pdfs, pdfText(t, data))
		case strings.HasPrefix(mt, "text/"):
			body += string(data)
		}
	}
	walk(m.Header.Get("Content-Type"), map[string][]string(m.Header), m.Body)
	return body, pdfs
}

// TestLiarNeverReachesADocument runs the whole pipeline (store, engine,
// writer, guard, PDF renderer, outbox and SMTP) against a lab model that
// lies on purpose, in direct and in review mode, for two fixture
// candidates. No invented fact appears in the text extracted from any
// rendered PDF or in any email, and every application is held for review
// with its reason: in direct mode nothing is sent automatically. Approved
// by the candidate, they are sent, still without a single invented fact.
func TestLiarNeverReachesADocument(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		for _, mode := range []string{"direct", "review"} {
			t.Run(mode, func(t *testing.T) { liarRun(t, b, mode) })
		}
	})
}

func liarRun(t *testing.T, b dbtest.Backend, mode string) {
	ctx := context.Background()
	liar := fakellm.New(fakellm.Options{Mode: fakellm.ModeLiar})
	srv := httptest.NewServer(liar)
	t.Cleanup(srv.Close)
	h := newHarness(t, harnessOpts{db: b, postings: 3, mode: mode, noStart: true, env: map[string]string{
		"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-lab-not-a-secret", "OPENAI_MODEL": "liar",
		// 30 s per attempt once scaled: a loaded machine under -race never
		// times a call out, so every run sees the same replies.
		"RESUME_TIMEOUT": "3000", "COVER_LETTER_TIMEOUT": "3000", "JOB_TIMEOUT": "30000",
	}})
	var sparse jobpilot.Profile
	if err := json.Unmarshal([]byte(sparseProfile), &sparse); err != nil {
		t.Fatal(err)
	}
	if err := h.sys.Store.CreateProfile(ctx, &sparse); err != nil {
		t.Fatal(err)
	}
	if err := h.sys.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h.automate()
	profiles := map[int64]*jobpilot.Profile{h.profile.ID: h.profile, sparse.ID: &sparse}
	posts, err := h.sys.Store.Postings(ctx, jobpilot.PostingFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var postText strings.Builder
	for _, p := range posts {
		postText.WriteString(p.Company + " " + p.Title + " " + p.Description + "\n")
	}
	apps := waitDrafted(t, h, len(profiles)*len(posts))

	checked, kept, fellBack := 0, 0, 0
	for _, app := range apps {
		if strings.HasPrefix(app.Writer, "llm:") {
			kept++ // the guard removed the lies and kept the rest
		}
		if app.Guard.Fallback != "" {
			fellBack++
		}
		forbidden := forbiddenFor(profiles[app.ProfileID], postText.String())
		if app.Status != jobpilot.StatusReady || app.SentAt != nil {
			t.Errorf("application %d is %s; a liar's application must wait for review; history:%s", app.ID, app.Status, h.history(app.ID))
		}
		if app.Guard.Hold == "" || app.Guard.Removed == 0 && app.Guard.Fallback == "" {
			t.Errorf("application %d is not held with a reason: %+v", app.ID, app.Guard)
		}
		docs, err := h.sys.Store.Documents(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		resume, letter := pdfText(t, docs.ResumePDF), pdfText(t, docs.CoverLetterPDF)
		checked += assertClean(t, app.ID, forbidden, map[string]string{"resume PDF": resume, "cover letter PDF": letter})
		if n := len(strings.Fields(docs.CoverLetter)); n < 250 || n > 350 {
			t.Errorf("application %d: the cover letter has %d words", app.ID, n)
		}
		if !strings.Contains(letter, profiles[app.ProfileID].Name()) {
			t.Errorf("application %d: the cover letter PDF lacks the candidate's name", app.ID)
		}
	}
	// The liar's replies (which depend only on the candidate, the posting
	// and the document) cover both outcomes: a draft cleaned and kept, and
	// one rejected for the template writer's.
	if kept == 0 || fellBack == 0 {
		t.Errorf("%d applications kept the cleaned LLM documents and %d fell back; want both", kept, fellBack)
	}
	if n := len(h.smtp.Messages()); n != 0 {
		t.Fatalf("%d emails were sent before the candidate reviewed anything", n)
	}

	// The candidate approves every held application: the emails go out,
	// and neither their bodies nor their attachments carry a lie.
	for _, app := range apps {
		if _, err := h.sys.Apply.Approve(ctx, app.ID); err != nil {
			t.Fatalf("approve %d: %v", app.ID, err)
		}
	}
	h.waitFor("every approved application sent", 120*time.Second, func() bool {
		for _, a := range h.allApps() {
			if a.Status != jobpilot.StatusSent {
				return false
			}
		}
		return true
	})
	for _, app := range apps {
		forbidden := forbiddenFor(profiles[app.ProfileID], postText.String())
		msgs := messagesFor(h.smtp, msgID(app.ID))
		if len(msgs) != 1 {
			t.Fatalf("application %d: %d emails", app.ID, len(msgs))
		}
		body, pdfs := mailParts(t, msgs[0].Raw)
		texts := map[string]string{"email body": body, "email subject": msgs[0].Subject}
		for i, p := range pdfs {
			texts["attachment "+string(rune('1'+i))] = p
		}
		if len(pdfs) != 2 || strings.TrimSpace(body) == "" {
			t.Errorf("application %d: email with %d PDFs and body %q", app.ID, len(pdfs), body)
		}
		checked += assertClean(t, app.ID, forbidden, texts)
	}
	if liar.Calls() == 0 || checked == 0 {
		t.Fatalf("the liar answered %d calls and %d texts were checked", liar.Calls(), checked)
	}
	for _, app := range apps {
		t.Logf("%s: application %d by %s: held: %s; removed %q", mode, app.ID, app.Writer, app.Guard.Hold, app.Guard.Phrases)
	}
	t.Logf("%s: %d applications, %d texts checked, %d liar calls", mode, len(apps), checked, liar.Calls())
}

// waitDrafted waits until n applications have left matched and drafting
// (and, in direct mode, approved and sending: a send that should not have
// happened must be seen).
func waitDrafted(t *testing.T, h *harness, n int) []*jobpilot.Application {
	t.Helper()
	var apps []*jobpilot.Application
	h.waitFor("drafted applications", 120*time.Second, func() bool {
		apps = h.allApps()
		if len(apps) < n {
			return false
		}
		for _, a := range apps {
			switch a.Status {
			case jobpilot.StatusMatched, jobpilot.StatusDrafting, jobpilot.StatusApproved, jobpilot.StatusSending:
				return false
			}
		}
		return true
	})
	return apps
}

// allApps returns every profile's applications.
func (h *harness) allApps() []*jobpilot.Application {
	h.t.Helper()
	apps, err := h.sys.Store.Applications(context.Background(), jobpilot.ApplicationFilter{Limit: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	return apps
}

// assertClean fails for every forbidden fact found in texts and returns
// how many texts it checked.
func assertClean(t *testing.T, appID int64, forbidden []*regexp.Regexp, texts map[string]string) int {
	t.Helper()
	for name, text := range texts {
		for _, re := range forbidden {
			if m := re.FindString(text); m != "" {
				i := re.FindStringIndex(text)[0]
				t.Errorf("application %d: %s contains the invented %q: …%s…", appID, name, m, text[max(0, i-60):min(len(text), i+60)])
			}
		}
	}
	return len(texts)
}

// qpReader decodes quoted-printable text.
func qpReader(b []byte) io.Reader { return quotedPrintable(bytes.NewReader(b)) }
