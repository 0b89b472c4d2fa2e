package config

import (
	"fmt"
	"io"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jobpilot/jobpilot/internal/redact"
	"github.com/jobpilot/jobpilot/llm"
)

// Redaction markers printed in place of secrets.
const (
	Redacted = "[redacted]" // a secret that is set
	Unset    = "(unset)"    // a secret (or optional value) that is not set
)

func isPostgres(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// sqlitePath accepts "sqlite://path", "sqlite:path", "file:path" and a bare
// path; query parameters (SQLite pragmas) are dropped from the file name.
func sqlitePath(s string) string {
	if isPostgres(s) {
		return ""
	}
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimPrefix(s, p)
			break
		}
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if strings.Contains(s, "://") {
		return "" // another database's URL: not a file
	}
	return s
}

// IsPostgres reports whether DATABASE_URL points at PostgreSQL
// (postgres:// or postgresql://); otherwise the store is an SQLite file.
func (c *Config) IsPostgres() bool { return isPostgres(c.DatabaseURL) }

// SQLitePath is the SQLite database file named by DATABASE_URL
// ("sqlite://data/jobpilot.db" → "data/jobpilot.db"), or "" for PostgreSQL.
func (c *Config) SQLitePath() string { return sqlitePath(c.DatabaseURL) }

// Location is SCHEDULER_TIMEZONE, loaded. On a Config that did not come from
// Load (or failed validation) it loads the zone now and falls back to UTC.
func (c *Config) Location() *time.Location {
	if c.location != nil {
		return c.location
	}
	if loc, err := time.LoadLocation(c.Scheduler.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// UsesTemplateWriter reports whether documents are written by the offline
// template writer instead of an LLM: when JOBPILOT_WRITER=template, or when it
// is unset and there is neither an OPENAI_API_KEY nor a non-default
// OPENAI_BASE_URL (a local Ollama or vLLM endpoint needs no key).
func (c *Config) UsesTemplateWriter() bool {
	switch c.Apply.Writer {
	case "template":
		return true
	case "llm":
		return false
	}
	return c.OpenAI.APIKey == "" && strings.TrimRight(c.OpenAI.BaseURL, "/") == llm.DefaultBaseURL
}

// Secrets returns the configured secret values (SMTP_PASSWORD,
// OPENAI_API_KEY, JOBPILOT_API_TOKEN, IMAP_PASSWORD, the notification URLs
// (whoever knows an ntfy topic or a webhook URL can read or post to it), the
// password inside DATABASE_URL, then the credentials in the sources' URLs: a
// feed's basic-auth password or ?token=), skipping unset ones.
// internal/system scrubs them from every log line and every stored error
// (redact.Scrubber); tests use it to check that no secret reaches a log, an
// API response or a document.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.SMTP.Password, c.OpenAI.APIKey, c.APIToken, c.Mailbox.IMAPPassword, c.Notify.WebhookURL, c.Notify.NtfyURL, databasePassword(c.DatabaseURL)} {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, src := range c.Sources {
		for _, k := range slices.Sorted(maps.Keys(src)) {
			if v, ok := src[k].(string); ok {
				out = append(out, redact.URLSecrets(v)...)
			}
		}
	}
	return out
}

// databasePassword is the password in a PostgreSQL URL's user info or in its
// "password" query parameter.
func databasePassword(s string) string {
	if !isPostgres(s) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return p
	}
	return u.Query().Get("password")
}

// redactDatabaseURL replaces the password of a PostgreSQL URL, wherever it
// is, with [redacted]. An unparsable PostgreSQL URL is redacted whole, since
// we cannot tell where its password is.
func redactDatabaseURL(s string) string {
	if !isPostgres(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Redacted
	}
	const marker = "REDACTEDPASSWORD"
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), marker)
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", marker)
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), marker, Redacted)
}

// Setting is one effective value, as `jobpilot config check` shows it.
type Setting struct {
	Var     string // environment variable
	YAMLKey string // key in the YAML file, e.g. "retry.max_retries"
	Value   string // formatted value; secrets are [redacted] or (unset)
	Secret  bool
}

// secretVars are never printed.
var secretVars = map[string]bool{
	"SMTP_PASSWORD":      true,
	"OPENAI_API_KEY":     true,
	"JOBPILOT_API_TOKEN": true,
	"IMAP_PASSWORD":      true,
	"NOTIFY_WEBHOOK_URL": true,
	"NOTIFY_NTFY_URL":    true,
}

// Settings lists every variable with its effective value, in the order of
// the Config struct, secrets redacted: a secret that is set shows as
// [redacted], one that is not as (unset); DATABASE_URL keeps everything but
// its password. Sources (YAML only) are not included; see Print.
func (c *Config) Settings() []Setting {
	var out []Setting
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			yamlKey := prefix + strings.Split(f.Tag.Get("yaml"), ",")[0]
			name := strings.Split(f.Tag.Get("env"), ",")[0]
			if name == "-" {
				continue
			}
			if name == "" {
				if f.Type.Kind() == reflect.Struct {
					walk(v.Field(i), yamlKey+".")
				}
				continue
			}
			s := Setting{Var: name, YAMLKey: yamlKey, Value: format(v.Field(i))}
			switch {
			case secretVars[name]:
				s.Secret = true
				if s.Value == "" {
					s.Value = Unset
				} else {
					s.Value = Redacted
				}
			case name == "DATABASE_URL":
				s.Secret = databasePassword(c.DatabaseURL) != ""
				s.Value = redactDatabaseURL(s.Value)
			}
			out = append(out, s)
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

func format(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		return d.String()
	}
	switch v.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice: // a list variable, written as it is set: comma-separated
		items := make([]string, v.Len())
		for i := range items {
			items[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(items, ",")
	default:
		return fmt.Sprint(v.Interface())
	}
}

// Redacted returns Settings as a map from variable to printed value.
func (c *Config) Redacted() map[string]string {
	m := map[string]string{}
	for _, s := range c.Settings() {
		m[s.Var] = s.Value
	}
	return m
}

// Print writes the effective configuration, secrets redacted, as an aligned
// table of variable, value and YAML key, followed by the configured sources.
// Empty optional values print as (unset).
func (c *Config) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tVALUE\tYAML KEY")
	for _, s := range c.Settings() {
		v := s.Value
		if v == "" {
			v = Unset
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Var, v, s.YAMLKey)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Sources) == 0 {
		_, err := fmt.Fprintln(w, "\nsources: none (add them in the YAML file)")
		return err
	}
	fmt.Fprintf(w, "\nsources (%d):\n", len(c.Sources))
	for _, s := range c.Sources {
		if _, err := fmt.Fprintf(w, "  %s:%s %s\n", s.Type(), s.Name(), sourceKeys(s)); err != nil {
			return err
		}
	}
	return nil
}

// sourceKeys prints a source's own keys as key=value, sorted, with the
// credentials of any URL among them redacted (redact.URL); the filter is
// left out.
func sourceKeys(s SourceConfig) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		switch v := s[k].(type) {
		case map[string]any, []any, nil:
		default:
			if k != "type" && k != "name" {
				out = append(out, k+"="+redact.URL(fmt.Sprint(v)))
			}
		}
	}
	return strings.Join(out, " ")
}
