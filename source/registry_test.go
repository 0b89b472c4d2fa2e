package source_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/source"
)

// Decode reads an entry as the YAML decoder gives it; every problem names
// the key at fault and the rule, the way `jobpilot config check` prints it.
func TestDecodeProblems(t *testing.T) {
	reg := source.Builtin()
	tests := []struct {
		name  string
		entry map[string]any
		want  []string // "field: message fragment"
	}{
		{"unknown type", map[string]any{"type": "indeed", "name": "x"}, []string{"type: must be one of greenhouse, lever, ashby, workable, smartrecruiters, recruitee, personio, hn, json, feed"}},
		{"missing name", map[string]any{"type": "hn"}, []string{"name: is required"}},
		{"spaces in name", map[string]any{"type": "hn", "name": "a b"}, []string{"name: must not contain spaces or slashes"}},
		{"greenhouse token", map[string]any{"type": "greenhouse", "name": "g"}, []string{"token: is required for a greenhouse source"}},
		{"lever site", map[string]any{"type": "lever", "name": "l"}, []string{"site: is required for a lever source"}},
		{"ashby org", map[string]any{"type": "ashby", "name": "a"}, []string{"org: is required for a ashby source"}},
		{"json url", map[string]any{"type": "json", "name": "j"}, []string{"url: is required for a json source"}},
		{"bad base_url", map[string]any{"type": "lever", "name": "l", "site": "s", "base_url": "ftp://x"}, []string{"base_url: must be an http(s) URL"}},
		{"another type's key", map[string]any{"type": "greenhouse", "name": "g", "token": "t", "site": "s"},
			[]string{"site: is not a key of a greenhouse source (its keys: token, base_url, filter)"}},
		{"list for a string", map[string]any{"type": "greenhouse", "name": "g", "token": []any{"a"}},
			[]string{"token: must be a string (got a list)"}},
		{"bad filter", map[string]any{"type": "hn", "name": "h", "filter": map[string]any{"remote": true, "locations": "Berlin"}},
			[]string{"filter.locations: must be a list of strings (got a string)", "filter.remote: is not a filter key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := reg.Decode(tt.entry)
			var got []string
			for _, p := range problems {
				got = append(got, p.Field+": "+p.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %q, want %q…", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDecode(t *testing.T) {
	spec, problems := source.Builtin().Decode(map[string]any{
		"type": "Greenhouse", "name": " acme ", "token": uint64(4012), "base_url": "https://proxy.example.com/",
		"filter": map[string]any{"title_keywords": []any{"go", "backend"}, "remote_only": true},
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want := source.Spec{Type: "greenhouse", Name: "acme", BaseURL: "https://proxy.example.com/",
		Filter: source.Filter{TitleKeywords: []string{"go", "backend"}, RemoteOnly: true},
		Keys:   map[string]string{"token": "4012"}}
	if !reflect.DeepEqual(spec, want) {
		t.Errorf("spec = %+v, want %+v", spec, want)
	}
}

// A board type registered by hand is checked and built like the built-in
// ones: this is all a new kind of board needs.
func TestRegisterType(t *testing.T) {
	reg := source.NewRegistry(source.Type{
		Name:           "workable",
		Keys:           []source.Key{{Name: "account", Required: true}},
		DefaultBaseURL: "https://apply.workable.com",
		New:            source.HNType.New, // any constructor will do: the test builds, never fetches
	})
	if _, problems := reg.Decode(map[string]any{"type": "workable", "name": "w"}); len(problems) != 1 || problems[0].Field != "account" {
		t.Fatalf("problems %v, want account required", problems)
	}
	s, err := reg.New(source.Spec{Type: "workable", Name: "w", Keys: map[string]string{"account": "acme"}}, nil)
	if err != nil || s.Name() != "workable:w" {
		t.Fatalf("New = %v, %v", s, err)
	}
	if _, err := reg.New(source.Spec{Type: "greenhouse", Name: "g"}, nil); err == nil || !strings.Contains(err.Error(), "must be one of workable") {
		t.Fatalf("a type not registered: err %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a type twice did not panic")
		}
	}()
	reg.Register(source.Type{Name: "workable", New: source.HNType.New})
}
