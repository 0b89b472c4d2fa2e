package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jobpilot/jobpilot"
)

// Fuzz targets for the decoders of the boards added after the first three
// (see fuzz_test.go for how to run one).

func FuzzWorkableJSON(f *testing.F) {
	seedFiles(f, "workable_tyrell.json")
	f.Add([]byte(`{"jobs":[{"shortcode":"A","title":"x","telecommuting":true,"locations":[{"city":"a","hidden":true}],"salary":{"salary_from":"1e400"}}],"name":"late"}`))
	f.Add([]byte(`{"name":5,"jobs":null}`))
	s := quietSource(f, Spec{Type: WorkableType.Name, Name: "tyrell", Keys: map[string]string{"account": "tyrell"}}).(*Workable)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

// FuzzSmartRecruitersJSON reads a list page, and the same bytes as one
// posting's details.
func FuzzSmartRecruitersJSON(f *testing.F) {
	seedFiles(f, "smartrecruiters_list.json", "smartrecruiters_744000056789012.json")
	f.Add([]byte(`{"content":[{"id":"1","name":"x","location":{"remote":true,"hybrid":true},"jobAd":{"sections":{"x":{"text":"<p>"}}}}]}`))
	s := quietSource(f, Spec{Type: SmartRecruitersType.Name, Name: "initrode", Keys: map[string]string{"company": "Initrode"}}).(*SmartRecruiters)
	f.Fuzz(func(t *testing.T, body []byte) {
		list, err := s.decodePage(bytes.NewReader(body))
		checkErr(t, err)
		if len(list) > len(body) {
			t.Fatalf("%d postings from %d bytes", len(list), len(body))
		}
		yield := yieldChecked(t, s.Name())
		for _, p := range list {
			_ = s.emit(s.posting(p), yield)
		}
		var one srPosting
		if json.Unmarshal(body, &one) == nil {
			_ = s.emit(s.posting(one), yield)
		}
	})
}

func FuzzRecruiteeJSON(f *testing.F) {
	seedFiles(f, "recruitee_hooli.json")
	f.Add([]byte(`{"offers":[{"id":1,"title":"x","salary":{"min":"abc","max":-5,"currency":"eur","period":"fortnight"},"remote":true,"hybrid":true}]}`))
	s := quietSource(f, Spec{Type: RecruiteeType.Name, Name: "hooli", Keys: map[string]string{"company": "hooli"}}).(*Recruitee)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

func FuzzPersonioXML(f *testing.F) {
	seedFiles(f, "personio_umbrella.xml")
	f.Add([]byte(`<workzag-jobs><position><id>1</id><name>x</name><jobDescriptions><jobDescription><value><![CDATA[<p>a&nbsp;<a href="u">b</a>]]></value></jobDescription></jobDescriptions></position><position><id>x</id></position>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><workzag-jobs/>`))
	s := quietSource(f, Spec{Type: PersonioType.Name, Name: "umbrella", Keys: map[string]string{"company": "umbrella"}}).(*Personio)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkXMLErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

func FuzzFeedXML(f *testing.F) {
	seedFiles(f, "feed_rss.xml", "feed_atom.xml")
	f.Add([]byte(`<rss><channel><title>A</title><item><title>B (Remote)</title><link>u</link><description>&lt;p&gt;Salary $1 - $2</description></item></channel></rss>`))
	f.Add([]byte(`<feed><entry><id>1</id><title>x</title><content type="xhtml"><div><p>a</p></div></content></entry></feed>`))
	s := quietSource(f, Spec{Type: FeedType.Name, Name: "feed", Keys: map[string]string{"url": "https://feed.example/jobs.rss"}}).(*Feed)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkXMLErr(t, s.decode(bytes.NewReader(body), yieldChecked(t, s.Name())))
	})
}

// checkXMLErr fails unless a decoder's error is classified once xmlErr has
// seen it, as the source's read does.
func checkXMLErr(t *testing.T, err error) {
	t.Helper()
	if c := xmlErr(err); c != nil && !isClassified(c) {
		t.Fatalf("unclassified error %v", err)
	}
}

func isClassified(err error) bool {
	return errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, jobpilot.ErrPermanent)
}
