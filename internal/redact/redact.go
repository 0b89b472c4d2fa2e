// Package redact keeps credentials out of what jobpilot shows and keeps:
// URL turns the password of a URL (its user information, a credential
// query parameter) into [redacted], Text does so for every URL in a text,
// and a Scrubber also replaces the configured secrets themselves wherever
// they appear. internal/system builds one Scrubber from the configuration
// and applies it to the logger (Handler), to the error text the store keeps
// (events, runs, applications) and to the errors River keeps; see
// docs/design-notes.md, "Secrets are scrubbed in one place".
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Marker replaces a secret.
const Marker = "[redacted]"

// placeholder stands for Marker while a URL is rebuilt, because url.URL
// would escape the brackets of Marker in user information.
const placeholder = "REDACTEDSECRET0"

// credentialParams are query parameters whose value is a credential, by
// name, case-insensitively; a name that contains "token", "secret" or
// "password" is one too.
var credentialParams = map[string]bool{
	"key": true, "apikey": true, "api_key": true, "api-key": true, "pass": true, "passwd": true, "pwd": true,
	"auth": true, "authorization": true, "sig": true, "signature": true, "credential": true, "credentials": true,
}

func isCredentialParam(name string) bool {
	n := strings.ToLower(name)
	return credentialParams[n] || strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "password")
}

// URL returns raw with its credentials replaced by Marker: the password of
// its user information ("https://user:[redacted]@host/"), a user name
// given without a password (often a token: "https://[redacted]@host/") and
// the value of every credential query parameter ("?token=[redacted]").
// Anything else, a file path included, is returned as it is.
func URL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	// A URL redacted before (a message logged after it was stored) parses
	// again, and keeps its user name.
	u, err := url.Parse(strings.ReplaceAll(raw, Marker, placeholder))
	if err != nil {
		return stripUserInfo(raw)
	}
	changed := false
	if u.User != nil {
		pw, ok := u.User.Password()
		switch {
		case ok && pw != placeholder:
			u.User = url.UserPassword(u.User.Username(), placeholder)
			changed = true
		case !ok && u.User.Username() != placeholder:
			u.User = url.User(placeholder)
			changed = true
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			name, _, ok := strings.Cut(p, "=")
			if unescaped, err := url.QueryUnescape(name); err == nil {
				name = unescaped
			}
			if ok && isCredentialParam(name) && !strings.HasSuffix(p, "="+placeholder) {
				parts[i] = p[:strings.IndexByte(p, '=')+1] + placeholder
				changed = true
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if !changed {
		return raw
	}
	return strings.ReplaceAll(u.String(), placeholder, Marker)
}

// stripUserInfo redacts the user information of a URL that does not parse.
func stripUserInfo(s string) string {
	i := strings.Index(s, "://")
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+3] + Marker + rest[at:]
	}
	return s
}

// urlInText finds URLs in free text: a scheme, "://", and everything up to
// a space or a quote.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// Text returns s with every URL in it passed through URL.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, URL)
}

// URLSecrets returns the credentials URL would hide in raw: the password
// of its user information and the values of its credential query
// parameters, so that a Scrubber also finds them outside the URL (a server
// that echoes them in an error).
func URLSecrets(raw string) []string {
	if !strings.Contains(raw, "://") {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	for name, values := range u.Query() {
		if isCredentialParam(name) {
			out = append(out, values...)
		}
	}
	return out
}
