package source_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/store"
)

// The big-board harness measures what fetching one very large Greenhouse
// board costs: a loopback server (in the benchmark's process) streams a
// board of BIGBOARD_JOBS postings (default 25,000) of about 14 KB each,
// generated on the fly so the server holds one posting at a time, and a
// child process (this test binary, TestBigBoardChild) fetches and
// normalises it with FetchAll and reports its own peak RSS (VmHWM) and the
// time taken. Run it with:
//
//	go test -run '^$' -bench BigBoard -benchtime 1x ./source/
//
// BIGBOARD_STORE=sqlite stores the postings in a fresh SQLite file as well
// (the whole pipeline of a fetch), BIGBOARD_STORE=postgres in a fresh
// database on JOBPILOT_TEST_DATABASE_URL's server; unset, the fetch is a dry
// run.
// BIGBOARD_MAX_BODY sets the client's body limit in bytes (0: the default).
// BIGBOARD_TYPE=personio serves the same jobs as a Personio XML feed
// instead, to measure the XML decoder.
func BenchmarkBigBoard(b *testing.B) {
	jobs := envInt("BIGBOARD_JOBS", 25000)
	var served atomic.Int64
	handler := bigBoardHandler(jobs, &served)
	if os.Getenv("BIGBOARD_TYPE") == "personio" {
		handler = bigPersonioHandler(jobs, &served)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBigBoardChild$", "-test.v")
		cmd.Env = append(os.Environ(), "BIGBOARD_CHILD_URL="+srv.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var res bigBoardResult
		for line := range strings.Lines(string(out)) {
			if j, ok := strings.CutPrefix(strings.TrimSpace(line), "BIGBOARD "); ok {
				if err := json.Unmarshal([]byte(j), &res); err != nil {
					b.Fatal(err)
				}
			}
		}
		if res.PeakRSSMB == 0 {
			b.Fatalf("no result from the child:\n%s", out)
		}
		b.ReportMetric(res.PeakRSSMB, "peak-RSS-MB")
		b.ReportMetric(res.Seconds, "s/fetch")
		b.ReportMetric(float64(res.Fetched), "postings")
		fmt.Printf("big board: %d jobs (%.0f MB) served, fetched %d, stored %d new, %.1f s, peak RSS %.1f MB, error: %s\n",
			jobs, float64(served.Swap(0))/(1<<20), res.Fetched, res.New, res.Seconds, res.PeakRSSMB, res.Err)
	}
}

type bigBoardResult struct {
	Fetched   int     `json:"fetched"`
	New       int     `json:"new"`
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Err       string  `json:"err"`
}

// TestBigBoardChild is the measured side of BenchmarkBigBoard; it does
// nothing unless the benchmark started it.
func TestBigBoardChild(t *testing.T) {
	url := os.Getenv("BIGBOARD_CHILD_URL")
	if url == "" {
		t.Skip("run by BenchmarkBigBoard")
	}
	ctx := context.Background()
	var st source.PostingUpserter
	if kind := os.Getenv("BIGBOARD_STORE"); kind != "" {
		backend := dbtest.SQLite()
		if kind == "postgres" {
			backend = dbtest.Postgres(t)
		}
		db, err := store.Open(ctx, backend.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		st = db
	}
	client := source.NewClient(source.ClientOptions{MaxBody: int64(envInt("BIGBOARD_MAX_BODY", 0))})
	spec := source.Spec{Type: "greenhouse", Name: "big", BaseURL: url, Keys: map[string]string{"token": "big"}}
	if os.Getenv("BIGBOARD_TYPE") == "personio" {
		spec = source.Spec{Type: "personio", Name: "big", BaseURL: url, Keys: map[string]string{"company": "big"}}
	}
	s, err := source.New(spec, client)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := source.FetchAll(ctx, []jobpilot.Source{s}, st, nil)[0]
	res := bigBoardResult{Fetched: r.Fetched, New: r.Result.New, Seconds: time.Since(start).Seconds(), PeakRSSMB: peakRSSMB(t)}
	if r.Err != nil {
		res.Err = r.Err.Error()
		if len(res.Err) > 200 {
			res.Err = res.Err[:200]
		}
	}
	line, _ := json.Marshal(res)
	fmt.Printf("BIGBOARD %s\n", line)
}

// peakRSSMB is this process's peak resident set size (VmHWM), in MB.
func peakRSSMB(t *testing.T) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// bigBoardHandler streams a Greenhouse board of n jobs, one job encoded at
// a time, and adds the bytes it wrote to served.
func bigBoardHandler(n int, served *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		cw := &countingWriter{w: w, n: served}
		bw := bufio.NewWriterSize(cw, 64<<10)
		defer bw.Flush()
		bw.WriteString(`{"jobs":[`)
		for i := range n {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(bigBoardJob(i))
		}
		fmt.Fprintf(bw, `],"meta":{"total":%d}}`, n)
	})
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// bigPersonioHandler streams a Personio XML feed of n positions with the
// descriptions of bigBoardHTML, one position at a time.
func bigPersonioHandler(n int, served *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		bw := bufio.NewWriterSize(&countingWriter{w: w, n: served}, 64<<10)
		defer bw.Flush()
		bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<workzag-jobs>\n")
		for i := range n {
			fmt.Fprintf(bw, `<position><id>%d</id><subcompany>Acme GmbH</subcompany><office>Berlin</office>`+
				`<additionalOffices><office>Munich</office></additionalOffices><department>Engineering</department>`+
				`<recruitingCategory>Software</recruitingCategory><name>Senior Backend Engineer %d</name><jobDescriptions>`+
				`<jobDescription><name>Your role</name><value><![CDATA[%s]]></value></jobDescription></jobDescriptions>`+
				`<employmentType>permanent</employmentType><seniority>experienced</seniority><schedule>full-time</schedule>`+
				`<createdAt>2026-11-01T09:00:00+00:00</createdAt></position>`+"\n", 4000000+i, i, bigBoardHTML(i))
		}
		bw.WriteString("</workzag-jobs>\n")
	})
}

// bigBoardHTML is a real-sized description (about 12 KB of HTML) with the
// paragraphs, lists, links and non-breaking spaces real boards carry.
func bigBoardHTML(i int) string {
	var h strings.Builder
	fmt.Fprintf(&h, `<div class="content-intro"><p><strong>About Acme</strong></p><p>Acme builds the robots and the software that run warehouses for 300 customers. Job %d.</p></div>`, i)
	for s := range 10 {
		fmt.Fprintf(&h, `<h3>Section %d: what you will do</h3><p>You will design, build and run services in Go on PostgreSQL, with a team of eight engineers who care about reliability, clear writing and each other. We ship small changes often&nbsp;and review every design in the open.</p><ul>`, s)
		for k := range 6 {
			fmt.Fprintf(&h, `<li>Own part %d of our platform: on-call, SLOs, incident reviews and the roadmap that follows from them</li>`, k)
		}
		h.WriteString(`</ul>`)
	}
	h.WriteString(`<p>Salary range: $150,000&nbsp;&ndash;&nbsp;$190,000 USD per year, plus equity.</p>`)
	h.WriteString(`<p>Acme is an equal opportunity employer. See also&nbsp;<a href="https://acme.example/eeo">EEO Policy</a>&nbsp;and our <a href="https://acme.example/privacy">privacy notice</a>. If you need an accommodation, email&nbsp;<a href="mailto:jobs@acme.example">jobs@acme.example</a>.</p>`)
	return h.String()
}

// bigBoardJob is one job in Greenhouse's shape, about 14 KB of JSON: the
// description of bigBoardHTML entity-escaped, as Greenhouse sends it.
func bigBoardJob(i int) []byte {
	job := map[string]any{
		"id": 4000000 + i, "internal_job_id": 3000000 + i, "title": fmt.Sprintf("Senior Backend Engineer %d", i),
		"updated_at": "2026-11-20T10:15:00-05:00", "first_published": "2026-11-01T09:00:00-05:00",
		"requisition_id": fmt.Sprintf("REQ-%d", i), "absolute_url": fmt.Sprintf("https://boards.greenhouse.io/acme/jobs/%d", 4000000+i),
		"company_name": "Acme", "location": map[string]string{"name": "Berlin, Germany"},
		"metadata": nil, "data_compliance": []map[string]any{{"type": "gdpr", "requires_consent": false}},
		"offices":     []map[string]any{{"id": 1, "name": "Berlin", "location": "Berlin, Germany"}},
		"departments": []map[string]any{{"id": 2, "name": "Engineering"}},
		"content":     html.EscapeString(bigBoardHTML(i)),
	}
	b, _ := json.Marshal(job)
	return b
}
