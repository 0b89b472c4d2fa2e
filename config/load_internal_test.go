package config

import (
	"reflect"
	"testing"
)

// envNames maps Go field names to variables to translate caarlos0/env's parse
// errors; that only works while field names are unique across sections.
func TestEnvFieldNamesAreUnique(t *testing.T) {
	seen := map[string]string{}
	var walk func(t reflect.Type)
	walk = func(typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("env")
			if tag == "" && f.Type.Kind() == reflect.Struct && f.IsExported() {
				walk(f.Type)
				continue
			}
			if tag == "" || tag == "-" {
				continue
			}
			if prev, ok := seen[f.Name]; ok {
				t.Errorf("field name %s used for both %s and %s", f.Name, prev, tag)
			}
			seen[f.Name] = tag
		}
	}
	walk(reflect.TypeOf(Config{}))
	if got, want := len(envNames()), len(seen); got != want {
		t.Errorf("envNames has %d entries, want %d", got, want)
	}
}
