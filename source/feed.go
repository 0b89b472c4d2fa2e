package source

import (
	"context"
	"encoding/xml"
	"io"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// FeedType is the "feed" source: an RSS 2.0 or Atom 1.0 feed of job
// postings at a URL. It has no API root of its own: base_url is not used.
var FeedType = Type{
	Name: "feed",
	Keys: []Key{
		{Name: "url", Required: true, Doc: "http(s) URL of the RSS or Atom feed"},
		{Name: "company", Doc: "the company of every item (default: the feed's title)"},
	},
	Check: func(spec Spec) []*jobpilot.Error {
		if u := strings.TrimSpace(spec.Keys["url"]); !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return []*jobpilot.Error{jobpilot.FieldError("url", "must be an http(s) URL (got %q)", u)}
		}
		return nil
	},
	New: func(b base) jobpilot.Source { return &Feed{base: b} },
}

// Feed reads an RSS 2.0 (<rss><channel><item>) or Atom 1.0
// (<feed><entry>) feed, one item at a time. Each item is a posting: its
// title the title, its guid (RSS) or id (Atom), else its link, the id; its
// content:encoded, content, description or summary (HTML) the description;
// its link the URL; its pubDate, published or updated the time. The company
// is the source's company key, else the feed's own title, else the source's
// name. RSS and Atom have no field for places: a posting's location is
// what its <location> element (used by some job feeds) says, else the work
// mode a parenthesis ending its title names ("… (Remote - Europe)").
type Feed struct {
	base
}

// feedItem is an RSS item or an Atom entry; the fields of both are read.
type feedItem struct {
	Title    string     `xml:"title"`
	GUID     string     `xml:"guid"`
	ID       string     `xml:"id"`
	Links    []feedLink `xml:"link"`
	Desc     string     `xml:"description"`
	Encoded  string     `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	Summary  feedText   `xml:"summary"`
	Content  feedText   `xml:"content"`
	PubDate  string     `xml:"pubDate"`
	Pub      string     `xml:"published"`
	Updated  string     `xml:"updated"`
	Location string     `xml:"location"`
}

// feedLink is RSS's <link>URL</link> or Atom's <link href rel>.
type feedLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Text string `xml:",chardata"`
}

// feedText is an Atom text construct: type="html" or "text" holds escaped
// text, type="xhtml" markup.
type feedText struct {
	Type  string `xml:"type,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

func (t feedText) html() string {
	if strings.EqualFold(t.Type, "xhtml") {
		return t.Inner
	}
	return t.Text
}

// Fetch returns the feed's items.
func (f *Feed) Fetch(ctx context.Context) ([]jobpilot.Posting, error) {
	return collect(ctx, f.FetchEach)
}

// FetchEach streams the feed, one item at a time.
func (f *Feed) FetchEach(ctx context.Context, yield func(jobpilot.Posting) error) error {
	return f.client.stream(ctx, f.name, strings.TrimSpace(f.cfg.Keys["url"]), acceptXML, func(_ context.Context, body io.Reader) error {
		return xmlErr(f.decode(body, yield))
	})
}

func (f *Feed) decode(body io.Reader, yield func(jobpilot.Posting) error) error {
	company := strings.TrimSpace(f.cfg.Keys["company"])
	return eachXMLElement(body, []string{"rss", "feed", "rdf"}, func(dec *xml.Decoder, start xml.StartElement, path []string) (bool, error) {
		name := path[len(path)-1]
		switch {
		case name == "title" && company == "" && (len(path) == 3 && path[1] == "channel" || len(path) == 2 && path[0] == "feed"):
			var title string
			if err := dec.DecodeElement(&title, &start); err != nil {
				return true, err
			}
			company = oneLine(title)
			return true, nil
		case name == "item" || name == "entry" && path[0] == "feed":
			var it feedItem
			if err := dec.DecodeElement(&it, &start); err != nil {
				return true, err
			}
			return true, f.emit(f.posting(firstNonEmpty(company, f.cfg.Name), it), yield)
		}
		return false, nil
	})
}

func (f *Feed) posting(company string, it feedItem) jobpilot.Posting {
	link := ""
	for _, l := range it.Links {
		if u := strings.TrimSpace(firstNonEmpty(l.Href, l.Text)); u != "" && (l.Rel == "" || l.Rel == "alternate") {
			link = u
			break
		}
	}
	desc := firstNonEmpty(it.Encoded, it.Content.html(), it.Desc, it.Summary.html())
	p := jobpilot.Posting{
		ExternalID:  firstNonEmpty(strings.TrimSpace(it.GUID), strings.TrimSpace(it.ID), link),
		Company:     company,
		Title:       it.Title,
		Location:    it.Location,
		Description: HTMLToText(desc),
		URL:         link,
		ApplyURL:    link,
		PublishedAt: parseBoardTime(firstNonEmpty(it.PubDate, it.Pub, it.Updated)),
	}
	if p.Location == "" {
		p.Location = placeInTitle(p.Title)
	}
	fillPlaces(&p, "")
	p.Pay = payInText(p.Description)
	return p
}

// placeInTitle is the place or work mode a feed item's title ends with in
// parentheses ("Backend Engineer (Remote - Europe)"), which many job feeds
// write there for lack of a field; "" when the parenthesis says neither
// ("(m/f/d)").
func placeInTitle(title string) string {
	title = strings.TrimSpace(title)
	open := strings.LastIndexByte(title, '(')
	if open < 0 || !strings.HasSuffix(title, ")") {
		return ""
	}
	inside := strings.TrimSpace(title[open+1 : len(title)-1])
	if readPlace(inside).mode == "" {
		return ""
	}
	return inside
}
