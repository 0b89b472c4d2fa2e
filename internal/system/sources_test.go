package system_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/system"
	"github.com/jobpilot/jobpilot/source"
)

// A bad source is reported at load time, with the other problems, naming
// the entry and the key at fault.
func TestSourceRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string // each problem: "<var> <message fragment>"
	}{
		{"unknown type", "- {type: indeed, name: x}", []string{"sources[0].type must be one of greenhouse, lever, ashby, workable, smartrecruiters, recruitee, personio, hn, json, feed"}},
		{"missing name", "- {type: hn}", []string{"sources[0].name is required"}},
		{"duplicate name", "- {type: hn, name: a}\n- {type: lever, name: a, site: s}", []string{"sources[1].name must be unique: \"a\" is also sources[0]"}},
		{"greenhouse token", "- {type: greenhouse, name: g}", []string{"sources[0].token is required for a greenhouse source"}},
		{"lever site", "- {type: lever, name: l}", []string{"sources[0].site is required for a lever source"}},
		{"ashby org", "- {type: ashby, name: a}", []string{"sources[0].org is required for a ashby source"}},
		{"json url", "- {type: json, name: j}", []string{"sources[0].url is required for a json source"}},
		{"bad base_url", "- {type: lever, name: l, site: s, base_url: 'ftp://x'}", []string{"sources[0].base_url must be an http(s) URL"}},
		{"misspelt key", "- {type: greenhouse, name: g, tokn: t}", []string{
			"sources[0].token is required for a greenhouse source",
			"sources[0].tokn is not a key of a greenhouse source (its keys: token, base_url, filter)"}},
		{"bad filter", "- {type: hn, name: h, filter: {remote_only: maybe}}", []string{"sources[0].filter.remote_only must be true or false"}},
		{"workable account", "- {type: workable, name: w}", []string{"sources[0].account is required for a workable source"}},
		{"smartrecruiters max_details", "- {type: smartrecruiters, name: s, company: Initrode, max_details: lots}",
			[]string{"sources[0].max_details must be a whole number, 0 or more"}},
		{"recruitee company host", "- {type: recruitee, name: r, company: 'Hooli Inc'}",
			[]string{"sources[0].company must be the lowercase name in the board's address"}},
		{"personio company", "- {type: personio, name: p}", []string{"sources[0].company is required for a personio source"}},
		{"feed url", "- {type: feed, name: f, url: /etc/jobs.rss}", []string{"sources[0].url must be an http(s) URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(func(string) string { return "" }, writeConfig(t, tt.yaml), system.CheckSources)
			if jobpilot.ErrorCode(err) != jobpilot.EINVALID {
				t.Fatalf("err %v, want EINVALID", err)
			}
			got := unjoin(err)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %q", got, tt.want)
			}
			for i, e := range got {
				var ce *config.Error
				if !errors.As(e, &ce) || !strings.HasPrefix(ce.Error(), tt.want[i]) {
					t.Errorf("problem %q, want %q…", e, tt.want[i])
				}
			}
		})
	}
}

// The sources of a valid file are built as configured; an invalid one that
// reached Open without the rule still fails there, not at the first fetch.
func TestSourcesBuilt(t *testing.T) {
	t.Parallel()
	yaml := "- type: greenhouse\n  name: acme\n  token: acme\n  filter: {title_keywords: [go]}\n- {type: hn, name: hiring}\n- {type: json, name: local, url: ./postings.json}"
	vars := map[string]string{"JOBPILOT_DATA_DIR": t.TempDir(), "JOBPILOT_EXAMPLES": "off"}
	cfg, err := config.Load(func(k string) string { return vars[k] }, writeConfig(t, yaml), system.CheckSources)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := system.Open(context.Background(), cfg, system.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sys.Apply.Sources {
		names = append(names, s.Name())
	}
	sys.Close()
	if got := strings.Join(names, " "); got != "greenhouse:acme hn:hiring json:local" {
		t.Errorf("sources %q", got)
	}

	cfg.Sources = append(cfg.Sources, config.SourceConfig{"type": "lever", "name": "l"})
	if _, err := system.Open(context.Background(), cfg, system.Options{Logger: quietLogger()}); jobpilot.ErrorCode(err) != jobpilot.EINVALID ||
		!strings.Contains(err.Error(), "sources[3].site is required for a lever source") {
		t.Fatalf("Open with a bad source: %v", err)
	}
}

func writeConfig(t *testing.T, sources string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "jobpilot.yaml")
	body := "sources:\n  " + strings.ReplaceAll(sources, "\n", "\n  ") + "\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// unjoin flattens the joined problems of a configuration error.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	if u := errors.Unwrap(err); u != nil {
		if inner := unjoin(u); len(inner) > 0 {
			return inner
		}
	}
	return []error{err}
}

// The fetch settings reach the one source client every board shares, the
// durations scaled like the resilience table's.
func TestSourceClientOptions(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	got := system.SourceClientOptions(cfg)
	want := source.ClientOptions{MaxBody: source.DefaultMaxBody, ConnectTimeout: source.DefaultConnectTimeout,
		IdleTimeout: source.DefaultIdleTimeout, HostConcurrency: source.DefaultHostConcurrency, HostDelay: source.DefaultHostDelay}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults: %+v, want %+v", got, want)
	}

	vars := map[string]string{
		"JOBPILOT_TIME_SCALE": "0.5", "SOURCE_TIMEOUT": "10", "SOURCE_IDLE_TIMEOUT": "8", "SOURCE_MAX_BYTES": "2097152",
		"SOURCE_HOST_CONCURRENCY": "3", "SOURCE_HOST_DELAY": "1", "SOURCE_REDIRECT_HOSTS": "careers.acme.com,.acme.io",
	}
	if cfg, err = config.Load(func(k string) string { return vars[k] }, ""); err != nil {
		t.Fatal(err)
	}
	got = system.SourceClientOptions(cfg)
	want = source.ClientOptions{MaxBody: 2 << 20, ConnectTimeout: 5 * time.Second, IdleTimeout: 4 * time.Second,
		HostConcurrency: 3, HostDelay: 500 * time.Millisecond, RedirectHosts: []string{"careers.acme.com", ".acme.io"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("configured: %+v, want %+v", got, want)
	}
}
