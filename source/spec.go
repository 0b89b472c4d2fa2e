package source

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Spec is one configured source: the keys every source has, and its type's
// own keys as strings.
type Spec struct {
	Type    string            // a registered Type's name: greenhouse, lever, ashby, hn, json …
	Name    string            // unique; postings carry "<type>:<name>"
	BaseURL string            // replaces the type's API root (tests, proxies); "" = the type's default
	Filter  Filter            // which of the board's postings to keep
	Keys    map[string]string // the type's own keys, e.g. {"token": "acme"}
}

// Filter keeps only the postings a source's owner cares about.
type Filter struct {
	TitleKeywords []string // the title must contain one of them (whole words, any case)
	Locations     []string // the location must contain one of them; "remote" lets remote postings through
	RemoteOnly    bool
}

// normalized trims the spec's type (and lower-cases it) and its name.
func (s Spec) normalized() Spec {
	s.Type = strings.ToLower(strings.TrimSpace(s.Type))
	s.Name = strings.TrimSpace(s.Name)
	s.BaseURL = strings.TrimSpace(s.BaseURL)
	return s
}

// Decode reads one entry of the configuration's "sources" list as the YAML
// decoder gives it (a mapping of keys to strings, numbers, booleans, lists
// and mappings) and checks it (see Check). Problems name the key at fault,
// relative to the entry ("token", "filter.locations"). The type's own keys
// take any scalar, written as text (a numeric token is its digits).
func (r *Registry) Decode(entry map[string]any) (Spec, []*jobpilot.Error) {
	var (
		spec     = Spec{Keys: map[string]string{}}
		problems []*jobpilot.Error
	)
	add := func(field, format string, args ...any) {
		problems = append(problems, jobpilot.FieldError(field, format, args...))
	}
	for _, key := range slices.Sorted(maps.Keys(entry)) {
		v := entry[key]
		switch key {
		case "filter":
			f, fp := decodeFilter(v)
			spec.Filter, problems = f, append(problems, fp...)
		case "type", "name", "base_url":
			text, ok := scalar(v)
			if !ok {
				add(key, "must be a string (got %s)", shape(v))
			}
			switch key {
			case "type":
				spec.Type = text
			case "name":
				spec.Name = text
			default:
				spec.BaseURL = text
			}
		default:
			text, ok := scalar(v)
			if !ok {
				add(key, "must be a string (got %s)", shape(v))
			}
			spec.Keys[key] = text
		}
	}
	spec = spec.normalized()
	for _, p := range r.Check(spec) {
		// A key already reported for its shape is not reported again as missing.
		if !slices.ContainsFunc(problems, func(q *jobpilot.Error) bool { return q.Field == p.Field }) {
			problems = append(problems, p)
		}
	}
	return spec, problems
}

func decodeFilter(v any) (Filter, []*jobpilot.Error) {
	var (
		f        Filter
		problems []*jobpilot.Error
	)
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return f, nil
		}
		return f, []*jobpilot.Error{jobpilot.FieldError("filter", "must be a mapping of title_keywords, locations and remote_only (got %s)", shape(v))}
	}
	list := func(key string, v any) []string {
		items, ok := v.([]any)
		if !ok && v != nil {
			problems = append(problems, jobpilot.FieldError("filter."+key, "must be a list of strings (got %s)", shape(v)))
		}
		var out []string
		for _, item := range items {
			text, ok := scalar(item)
			if !ok {
				problems = append(problems, jobpilot.FieldError("filter."+key, "must be a list of strings (got an item that is %s)", shape(item)))
				continue
			}
			out = append(out, text)
		}
		return out
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		switch v := m[key]; key {
		case "title_keywords":
			f.TitleKeywords = list(key, v)
		case "locations":
			f.Locations = list(key, v)
		case "remote_only":
			b, ok := v.(bool)
			if !ok && v != nil {
				problems = append(problems, jobpilot.FieldError("filter.remote_only", "must be true or false (got %s)", shape(v)))
			}
			f.RemoteOnly = b
		default:
			problems = append(problems, jobpilot.FieldError("filter."+key, "is not a filter key (its keys: title_keywords, locations, remote_only)"))
		}
	}
	return f, problems
}

// scalar is the text of a YAML scalar; a missing (null) value is "".
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(v), true
	}
	return "", false
}

func shape(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	}
	if _, ok := scalar(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
