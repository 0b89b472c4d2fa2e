package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/goccy/go-yaml"
	_ "time/tzdata" // SCHEDULER_TIMEZONE must load on machines without a zoneinfo database
)

// ConfigFileVar names the variable that points at the YAML file when no
// --config flag is given.
const ConfigFileVar = "JOBPILOT_CONFIG"

// Load builds the configuration in three layers, each overriding the one
// before: the defaults (see Default), then the YAML file, then the
// environment variables read through getenv. An empty variable counts as
// unset, so `MAX_RETRIES=` keeps the file's or the default value.
//
// file is the YAML file to read; when it is empty, JOBPILOT_CONFIG names it,
// and when that is empty too no file is read. A named file that cannot be
// read is an error: a typo in a path must not silently fall back to defaults.
// Unknown keys in the file are errors for the same reason.
//
// Load then fills the derived defaults and validates everything, rules
// included (internal/system.CheckSources checks the sources). All problems
// are reported at once: the error is an *jobpilot.Error with code EINVALID
// whose cause joins one *Error per problem, each naming the variable (or, for
// sources, the YAML key) and the rule, e.g. "MAX_RETRIES must be >= 0 (got
// -1)". Use errors.As to reach them.
func Load(getenv func(string) string, file string, rules ...Rule) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg := Default()

	if file == "" {
		file = getenv(ConfigFileVar)
	}
	if file != "" {
		if err := cfg.loadFile(file); err != nil {
			return nil, invalid(err)
		}
	}
	if err := cfg.loadEnv(getenv); err != nil {
		return nil, invalid(err)
	}
	cfg.fillDerived()
	if err := cfg.Validate(rules...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// loadFile overlays the YAML file onto c. Keys absent from the file keep
// their current value.
func (c *Config) loadFile(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return problem(ConfigFileVar, "cannot be read: %v", err)
	}
	// A file with nothing but comments decodes as null, which would zero
	// every default: treat it as empty.
	var probe any
	if err := yaml.Unmarshal(data, &probe); err == nil && probe == nil {
		return nil
	}
	c.markExplicitKeys(probe)
	err = yaml.UnmarshalWithOptions(data, c,
		yaml.DisallowUnknownField(),
		yaml.CustomUnmarshaler[time.Duration](func(d *time.Duration, b []byte) error {
			v, err := ParseDuration(yamlScalar(b))
			if err != nil {
				return err
			}
			*d = v
			return nil
		}),
	)
	// The source excerpt is left out of the message: its neighbouring lines
	// may hold a password.
	if err != nil {
		return problem(file, "is not a valid configuration file: %s", describeYAMLError(err, data))
	}
	return nil
}

// describeYAMLError names the line and the key at fault ("line 4, key
// port: cannot unmarshal …"); goccy/go-yaml itself names the Go field.
func describeYAMLError(err error, data []byte) string {
	msg := yaml.FormatError(err, false, false)
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return msg
	}
	line := ye.GetToken().Position.Line
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return msg
	}
	key, _, found := strings.Cut(lines[line-1], ":")
	key = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(key), "- "))
	if !found || key == "" || strings.ContainsAny(key, "{[") {
		return fmt.Sprintf("line %d: %s", line, ye.GetMessage())
	}
	return fmt.Sprintf("line %d, key %s: %s", line, key, ye.GetMessage())
}

// yamlScalar turns the raw bytes of a YAML scalar into its string value.
func yamlScalar(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = s[1 : len(s)-1]
	}
	return s
}

var durationType = reflect.TypeOf(time.Duration(0))

func (c *Config) markExplicit(name string) {
	if c.explicit == nil {
		c.explicit = map[string]bool{}
	}
	c.explicit[name] = true
}

// markExplicitKeys records the variables whose YAML keys the decoded file
// (probe) holds.
func (c *Config) markExplicitKeys(probe any) {
	byKey := map[string]string{}
	for _, s := range c.Settings() {
		byKey[s.YAMLKey] = s.Var
	}
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range m {
			if name, ok := byKey[prefix+k]; ok {
				c.markExplicit(name)
			}
			walk(sub, prefix+k+".")
		}
	}
	walk(probe, "")
}

// loadEnv overlays the environment onto c. Only the variables this package
// knows are looked up, so getenv can be os.Getenv or a test's map lookup.
func (c *Config) loadEnv(getenv func(string) string) error {
	params, err := env.GetFieldParams(c)
	if err != nil {
		return err
	}
	vars := make(map[string]string, len(params))
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			vars[p.Key] = v
			c.markExplicit(p.Key)
		}
	}
	err = env.ParseWithOptions(c, env.Options{
		Environment: vars,
		FuncMap: map[reflect.Type]env.ParserFunc{
			durationType: func(v string) (any, error) { return ParseDuration(v) },
			boolType:     func(v string) (any, error) { return ParseBool(v) },
		},
	})
	if err == nil {
		return nil
	}
	// caarlos0/env names the Go field; people know the variable.
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	names := envNames()
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			name := names[pe.Name]
			errs = append(errs, problem(name, "is not a valid %s: %q", typeName(pe.Type), vars[name]))
			continue
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

func typeName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration (seconds such as 1.5, or a Go duration such as 90s)"
	case t.Kind() == reflect.Bool:
		return "boolean (true or false)"
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64:
		return "integer"
	case t.Kind() == reflect.Float64:
		return "number"
	}
	return t.String()
}

// envNames maps each Go field name to its variable. Field names are unique
// across Config's sections (a test holds us to it).
func envNames() map[string]string {
	m := map[string]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if tag := strings.Split(f.Tag.Get("env"), ",")[0]; tag != "" && tag != "-" {
				m[f.Name] = tag
			} else if f.Type.Kind() == reflect.Struct && f.IsExported() && tag != "-" {
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeOf(Config{}))
	return m
}

var boolType = reflect.TypeOf(false)
