package apply

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/jobpilot/jobpilot"
)

// CheckRecipient checks a posting's contact address, which comes from
// third-party text (a board, a comment): it is flagged when it is an IP
// literal, an internationalised domain (punycode, or letters of several
// scripts: a lookalike), or when its domain belongs neither to the posting's
// own site nor to the company by name. A flagged recipient is shown to the
// candidate and never emailed automatically. Nil when the posting has no
// address.
func CheckRecipient(post *jobpilot.Posting) *jobpilot.Recipient {
	addr := strings.TrimSpace(post.ContactEmail)
	if addr == "" {
		return nil
	}
	r := &jobpilot.Recipient{Address: addr, Source: postingHost(post)}
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		r.Flags = append(r.Flags, "not an email address")
		return r
	}
	domain := strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	r.Domain = domain
	if strings.HasPrefix(domain, "[") || net.ParseIP(domain) != nil {
		r.Flags = append(r.Flags, "the address is an IP literal, not a domain")
		return r
	}
	unicodeDomain, err := idna.Lookup.ToUnicode(domain)
	if err != nil {
		r.Flags = append(r.Flags, "the domain is not a valid host name")
		return r
	}
	if unicodeDomain != domain || strings.Contains(domain, "xn--") || !isASCII(domain) {
		flag := "internationalised domain " + unicodeDomain
		if scripts := scriptsOf(unicodeDomain); len(scripts) > 1 {
			flag += " mixes " + strings.Join(scripts, " and ") + " letters (a lookalike?)"
		}
		r.Flags = append(r.Flags, flag)
	}
	if !belongsTo(domain, post) {
		r.Flags = append(r.Flags, fmt.Sprintf("the domain %s is neither the company's (%s) nor the posting's (%s)", domain, post.Company, orNone(r.Source)))
	}
	return r
}

// belongsTo reports whether an address's domain is the posting's own site
// (same registrable domain as its URL or apply URL) or carries the
// company's name in one of its labels ("fernwood-pay.example.org" for
// Fernwood Pay).
func belongsTo(domain string, post *jobpilot.Posting) bool {
	reg, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		reg = domain
	}
	for _, u := range []string{post.URL, post.ApplyURL} {
		if h := hostOf(u); h != "" {
			if hr, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil && hr == reg {
				return true
			}
		}
	}
	company := strings.ReplaceAll(jobpilot.CompanyKey(post.Company), " ", "")
	if len(company) < 3 {
		return false
	}
	suffix, _ := publicsuffix.PublicSuffix(domain)
	for _, label := range strings.Split(strings.TrimSuffix(domain, "."+suffix), ".") {
		l := strings.ReplaceAll(label, "-", "")
		if l == company || (len(l) >= 4 && strings.Contains(company, l)) || strings.Contains(l, company) {
			return true
		}
	}
	return false
}

func postingHost(post *jobpilot.Posting) string {
	if h := hostOf(post.URL); h != "" {
		return h
	}
	return hostOf(post.ApplyURL)
}

func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// scriptsOf names the scripts of s's letters, in the order met.
func scriptsOf(s string) []string {
	tables := []struct {
		name string
		tab  *unicode.RangeTable
	}{{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Armenian", unicode.Armenian},
		{"Han", unicode.Han}, {"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew}}
	var out []string
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, t := range tables {
			if unicode.Is(t.tab, r) && !slices.Contains(out, t.name) {
				out = append(out, t.name)
			}
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none given"
	}
	return s
}
