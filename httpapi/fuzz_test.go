package httpapi

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// checkDecodeErr asserts the decoders' contract: a failure is always an
// EINVALID *jobpilot.Error (400, or 422 when wrapped as unprocessable).
func checkDecodeErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var je *jobpilot.Error
	if !errors.As(err, &je) || je.Code != jobpilot.EINVALID {
		t.Fatalf("decoder error %v (%T) is not an EINVALID *jobpilot.Error", err, err)
	}
	if status, _ := statusFor(err); status != 400 && status != 422 {
		t.Fatalf("decoder error maps to %d", status)
	}
}

// FuzzDecodeRequests feeds arbitrary bodies to every request decoder: none
// may panic, every failure is EINVALID, and a success is valid.
func FuzzDecodeRequests(f *testing.F) {
	for _, s := range []string{
		`{"resume":{"basics":{"name":"Ada","email":"ada@example.com"},"work":[{"name":"X","startDate":"2020-01"}]},"preferences":{"min_score":50,"remote":"only"}}`,
		`{"company":"Initech","title":"Go Engineer","contact_email":"jobs@initech.example"}`,
		`{"status":"interviewing"}`, `{"action":"send_again"}`, `{"kind":"cleanup"}`,
		`{"status":"sent"}`, `{"kind":""}`, `{"x":1}`, `{"status":"offered"} {}`, `[]`, `null`, `{`, "", `{"resume":{"basics":{"name":1}}}`,
		`{"company":"A\nB","title":"t","contact_email":"a@b.c"}`, "\xff\xfe", `{"status":"interviewing","status":"offered"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeProfile(body)
		checkDecodeErr(t, err)
		if err == nil && p.Validate() != nil {
			t.Fatalf("decodeProfile accepted an invalid profile: %v", p.Validate())
		}
		post, err := decodePosting(body)
		checkDecodeErr(t, err)
		if err == nil && (post.Validate() != nil || post.ContactEmail == "" || post.Source != ManualSource || post.Fingerprint == "") {
			t.Fatalf("decodePosting accepted %+v", post)
		}
		st, err := decodeStatus(body)
		checkDecodeErr(t, err)
		if err == nil && !st.Status.Manual() {
			t.Fatalf("decodeStatus accepted %+v", st)
		}
		_, err = decodeEdit(body)
		checkDecodeErr(t, err)
		_, err = decodeApplied(body)
		checkDecodeErr(t, err)
		_, err = decodeReason(body)
		checkDecodeErr(t, err)
		act, err := decodeReopen(body)
		checkDecodeErr(t, err)
		if err == nil && act != "send_again" && act != "mark_sent" {
			t.Fatalf("decodeReopen accepted %q", act)
		}
		_, err = decodeTrigger(body)
		checkDecodeErr(t, err)
	})
}

// FuzzProfileValidate checks that Validate never panics, that its failures
// are EINVALID with a field, and that a valid profile survives a JSON round
// trip still valid (what the store saves is what the API accepted).
func FuzzProfileValidate(f *testing.F) {
	f.Add("Ada Lovelace", "ada@example.com", "Analytical Engines", "1842-07", "", "any", 50, 3, "review")
	f.Add("", "", "", "", "", "", 0, 0, "")
	f.Add("Bob", "not-an-email", "X", "soon", "2020-13-01", "mars", 101, -1, "yolo")
	f.Add(" ", "a@b", "\x00", "2020", "2021-02-30", "only", -5, 10, "direct")
	f.Fuzz(func(t *testing.T, name, email, employer, start, end, remote string, minScore, cap int, mode string) {
		p := jobpilot.Profile{
			Resume: jobpilot.Resume{
				Basics: jobpilot.Basics{Name: name, Email: email},
				Work:   []jobpilot.Work{{Name: employer, StartDate: start, EndDate: end}},
			},
			Preferences: jobpilot.Preferences{Remote: remote, MinScore: new(minScore), DailyCap: cap, ApplyMode: jobpilot.ApplyMode(mode)},
		}
		err := p.Validate()
		if err != nil {
			var je *jobpilot.Error
			if !errors.As(err, &je) || je.Code != jobpilot.EINVALID || je.Field == "" {
				t.Fatalf("Validate returned %v (%T), want an EINVALID field error", err, err)
			}
			return
		}
		b, err := json.Marshal(ProfileRequest{Resume: p.Resume, Preferences: p.Preferences})
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeProfile(b)
		if err != nil {
			// Invalid UTF-8 is replaced by encoding/json, which may change
			// a name into one Validate judges differently; nothing else may.
			checkDecodeErr(t, err)
			return
		}
		if back.Resume.Basics.Name == "" {
			t.Fatal("a valid profile lost its name in a round trip")
		}
	})
}
