package source

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/jobpilot/jobpilot"
)

// Company discovery: which of the supported job boards has a board for a
// company, found by asking each board type's public endpoint for a few
// likely board names ("slugs") of the company's name.

// Counter is a Source that can count its board's open jobs with less than a
// full read (SmartRecruiters: one request for the list's total). Discovery
// counts the others' postings as FetchEach hands them over.
type Counter interface {
	CountJobs(ctx context.Context) (int, error)
}

// errNoBoard is an answer that says there is no such board although the
// request succeeded (an API that answers any name with an empty list).
var errNoBoard = jobpilot.Permanent(errors.New("no such board"))

// DefaultMaxSlugs is how many names discovery tries per board type and
// company.
const DefaultMaxSlugs = 3

// discoverConcurrency bounds the (company, board type) pairs probed at once;
// the Client's per-host slots bound each host further.
const discoverConcurrency = 4

// DiscoverOptions tune Discover.
type DiscoverOptions struct {
	// MaxSlugs is the most names tried per board type and company; 0 means
	// DefaultMaxSlugs.
	MaxSlugs int
	// BaseURLs replace board types' API roots, by type name (tests,
	// proxies); "{company}" in one stands for the name tried.
	BaseURLs map[string]string
	// Types limits discovery to these board types; nil means every type
	// with a SlugKey, in registration order.
	Types []string
}

// FoundBoard is a board that exists, ready to be configured.
type FoundBoard struct {
	Company string // as asked
	Spec    Spec   // Type, Name (the slug), BaseURL when overridden, Keys{SlugKey: slug}
	Jobs    int    // open postings now
}

// Unchecked is a board type not fully checked for a company, and why: its
// host asked us to slow down (429), or failed.
type Unchecked struct {
	Company, Type, Reason string
}

// Discovery is what Discover found.
type Discovery struct {
	Found     []FoundBoard // by company, then board type, in the order asked
	Unchecked []Unchecked
}

// Discover looks for each company's boards. For every board type with a
// SlugKey it tries the company's Slugs in order, stopping at the first that
// exists: at most MaxSlugs requests per type and company (SmartRecruiters:
// one each; boards that page, a few more for the one found). Requests go
// through c: its per-host slots and delay keep discovery polite. A 429 from
// a host stops every later probe of that host for this run, including those
// waiting for the host's slot (reported as Unchecked; only requests already
// sent, at most the host's slots, still finish); any failure other than "no
// such board" stops that type for that company. A board that answers with no open postings is found with 0
// jobs, except where the API answers every name alike (see Counter).
func (r *Registry) Discover(ctx context.Context, c *Client, companies []string, o DiscoverOptions) Discovery {
	if o.MaxSlugs <= 0 {
		o.MaxSlugs = DefaultMaxSlugs
	}
	var types []Type
	for _, t := range r.types {
		if t.SlugKey != "" && (o.Types == nil || slices.Contains(o.Types, t.Name)) {
			types = append(types, t)
		}
	}
	d := &discoverer{r: r, o: o, limited: map[string]bool{}}
	gated := *c // shares c's host slots
	gated.gate = d.gate
	d.c = &gated
	type result struct {
		found     *FoundBoard
		unchecked *Unchecked
	}
	results := make([]result, len(companies)*len(types))
	var wg sync.WaitGroup
	sem := make(chan struct{}, discoverConcurrency)
	for i, company := range companies {
		for j, t := range types {
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case sem <- struct{}{}:
					defer func() { <-sem }()
				case <-ctx.Done():
					u := Unchecked{Company: company, Type: t.Name, Reason: ctx.Err().Error()}
					results[i*len(types)+j] = result{unchecked: &u}
					return
				}
				f, u := d.probe(ctx, company, t)
				results[i*len(types)+j] = result{found: f, unchecked: u}
			}()
		}
	}
	wg.Wait()
	var out Discovery
	for _, res := range results {
		if res.found != nil {
			out.Found = append(out.Found, *res.found)
		}
		if res.unchecked != nil {
			out.Unchecked = append(out.Unchecked, *res.unchecked)
		}
	}
	return out
}

type discoverer struct {
	r *Registry
	c *Client
	o DiscoverOptions

	mu      sync.Mutex
	limited map[string]bool // hosts that answered 429
}

func (d *discoverer) isLimited(host string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.limited[host]
}

// errHostLimited is a request not sent because its host answered 429
// earlier in the run.
var errHostLimited = errors.New("answered 429 (too many requests): not asked again in this run")

// gate stops requests to a host that answered 429, checked once the
// request holds the host's slot: probes waiting for it are not sent.
func (d *discoverer) gate(host string) error {
	if d.isLimited(host) {
		return fmt.Errorf("%s %w", host, errHostLimited)
	}
	return nil
}

func (d *discoverer) limit(host string) {
	d.mu.Lock()
	d.limited[host] = true
	d.mu.Unlock()
}

// probe tries the company's slugs on one board type.
func (d *discoverer) probe(ctx context.Context, company string, t Type) (*FoundBoard, *Unchecked) {
	base := firstNonEmpty(d.o.BaseURLs[t.Name], t.DefaultBaseURL)
	for _, slug := range Slugs(company, d.o.MaxSlugs) {
		root := boardRoot(base, slug)
		host := hostOf(root)
		if d.isLimited(host) {
			return nil, &Unchecked{Company: company, Type: t.Name, Reason: host + " " + errHostLimited.Error()}
		}
		spec := Spec{Type: t.Name, Name: slug, Keys: map[string]string{t.SlugKey: slug}}
		if o := d.o.BaseURLs[t.Name]; o != "" {
			spec.BaseURL = boardRoot(o, slug)
		}
		src, err := d.r.New(spec, d.c)
		if err != nil {
			continue // a slug this type cannot take (not a host name)
		}
		n, err := countJobs(ctx, src)
		var se *StatusError
		switch {
		case err == nil:
			return &FoundBoard{Company: company, Spec: spec, Jobs: n}, nil
		case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
			d.limit(hostOf(se.URL))
			return nil, &Unchecked{Company: company, Type: t.Name, Reason: hostOf(se.URL) + " " + errHostLimited.Error()}
		case errors.Is(err, errHostLimited):
			return nil, &Unchecked{Company: company, Type: t.Name, Reason: host + " " + errHostLimited.Error()}
		case ctx.Err() != nil:
			return nil, &Unchecked{Company: company, Type: t.Name, Reason: ctx.Err().Error()}
		case errors.Is(err, jobpilot.ErrPermanent):
			continue // 404, or not a board: try the next name
		default:
			return nil, &Unchecked{Company: company, Type: t.Name, Reason: err.Error()}
		}
	}
	return nil, nil
}

func countJobs(ctx context.Context, src jobpilot.Source) (int, error) {
	if c, ok := src.(Counter); ok {
		return c.CountJobs(ctx)
	}
	if s, ok := src.(Streamer); ok {
		seen := map[string]bool{}
		err := s.FetchEach(ctx, func(p jobpilot.Posting) error { seen[p.ExternalID] = true; return nil })
		return len(seen), err
	}
	ps, err := src.Fetch(ctx)
	return len(ps), err
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Host
}

// legalForms are the words of a company's name that its board names leave
// out: legal forms, and words that only say "company".
var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "ltd": true, "limited": true, "corp": true,
	"corporation": true, "co": true, "company": true, "plc": true, "gmbh": true, "mbh": true, "ag": true, "kg": true,
	"kgaa": true, "se": true, "ug": true, "ev": true, "sa": true, "sas": true, "sarl": true, "sl": true, "srl": true,
	"spa": true, "bv": true, "nv": true, "oy": true, "oyj": true, "ab": true, "as": true, "asa": true, "aps": true,
	"pty": true, "pte": true, "kk": true, "sp": true, "zoo": true, "the": true,
}

// Slugs returns up to max likely board names of a company, most likely
// first: lowercase, accents dropped, legal forms left out ("Inc", "GmbH &
// Co. KG"), then the words joined by hyphens, the words run together, and
// the first word alone: "Acme Robotics GmbH" → acme-robotics, acmerobotics,
// acme.
func Slugs(company string, max int) []string {
	decomposed := norm.NFKD.String(strings.ToLower(company))
	var b strings.Builder
	for _, r := range decomposed {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent, decomposed from its letter
		case r == '&' || r == '+':
			b.WriteString(" and ")
		case r == '\'' || r == '’' || r == '.':
			// "McDonald's", "S.A.": part of the word
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	all := strings.Fields(b.String())
	var words []string
	for _, w := range all {
		if !legalForms[w] {
			words = append(words, w)
		}
	}
	for len(words) > 0 && words[len(words)-1] == "and" {
		words = words[:len(words)-1] // "GmbH & Co. KG" leaves an "and"
	}
	if len(words) == 0 {
		words = all
	}
	var out []string
	add := func(s string) {
		if s != "" && len(out) < max && !slices.Contains(out, s) && len(s) <= 63 {
			out = append(out, s)
		}
	}
	add(strings.Join(words, "-"))
	add(strings.Join(words, ""))
	if len(words) > 1 {
		var noAnd []string
		for _, w := range words {
			if w != "and" {
				noAnd = append(noAnd, w)
			}
		}
		add(strings.Join(noAnd, "-"))
		add(words[0])
	}
	return out
}

// YAML writes the boards found as a "sources:" list ready to paste into the
// configuration, each with a comment naming the company and its open jobs,
// and what could not be checked as comments. Names are the slugs, made
// unique across types ("acme", then "acme-lever").
func (d Discovery) YAML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Found by jobpilot sources discover: %d board(s).\n", len(d.Found))
	if len(d.Found) == 0 {
		b.WriteString("sources: []\n")
	} else {
		b.WriteString("sources:\n")
	}
	used := map[string]bool{}
	for _, f := range d.Found {
		name := f.Spec.Name
		if used[name] {
			name += "-" + f.Spec.Type
		}
		used[name] = true
		fmt.Fprintf(&b, "  # %s: %d open job(s)\n", oneLine(f.Company), f.Jobs)
		fmt.Fprintf(&b, "  - type: %s\n    name: %s\n", f.Spec.Type, name)
		for _, k := range slices.Sorted(maps.Keys(f.Spec.Keys)) {
			fmt.Fprintf(&b, "    %s: %s\n", k, f.Spec.Keys[k])
		}
		if f.Spec.BaseURL != "" {
			fmt.Fprintf(&b, "    base_url: %q\n", f.Spec.BaseURL)
		}
	}
	for _, u := range d.Unchecked {
		fmt.Fprintf(&b, "# not checked: %s on %s: %s\n", oneLine(u.Company), u.Type, oneLine(u.Reason))
	}
	return b.String()
}
