package source

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Type is one kind of job board: its name in the configuration ("type"),
// the keys of its own that a source of that kind takes, and how to build
// one. A new kind of board is one file in this package defining its Type,
// plus one line in Builtin.
type Type struct {
	Name string // "greenhouse": the value of a source's "type"
	// Keys are the type's own keys, besides those every source has (type,
	// name, base_url, filter).
	Keys []Key
	// DefaultBaseURL is the root of the board's API, which a source's
	// base_url replaces (tests, proxies); "" for a type that reads no API
	// of its own (json names its URL).
	DefaultBaseURL string
	// New builds a source from the shared part, whose spec has passed the
	// type's checks.
	New func(b base) jobpilot.Source
	// Check, if set, reports what is wrong with the type's own keys beyond
	// their presence (a number that is not one, a name that cannot be a
	// host name), each a FieldError naming the key.
	Check func(spec Spec) []*jobpilot.Error
	// SlugKey is the key a company's board name fills ("token" for
	// greenhouse), for company discovery (Discover); "" for a type that
	// has no boards named after companies (hn, json, feed).
	SlugKey string
}

// Key is one configuration key of a Type. Values are strings.
type Key struct {
	Name     string // e.g. "token"
	Required bool
	Doc      string // what it is, for people: "board token: boards.greenhouse.io/<token>"
}

// Builtin is every kind of board jobpilot ships, one registration each.
func Builtin() *Registry {
	return NewRegistry(
		GreenhouseType,
		LeverType,
		AshbyType,
		WorkableType,
		SmartRecruitersType,
		RecruiteeType,
		PersonioType,
		HNType,
		JSONType,
		FeedType,
	)
}

// Registry knows the kinds of job board by name. Build it once at start-up
// (Builtin, Register); it is safe for concurrent reads afterwards.
type Registry struct {
	types []Type
}

// NewRegistry returns a registry of the given types, in that order (the
// order error messages list them in).
func NewRegistry(types ...Type) *Registry {
	r := &Registry{}
	for _, t := range types {
		r.Register(t)
	}
	return r
}

// Register adds t. An empty name, a duplicate name or a missing constructor
// is a programming error and panics.
func (r *Registry) Register(t Type) {
	if t.Name == "" || t.New == nil {
		panic("source: Register: a type needs a name and a constructor")
	}
	if _, dup := r.Lookup(t.Name); dup {
		panic("source: Register: type " + t.Name + " registered twice")
	}
	r.types = append(r.types, t)
}

// Lookup returns the type called name.
func (r *Registry) Lookup(name string) (Type, bool) {
	for _, t := range r.types {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// Names lists the registered types in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.types))
	for i, t := range r.types {
		out[i] = t.Name
	}
	return out
}

// Check returns every problem of spec (nil when it can be built), each an
// EINVALID *jobpilot.Error whose Field is the key at fault, relative to the
// source ("type", "name", "token", "base_url"), and whose Message says the
// rule ("is required for a greenhouse source"). An unknown type is the only
// problem reported for it.
func (r *Registry) Check(spec Spec) []*jobpilot.Error {
	var problems []*jobpilot.Error
	add := func(field, format string, args ...any) {
		problems = append(problems, jobpilot.FieldError(field, format, args...))
	}
	t, known := r.Lookup(spec.Type)
	if !known {
		add("type", "must be one of %s (got %q)", strings.Join(r.Names(), ", "), spec.Type)
		return problems
	}
	switch {
	case spec.Name == "":
		add("name", "is required")
	case strings.ContainsAny(spec.Name, " \t\r\n/"):
		add("name", "must not contain spaces or slashes (got %q)", spec.Name)
	}
	for _, k := range t.Keys {
		if k.Required && strings.TrimSpace(spec.Keys[k.Name]) == "" {
			add(k.Name, "is required for a %s source", t.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Keys)) {
		if !slices.ContainsFunc(t.Keys, func(k Key) bool { return k.Name == name }) {
			add(name, "is not a key of a %s source (its keys: %s)", t.Name, strings.Join(keyNames(t), ", "))
		}
	}
	if spec.BaseURL != "" {
		if u, err := url.Parse(spec.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("base_url", "must be an http(s) URL (got %q)", spec.BaseURL)
		}
	}
	if t.Check != nil && len(problems) == 0 {
		problems = append(problems, t.Check(spec)...)
	}
	return problems
}

// New builds the source spec describes, its requests made through c (nil
// means NewClient(ClientOptions{}): one attempt per request, no breaker). A
// spec that fails Check is an EINVALID error naming each field at fault
// ("sources.token: is required for a greenhouse source (source \"acme\")").
//
// The source's Name is "<type>:<name>" and every posting carries it; its
// requests run under the Client's executor for that name, which the
// resilience set turns into the service and breaker "source:<type>:<name>"
// (e.g. "source:greenhouse:acme").
func (r *Registry) New(spec Spec, c *Client) (jobpilot.Source, error) {
	spec = spec.normalized()
	if problems := r.Check(spec); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = jobpilot.FieldError("sources."+p.Field, "%s (source %q)", p.Message, spec.Name)
		}
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Message: "invalid source", Err: errors.Join(errs...)}
	}
	if c == nil {
		c = NewClient(ClientOptions{})
	}
	t, _ := r.Lookup(spec.Type)
	name := spec.Type + ":" + spec.Name
	b := base{cfg: spec, client: c, name: name, filter: compileFilter(spec.Filter), log: c.log.With("source", name)}
	b.baseURL = strings.TrimRight(spec.BaseURL, "/")
	if b.baseURL == "" {
		b.baseURL = t.DefaultBaseURL
	}
	return t.New(b), nil
}

// New builds the source spec describes with the Builtin types (see
// Registry.New).
func New(spec Spec, c *Client) (jobpilot.Source, error) { return Builtin().New(spec, c) }

func keyNames(t Type) []string {
	out := make([]string, 0, len(t.Keys)+2)
	for _, k := range t.Keys {
		out = append(out, k.Name)
	}
	return append(out, "base_url", "filter")
}
