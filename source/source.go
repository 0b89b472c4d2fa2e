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
	"github.com/jobpilot/jobpilot/config"
)

// Source types, as written in the configuration's "type".
const (
	TypeGreenhouse = "greenhouse"
	TypeLever      = "lever"
	TypeAshby      = "ashby"
	TypeHN         = "hn"
	TypeJSON       = "json"
)

// New builds the source a configuration entry describes. A nil Client means
// NewClient(ClientOptions{}): one attempt per request, no breaker. A
// configuration that cannot work (unknown type, missing name, token, site,
// org or URL, a malformed base URL) is an EINVALID *jobpilot.Error naming the
// field.
//
// The source's Name is "<type>:<name>" and every posting carries it; its
// requests run under the Client's policy for that name, which the
// resilience set turns into the service and breaker "source:<type>:<name>"
// (e.g. "source:greenhouse:acme").
func New(cfg config.SourceConfig, c *Client) (jobpilot.Source, error) {
	if c == nil {
		c = NewClient(ClientOptions{})
	}
	cfg.Type = strings.ToLower(strings.TrimSpace(cfg.Type))
	cfg.Name = strings.TrimSpace(cfg.Name)
	if cfg.Name == "" {
		return nil, jobpilot.FieldError("sources.name", "is required (type %q)", cfg.Type)
	}
	if strings.ContainsAny(cfg.Name, " \t\r\n/") {
		return nil, jobpilot.FieldError("sources.name", "%q must not contain spaces or slashes", cfg.Name)
	}
	need := func(field, v string) error {
		if strings.TrimSpace(v) == "" {
			return jobpilot.FieldError("sources."+field, "is required for %s source %q", cfg.Type, cfg.Name)
		}
		return nil
	}
	b := base{cfg: cfg, client: c, name: cfg.Type + ":" + cfg.Name, filter: compileFilter(cfg.Filter), log: c.log.With("source", cfg.Type+":"+cfg.Name)}
	var err error
	switch cfg.Type {
	case TypeGreenhouse:
		if err = need("token", cfg.Token); err == nil {
			b.baseURL, err = baseURL(cfg, "https://boards-api.greenhouse.io")
		}
		return &Greenhouse{base: b}, err
	case TypeLever:
		if err = need("site", cfg.Site); err == nil {
			b.baseURL, err = baseURL(cfg, "https://api.lever.co")
		}
		return &Lever{base: b, pageSize: 100}, err
	case TypeAshby:
		if err = need("org", cfg.Org); err == nil {
			b.baseURL, err = baseURL(cfg, "https://api.ashbyhq.com")
		}
		return &Ashby{base: b}, err
	case TypeHN:
		b.baseURL, err = baseURL(cfg, "https://hn.algolia.com")
		return &HN{base: b}, err
	case TypeJSON:
		err = need("url", cfg.URL)
		return &JSONFeed{base: b}, err
	}
	return nil, jobpilot.FieldError("sources.type", "unknown source type %q for %q (want greenhouse, lever, ashby, hn or json)", cfg.Type, cfg.Name)
}

func baseURL(cfg config.SourceConfig, def string) (string, error) {
	u := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if u == "" {
		return def, nil
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return "", jobpilot.FieldError("sources.base_url", "%q of source %q must be an http(s) URL", cfg.BaseURL, cfg.Name)
	}
	return u, nil
}

// base is what every source shares.
type base struct {
	cfg     config.SourceConfig
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

// filter is a compiled config.SourceFilter.
type filter struct {
	titles     [][]string
	places     [][]string
	remotePass bool // "remote" is one of the locations: remote postings pass
	remoteOnly bool
}

func compileFilter(f config.SourceFilter) filter {
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
