package source

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jobpilot/jobpilot"
)

// base is what every source shares.
type base struct {
	cfg     Spec
	client  *Client
	name    string // "<type>:<name>"
	baseURL string
	filter  filter
	log     *slog.Logger
}

// Name returns "<type>:<name>", the Source of the postings it returns.
func (b *base) Name() string { return b.name }

// getJSON runs under the policy of the source's name.
func (b *base) getJSON(ctx context.Context, url string, v any) error {
	return b.client.GetJSON(ctx, b.name, url, v)
}

// finishOne normalises a posting and reports whether to keep it: one that
// fails validation is logged and dropped (never fatal: one malformed entry
// must not hide a board), and so is one the source's filter rejects. NUL
// bytes, which no text needs and PostgreSQL refuses, are removed first.
func (b *base) finishOne(p *jobpilot.Posting) bool {
	stripNUL(p)
	p.Source = b.name
	p.Title = boundedText(oneLine(p.Title), maxTitleBytes)
	p.Company = boundedText(oneLine(p.Company), maxTitleBytes)
	p.Location = oneLine(p.Location)
	p.Normalize()
	if err := p.Validate(); err != nil {
		b.log.Warn("posting skipped", "external_id", p.ExternalID, "reason", err.Error())
		return false
	}
	return b.filter.keep(p)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// filter is a compiled Filter.
type filter struct {
	titles     [][]string
	places     [][]string
	remotePass bool // "remote" is one of the locations: remote postings pass
	remoteOnly bool
}

func compileFilter(f Filter) filter {
	var c filter
	for _, k := range f.TitleKeywords {
		if ws := lowerWords(k); len(ws) > 0 {
			c.titles = append(c.titles, ws)
		}
	}
	for _, l := range f.Locations {
		ws := lowerWords(l)
		if len(ws) == 1 && ws[0] == "remote" {
			c.remotePass = true
		}
		if len(ws) > 0 {
			c.places = append(c.places, ws)
		}
	}
	c.remoteOnly = f.RemoteOnly
	return c
}

// keep applies the filter: the title must contain one of the title keywords
// (whole words, any case), one of the posting's locations one of the
// filter's locations, and the
// posting must be remote when remote_only is set. An empty list lets
// everything through. A location "remote" lets remote postings through.
func (f filter) keep(p *jobpilot.Posting) bool {
	if f.remoteOnly && !p.Remote {
		return false
	}
	if len(f.titles) > 0 && !anySeq(lowerWords(p.Title), f.titles) {
		return false
	}
	if len(f.places) > 0 && !(f.remotePass && p.Remote) && !anyPlace(p, f.places) {
		return false
	}
	return true
}

// anyPlace reports whether one of the posting's locations (any of them,
// not only the first) has one of places.
func anyPlace(p *jobpilot.Posting, places [][]string) bool {
	for _, l := range append([]string{p.Location}, p.Locations...) {
		if anySeq(lowerWords(l), places) {
			return true
		}
	}
	return false
}

func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#')
	})
}

func anySeq(hay []string, needles [][]string) bool {
	for _, n := range needles {
	next:
		for i := 0; i+len(n) <= len(hay); i++ {
			for j := range n {
				if hay[i+j] != n[j] {
					continue next
				}
			}
			return true
		}
	}
	return false
}

// PostingUpserter stores one source's postings; *store.DB implements it.
type PostingUpserter interface {
	UpsertPostings(ctx context.Context, source string, ps []jobpilot.Posting, closeMissing bool) (jobpilot.UpsertResult, error)
}

// Report is what fetching one source did.
type Report struct {
	Source  string                `json:"source"`
	Fetched int                   `json:"fetched"`
	Result  jobpilot.UpsertResult `json:"result"`
	Err     error                 `json:"-"`
	Elapsed time.Duration         `json:"elapsed"`
}

// fetchConcurrency bounds the sources fetched at once. Sources on one host
// still go one request at a time (see Client).
const fetchConcurrency = 4

// FetchAll fetches every source and upserts its postings, a few sources at a
// time, and returns one Report per source in the order given. progress, if
// not nil, is called once per source as it finishes (never concurrently).
// A Streamer is stored in batches as it is read (see fetchInto), so a board
// of any size costs the memory of a batch.
//
// A failing source is reported (Report.Err) and skipped: it never stops the
// others. Postings missing from a board are marked closed only after that
// board was fetched in full; a failed fetch closes nothing (the postings it
// read before failing are stored).
// When ctx ends, sources not yet done report ctx's error; FetchAll returns
// only after every goroutine it started has finished. A nil st fetches
// without storing (a dry run): Report.Result stays empty.
func FetchAll(ctx context.Context, sources []jobpilot.Source, st PostingUpserter, progress func(Report)) []Report {
	reports := make([]Report, len(sources))
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		sem = make(chan struct{}, fetchConcurrency)
	)
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := Report{Source: src.Name()}
			select {
			case sem <- struct{}{}:
				r = fetchOne(ctx, src, st)
				<-sem
			case <-ctx.Done():
				r.Err = fmt.Errorf("source %s: not fetched: %w", src.Name(), ctx.Err())
			}
			mu.Lock()
			defer mu.Unlock()
			reports[i] = r
			if progress != nil {
				progress(r)
			}
		}()
	}
	wg.Wait()
	return reports
}

func fetchOne(ctx context.Context, src jobpilot.Source, st PostingUpserter) (r Report) {
	start := time.Now()
	r.Source = src.Name()
	defer func() {
		// A panicking source is a bug in it, not a reason to stop the others.
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("source %s: panic: %v", src.Name(), p)
		}
		r.Elapsed = time.Since(start)
	}()
	r.Fetched, r.Result, r.Err = fetchInto(ctx, src, st)
	return r
}
