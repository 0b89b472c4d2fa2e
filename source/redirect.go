package source

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/redact"
)

// maxRedirects bounds a chain of redirects, as net/http's default does.
const maxRedirects = 10

// redirectPolicy decides which redirects a board's answer may lead to: the
// request's own host (its name and port; https never down to http), or one
// of the hosts the user listed. Anything else, loopback and private addresses
// included, is refused: a board (or whoever answers for it) must not turn
// jobpilot into a client of other services.
type redirectPolicy struct {
	exact    map[string]bool
	suffixes []string // ".acme.com"
}

func newRedirectPolicy(hosts []string) redirectPolicy {
	p := redirectPolicy{exact: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
		case strings.HasPrefix(h, "."):
			p.suffixes = append(p.suffixes, h)
		default:
			p.exact[h] = true
		}
	}
	return p
}

// client returns a copy of hc (a new client when nil) whose redirects go
// through the policy first, then through hc's own CheckRedirect.
func (p redirectPolicy) client(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	own := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := p.check(req, via); err != nil {
			return err
		}
		if own != nil {
			return own(req, via)
		}
		return nil
	}
	return &c
}

func (p redirectPolicy) check(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return jobpilot.Permanent(fmt.Errorf("stopped after %d redirects", maxRedirects))
	}
	from, to := via[0].URL, req.URL
	switch {
	case from.Scheme == "https" && to.Scheme != "https":
		return jobpilot.Permanent(fmt.Errorf("redirect from https to %s refused: %s", to.Scheme, redact.URL(to.String())))
	case sameHost(from, to) || p.allowed(to.Hostname()):
		return nil
	}
	return jobpilot.Permanent(fmt.Errorf("redirect to another host refused: %s (list it in SOURCE_REDIRECT_HOSTS to follow it)", to.Hostname()))
}

// sameHost reports whether to is from's host: the same name and port, a
// port being its scheme's default when not written ("http://acme.com" may
// move to "https://acme.com", not to "acme.com:8080").
func sameHost(from, to *url.URL) bool {
	return strings.EqualFold(from.Hostname(), to.Hostname()) && (port(from) == port(to) || to.Port() == "")
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func (p redirectPolicy) allowed(host string) bool {
	host = strings.ToLower(host)
	if p.exact[host] {
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) || host == s[1:] {
			return true
		}
	}
	return false
}
