package match_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/match"
	"github.com/jobpilot/jobpilot/source"
)

// The targets of the evaluation harness, per profile (testdata/eval/README.md).
const (
	minPrecision = 0.85
	minRecall    = 0.80
)

// evalNow is the date the evaluation set was written: experience in the
// profiles' open-ended positions is counted up to it.
var evalNow = time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)

// TestEval scores the labelled (profile, posting) pairs of testdata/eval
// and prints, per profile, the precision of what the scorer matched, the
// recall of the pairs labelled fit and the NDCG@20 of its ranking. It fails
// when a profile's precision or recall is under the targets. Run it with -v
// to see the pairs it gets wrong, with their reasons.
func TestEval(t *testing.T) {
	for _, set := range []string{"testdata/eval", "testdata/eval/holdout"} {
		if _, err := os.Stat(filepath.Join(set, "labels.tsv")); err != nil {
			continue
		}
		t.Run(filepath.Base(set), func(t *testing.T) { evalReport(t, loadEval(t, set), nil) })
	}
}

// TestEvalEmbeddings is TestEval with the semantic similarity blended in,
// the vectors coming from the fake OpenAI-compatible server's
// /v1/embeddings (deterministic bag-of-words vectors) through the real
// client. The deterministic scorer must reach the targets without it
// (TestEval); this shows what blending does to them.
func TestEvalEmbeddings(t *testing.T) {
	srv := httptest.NewServer(fakellm.New(fakellm.Options{}))
	defer srv.Close()
	emb := llm.NewEmbedder(llm.Config{BaseURL: srv.URL + "/v1"}, "fake-embed", nil, llm.WithLogger(slog.New(slog.DiscardHandler)))
	for _, set := range []string{"testdata/eval", "testdata/eval/holdout"} {
		t.Run(filepath.Base(set), func(t *testing.T) {
			ev := loadEval(t, set)
			vec := func(text string) []float32 {
				v, err := emb.Embed(context.Background(), []string{text})
				if err != nil {
					t.Fatal(err)
				}
				return v[0]
			}
			cache := map[string][]float32{}
			get := func(text string) []float32 {
				if v, ok := cache[text]; ok {
					return v
				}
				cache[text] = vec(text)
				return cache[text]
			}
			evalReport(t, ev, func(p *jobpilot.Profile, post *jobpilot.Posting, m jobpilot.Match) jobpilot.Match {
				return match.Blend(m, match.Cosine(get(match.ProfileText(p)), get(match.PostingText(post))))
			})
		})
	}
}

type blendFunc func(*jobpilot.Profile, *jobpilot.Posting, jobpilot.Match) jobpilot.Match

func evalReport(t *testing.T, ev *evalSet, blend blendFunc) {
	for _, name := range ev.profileNames() {
		res := ev.run(name, blend)
		t.Logf("%-20s pairs %3d  fit %2d  stretch %2d  matched %2d  precision %.2f  recall %.2f  NDCG@20 %.2f",
			name, res.pairs, res.fit, res.stretch, res.matched, res.precision(), res.recall(), res.ndcg)
		for _, m := range res.mistakes {
			t.Logf("    %s", m)
		}
		if res.precision() < minPrecision || res.recall() < minRecall {
			t.Errorf("%s: precision %.2f (target %.2f), recall %.2f (target %.2f)",
				name, res.precision(), minPrecision, res.recall(), minRecall)
		}
	}
}

type evalSet struct {
	profiles map[string]*jobpilot.Profile
	postings map[string]*jobpilot.Posting
	labels   map[string]map[string]string // profile → posting → label
}

type evalResult struct {
	pairs, fit, stretch, matched, matchedGood, matchedFit int
	ndcg                                                  float64
	mistakes                                              []string
}

func (r evalResult) precision() float64 {
	if r.matched == 0 {
		return 1
	}
	return float64(r.matchedGood) / float64(r.matched)
}

func (r evalResult) recall() float64 {
	if r.fit == 0 {
		return 1
	}
	return float64(r.matchedFit) / float64(r.fit)
}

func (ev *evalSet) profileNames() []string {
	var names []string
	for n := range ev.labels {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// run scores every posting labelled for the profile.
func (ev *evalSet) run(name string, blend blendFunc) evalResult {
	p := ev.profiles[name]
	s := match.NewScorer(p, match.At(evalNow))
	type scored struct {
		key, label string
		m          jobpilot.Match
	}
	var all []scored
	var r evalResult
	for key, label := range ev.labels[name] {
		m := s.Score(ev.postings[key])
		if blend != nil {
			m = blend(p, ev.postings[key], m)
		}
		all = append(all, scored{key, label, m})
		r.pairs++
		matched := !m.Excluded && m.Score >= p.Preferences.EffectiveMinScore()
		switch label {
		case "fit":
			r.fit++
		case "stretch":
			r.stretch++
		}
		if matched {
			r.matched++
			if label != "no" {
				r.matchedGood++
			}
			if label == "fit" {
				r.matchedFit++
			}
		}
		if matched && label == "no" || !matched && label == "fit" {
			r.mistakes = append(r.mistakes, fmt.Sprintf("%-4s %3d %-34s %q for %q against %q",
				label, m.Score, key, ev.postings[key].Title, m.For, m.Against))
		}
	}
	slices.Sort(r.mistakes)
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.m.Score, a.m.Score), cmp.Compare(a.key, b.key))
	})
	gain := map[string]float64{"fit": 2, "stretch": 1}
	var dcg, idcg float64
	ideal := make([]float64, 0, len(all))
	for i, a := range all {
		if i < 20 {
			dcg += (math.Pow(2, gain[a.label]) - 1) / math.Log2(float64(i+2))
		}
		ideal = append(ideal, gain[a.label])
	}
	slices.SortFunc(ideal, func(a, b float64) int { return cmp.Compare(b, a) })
	for i, g := range ideal[:min(20, len(ideal))] {
		idcg += (math.Pow(2, g) - 1) / math.Log2(float64(i+2))
	}
	r.ndcg = 1
	if idcg > 0 {
		r.ndcg = dcg / idcg
	}
	return r
}

func loadEval(t testing.TB, dir string) *evalSet {
	t.Helper()
	ev := &evalSet{profiles: map[string]*jobpilot.Profile{}, postings: map[string]*jobpilot.Posting{}, labels: map[string]map[string]string{}}
	profiles, _ := filepath.Glob(filepath.Join(dir, "profiles", "*.json"))
	if len(profiles) == 0 {
		profiles, _ = filepath.Glob(filepath.Join(dir, "..", "profiles", "*.json"))
	}
	for _, f := range profiles {
		var p jobpilot.Profile
		readJSON(t, f, &p)
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ev.profiles[strings.TrimSuffix(filepath.Base(f), ".json")] = &p
	}
	boards, _ := filepath.Glob(filepath.Join(dir, "boards", "*.json"))
	for _, f := range boards {
		stem := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, p := range decodeBoard(t, f, stem) {
			ev.postings[stem+"/"+p.ExternalID] = p
		}
	}
	fh, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for line := 0; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 0 || len(f) == 0 || f[0] == "" {
			continue
		}
		if len(f) < 3 || ev.postings[f[0]] == nil || ev.profiles[f[1]] == nil || !slices.Contains([]string{"fit", "stretch", "no"}, f[2]) {
			t.Fatalf("labels.tsv:%d: bad line %q", line+1, sc.Text())
		}
		if ev.labels[f[1]] == nil {
			ev.labels[f[1]] = map[string]string{}
		}
		ev.labels[f[1]][f[0]] = f[2]
	}
	return ev
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// decodeBoard turns one board's API answer into postings the way the
// sources do (source/greenhouse.go, lever.go, ashby.go, hn.go): the same
// fields, the same HTML-to-text conversion, the same remote flag.
func decodeBoard(t testing.TB, path, stem string) []*jobpilot.Posting {
	kind, name, _ := strings.Cut(stem, "-")
	var out []*jobpilot.Posting
	switch kind {
	case "greenhouse":
		var b struct {
			Jobs []struct {
				ID          int64  `json:"id"`
				Title       string `json:"title"`
				CompanyName string `json:"company_name"`
				Content     string `json:"content"`
				Location    struct {
					Name string `json:"name"`
				} `json:"location"`
			} `json:"jobs"`
		}
		readJSON(t, path, &b)
		for _, j := range b.Jobs {
			out = append(out, &jobpilot.Posting{ExternalID: strconv.FormatInt(j.ID, 10), Company: j.CompanyName, Title: j.Title,
				Location: j.Location.Name, Remote: remoteText(j.Location.Name), Description: source.HTMLToText(j.Content)})
		}
	case "lever":
		var b []struct {
			ID            string `json:"id"`
			Text          string `json:"text"`
			WorkplaceType string `json:"workplaceType"`
			Description   string `json:"description"`
			Categories    struct {
				Location string `json:"location"`
			} `json:"categories"`
		}
		readJSON(t, path, &b)
		for _, j := range b {
			out = append(out, &jobpilot.Posting{ExternalID: j.ID, Company: name, Title: j.Text, Location: j.Categories.Location,
				Remote:      strings.EqualFold(j.WorkplaceType, "remote") || remoteText(j.Categories.Location),
				Description: source.HTMLToText(j.Description)})
		}
	case "ashby":
		var b struct {
			Jobs []struct {
				ID              string `json:"id"`
				Title           string `json:"title"`
				Location        string `json:"location"`
				IsRemote        bool   `json:"isRemote"`
				WorkplaceType   string `json:"workplaceType"`
				DescriptionHTML string `json:"descriptionHtml"`
			} `json:"jobs"`
		}
		readJSON(t, path, &b)
		for _, j := range b.Jobs {
			out = append(out, &jobpilot.Posting{ExternalID: j.ID, Company: name, Title: j.Title, Location: j.Location,
				Remote:      j.IsRemote || strings.EqualFold(j.WorkplaceType, "remote") || remoteText(j.Location),
				Description: source.HTMLToText(j.DescriptionHTML)})
		}
	case "hn":
		var b struct {
			Children []struct {
				ID   int64  `json:"id"`
				Text string `json:"text"`
			} `json:"children"`
		}
		readJSON(t, path, &b)
		for _, c := range b.Children {
			out = append(out, hnPosting(strconv.FormatInt(c.ID, 10), source.HTMLToText(c.Text)))
		}
	default:
		t.Fatalf("%s: unknown board kind %q", path, kind)
	}
	for _, p := range out {
		p.Source = stem
	}
	return out
}

// hnPosting reads a "Who is hiring?" comment as source/hn.go does: the
// first line is "Company | Role | Location | …"; a field saying remote makes
// the posting remote; the first other field that is not an employment word
// is the location, else the remote field.
func hnPosting(id, text string) *jobpilot.Posting {
	first, _, _ := strings.Cut(text, "\n")
	fields := strings.Split(first, "|")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	p := &jobpilot.Posting{ExternalID: id, Company: fields[0], Title: fields[1], Description: text}
	remoteField := ""
	for _, f := range fields[2:] {
		lf := strings.ToLower(f)
		switch {
		case remoteText(f):
			p.Remote = true
			if remoteField == "" {
				remoteField = f
			}
		case p.Location == "" && !strings.ContainsAny(lf, "$€") && !strings.Contains(lf, "http") &&
			!slices.Contains([]string{"onsite", "on-site", "full-time", "hybrid", "part-time", "contract"}, lf):
			p.Location = f
		}
	}
	if p.Location == "" {
		p.Location = remoteField
	}
	return p
}

// remoteText is the remote check the sources used before they read work
// modes (source.isRemoteText): "remote", "anywhere" or "wfh", not after
// "no" or "not".
func remoteText(s string) bool {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127)
	})
	for i, w := range ws {
		if w == "remote" || w == "anywhere" || w == "wfh" {
			return i == 0 || ws[i-1] != "no" && ws[i-1] != "not"
		}
	}
	return false
}
