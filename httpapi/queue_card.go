package httpapi

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"html/template"
	"reflect"
	"sync"

	"github.com/jobpilot/jobpilot"
)

// queueCard is what one review-queue card shows, worked out in Go before
// the template runs: the template only reads fields and tests booleans.
// A card rendered from the stored application directly cost about 500
// allocations (html/template calls every comparison, method and function
// through reflection, and an embedded struct's fields are looked up by a
// search), which was most of the page's time at 20 clients; see
// docs/design-notes.md "The review queue is one keyset query".
type queueCard struct {
	ID                             int64
	Status                         jobpilot.Status
	StatusLabel                    string
	Score                          int
	Title, Company, Location       string
	Source, Writer                 string
	Remote, Example, Closed        bool
	Selectable, Picked, NoDocument bool
	// ByEmail: the application goes out by email to Recipient (nil when
	// none is known); otherwise LinkHost is the site it is applied on.
	ByEmail   bool
	Recipient *jobpilot.Recipient
	LinkHost  string
	Why       jobpilot.Match
	Guard     jobpilot.GuardReport
	// The card's one action: approve, cancel sending, restore, or a link
	// (LinkURL, labelled LinkLabel) to apply on the site.
	CanApprove, CanCancel, CanRestore bool
	LinkURL, LinkLabel                string
}

// cardOf is the card of one queue item; picked ticks its checkbox.
func cardOf(it jobpilot.QueueItem, picked bool) queueCard {
	a, p := it.Application, it.Posting
	c := queueCard{
		ID: a.ID, Status: a.Status, StatusLabel: a.StatusLabel(), Score: a.Score,
		Title: p.Title, Company: p.Company, Location: p.Location, Source: p.Source, Writer: a.Writer,
		Remote: p.Remote, Example: a.Example, Closed: p.ClosedAt != nil,
		NoDocument: !it.HasDocuments, ByEmail: a.ApplyVia == jobpilot.ApplyViaEmail,
		Why: a.Explanation, Guard: a.Guard,
	}
	c.Selectable = a.Status == jobpilot.StatusReady
	c.Picked = c.Selectable && picked
	if c.ByEmail {
		c.Recipient = cardRecipient(a, p.ContactEmail, p.URL, p.ApplyURL)
	} else if c.LinkHost = hostOf(p.ApplyURL); c.LinkHost == "" {
		c.LinkHost = hostOf(p.URL)
	}
	switch {
	case a.Status == jobpilot.StatusReady && c.ByEmail && it.HasDocuments:
		c.CanApprove = true
	case a.Status == jobpilot.StatusApproved:
		c.CanCancel = true
	case a.Status == jobpilot.StatusDismissed:
		c.CanRestore = true
	case !c.ByEmail && p.ApplyURL != "":
		c.LinkURL, c.LinkLabel = p.ApplyURL, "Apply on the site"
	case !c.ByEmail && p.URL != "":
		c.LinkURL, c.LinkLabel = p.URL, "Open posting"
	}
	return c
}

// cardCacheSize bounds the rendered cards kept: a few pages of every
// filter a candidate moves between. When full, the cache starts again.
const cardCacheSize = 2000

// cardCache keeps rendered cards by a hash of everything the card shows
// and the session's CSRF token, so a card is rendered again exactly when
// something on it changed: there is nothing to invalidate. A review queue is
// read far more often than it changes (every refresh, every filter, every
// tab), and the template is most of a page's cost (html/template runs its
// escapers through reflection, ≈ 40 calls a card).
type cardCache struct {
	seed maphash.Seed
	mu   sync.Mutex
	html map[uint64]template.HTML
}

func newCardCache() *cardCache {
	return &cardCache{seed: maphash.MakeSeed(), html: map[uint64]template.HTML{}}
}

// cardData is what the "card" template reads.
type cardData struct {
	Card queueCard
	CSRF string
}

// render is c's card rendered for the session whose token is csrf.
func (cc *cardCache) render(c *queueCard, csrf string) (template.HTML, error) {
	key := cc.key(c, csrf)
	cc.mu.Lock()
	html, ok := cc.html[key]
	cc.mu.Unlock()
	if ok {
		return html, nil
	}
	b := pageBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer pageBuffers.Put(b)
	if err := templates.ExecuteTemplate(b, "card", cardData{Card: *c, CSRF: csrf}); err != nil {
		return "", err
	}
	html = template.HTML(b.String()) // #nosec: the "card" template's own escaped output
	cc.mu.Lock()
	if len(cc.html) >= cardCacheSize {
		clear(cc.html)
	}
	cc.html[key] = html
	cc.mu.Unlock()
	return html, nil
}

// key hashes every field of c, whatever fields queueCard gains, and csrf.
func (cc *cardCache) key(c *queueCard, csrf string) uint64 {
	var h maphash.Hash
	h.SetSeed(cc.seed)
	hashValue(&h, reflect.ValueOf(c).Elem())
	h.WriteString(csrf)
	return h.Sum64()
}

// hashValue writes v to h unambiguously (lengths before contents, a mark
// for nil). It panics on a kind a card does not hold, so a field of a new
// kind is noticed by the tests rather than left out of the key.
func hashValue(h *maphash.Hash, v reflect.Value) {
	var n [8]byte
	putInt := func(i uint64) {
		binary.LittleEndian.PutUint64(n[:], i)
		h.Write(n[:])
	}
	switch v.Kind() {
	case reflect.String:
		putInt(uint64(v.Len()))
		h.WriteString(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		putInt(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		putInt(v.Uint())
	case reflect.Bool:
		if v.Bool() {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	case reflect.Pointer:
		if v.IsNil() {
			h.WriteByte(0)
			return
		}
		h.WriteByte(1)
		hashValue(h, v.Elem())
	case reflect.Slice:
		putInt(uint64(v.Len()))
		for i := range v.Len() {
			hashValue(h, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			hashValue(h, v.Field(i))
		}
	default:
		panic("httpapi: a queue card holds a " + v.Kind().String() + ": teach hashValue to hash it")
	}
}
