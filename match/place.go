package match

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
	"unicode"
)

// placesJSON is the one table of city, country and region names: see
// places.json. "NYC" and "New York", "SF" and "Bay Area", "München" and
// "Munich" are one place because they are one entry there.
//
//go:embed places.json
var placesJSON []byte

type placeKind uint8

const (
	kindMetro placeKind = iota + 1
	kindState
	kindCountry
	kindRegion
)

// place is a resolved place: a metro area (a city and its neighbours), a
// state, a country or a region (a set of countries).
type place struct {
	kind      placeKind
	name      string
	country   string          // ISO code, for metros, states and countries
	state     string          // for metros and states
	countries map[string]bool // for regions
}

// overlaps reports whether two places share ground: a city and its
// country, a country and a region that lists it, two regions with a
// country in common.
func overlaps(a, b *place) bool {
	if a.kind > b.kind {
		a, b = b, a
	}
	switch b.kind {
	case kindRegion:
		if a.kind == kindRegion {
			for c := range a.countries {
				if b.countries[c] {
					return true
				}
			}
			return false
		}
		return b.countries[a.country]
	case kindCountry:
		return a.country == b.country
	case kindState:
		return a.country == b.country && a.state == b.state
	}
	return a.name == b.name
}

type placeName struct {
	words []string
	p     *place
}

type placeTable struct {
	byFirst map[string][]placeName // lower-case names by first word
	byCode  map[string]*place      // upper-case codes: "US", "NYC", "EU"
	byISO   map[string]*place      // countries by ISO code
}

var places = sync.OnceValue(func() *placeTable {
	var raw struct {
		Countries []struct {
			Code  string   `json:"code"`
			Names []string `json:"names"`
			Codes []string `json:"codes"`
		} `json:"countries"`
		Regions []struct {
			Name      string   `json:"name"`
			Names     []string `json:"names"`
			Codes     []string `json:"codes"`
			Countries []string `json:"countries"`
		} `json:"regions"`
		States []struct {
			Code    string   `json:"code"`
			Country string   `json:"country"`
			Names   []string `json:"names"`
			Codes   []string `json:"codes"`
		} `json:"states"`
		Metros []struct {
			Name    string   `json:"name"`
			Country string   `json:"country"`
			State   string   `json:"state"`
			Names   []string `json:"names"`
			Codes   []string `json:"codes"`
		} `json:"metros"`
	}
	if err := json.Unmarshal(placesJSON, &raw); err != nil {
		panic("match: places.json: " + err.Error())
	}
	t := &placeTable{byFirst: map[string][]placeName{}, byCode: map[string]*place{}, byISO: map[string]*place{}}
	add := func(p *place, names, codes []string) {
		for _, n := range names {
			if ws := words(n); len(ws) > 0 {
				t.byFirst[ws[0]] = append(t.byFirst[ws[0]], placeName{ws, p})
			}
		}
		for _, c := range codes {
			t.byCode[c] = p
		}
	}
	for _, c := range raw.Countries {
		p := &place{kind: kindCountry, name: c.Names[0], country: c.Code}
		p.name = displayName(p.name)
		t.byISO[c.Code] = p
		add(p, c.Names, c.Codes)
	}
	for _, r := range raw.Regions {
		p := &place{kind: kindRegion, name: r.Name, countries: map[string]bool{}}
		for _, c := range r.Countries {
			p.countries[c] = true
		}
		add(p, r.Names, r.Codes)
	}
	for _, s := range raw.States {
		add(&place{kind: kindState, name: displayName(s.Names[0]), country: s.Country, state: s.Code}, s.Names, s.Codes)
	}
	for _, m := range raw.Metros {
		add(&place{kind: kindMetro, name: m.Name, country: m.Country, state: m.State}, m.Names, m.Codes)
	}
	return t
})

// displayName capitalises a lower-case table name for sentences, keeping
// short codes upper-case ("usa" → "USA", "united states" → "United States").
func displayName(s string) string {
	if len(s) <= 3 {
		return strings.ToUpper(s)
	}
	ws := strings.Fields(s)
	for i, w := range ws {
		if w == "of" || w == "and" || w == "the" {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		ws[i] = string(r)
	}
	return strings.Join(ws, " ")
}

// find returns the places a short text names, longest names first at
// each word, in order, without repeats. Codes count only when written in
// capitals ("US", not "us").
func (t *placeTable) find(text string) []*place {
	fields := strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) })
	lower := make([]string, len(fields))
	for i, f := range fields {
		lower[i] = strings.ToLower(strings.Trim(f, "+#"))
	}
	var out []*place
	for i := 0; i < len(fields); {
		var best *place
		n := 0
		for _, pn := range t.byFirst[lower[i]] {
			if len(pn.words) > n && i+len(pn.words) <= len(lower) && equalWords(lower[i:i+len(pn.words)], pn.words) {
				best, n = pn.p, len(pn.words)
			}
		}
		if best == nil && fields[i] == strings.ToUpper(fields[i]) {
			if p := t.byCode[fields[i]]; p != nil {
				best, n = p, 1
			}
		}
		if best == nil {
			i++
			continue
		}
		if !containsPlace(out, best) {
			out = append(out, best)
		}
		i += n
	}
	return out
}

func containsPlace(ps []*place, p *place) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// mostSpecific returns the narrowest of the places (a city before its
// country), or nil.
func mostSpecific(ps []*place) *place {
	var best *place
	for _, p := range ps {
		if best == nil || p.kind < best.kind {
			best = p
		}
	}
	return best
}

func placeNames(ps []*place) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.name)
	}
	return out
}
