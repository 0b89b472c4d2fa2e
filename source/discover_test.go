package source_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jobpilot/jobpilot/source"
)

func TestSlugs(t *testing.T) {
	for _, tc := range []struct {
		company string
		max     int
		want    []string
	}{
		{"Acme Robotics GmbH", 3, []string{"acme-robotics", "acmerobotics", "acme"}},
		{"Globex, Inc.", 3, []string{"globex"}},
		{"Zürich Labs AG", 3, []string{"zurich-labs", "zurichlabs", "zurich"}},
		{"Procter & Gamble Co.", 4, []string{"procter-and-gamble", "procterandgamble", "procter-gamble", "procter"}},
		{"Müller GmbH & Co. KG", 3, []string{"muller"}},
		{"McDonald's Corporation", 3, []string{"mcdonalds"}},
		{"The Company", 3, []string{"the-company", "thecompany", "the"}}, // only legal words: kept as written
		{"Acme Robotics GmbH", 1, []string{"acme-robotics"}},
		{"  ", 3, nil},
	} {
		if got := source.Slugs(tc.company, tc.max); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Slugs(%q, %d) = %q, want %q", tc.company, tc.max, got, tc.want)
		}
	}
}

// A board type that fails (5xx) for a company is reported as not checked,
// after one request: the next names are not tried on a failing host.
func TestDiscoverFailingHost(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	d := source.Builtin().Discover(context.Background(), source.NewClient(source.ClientOptions{}), []string{"Acme Robotics"},
		source.DiscoverOptions{Types: []string{"ashby"}, BaseURLs: map[string]string{"ashby": srv.URL}})
	if len(d.Found) != 0 || len(d.Unchecked) != 1 || !strings.Contains(d.Unchecked[0].Reason, "502") {
		t.Fatalf("%+v", d)
	}
	if len(paths) != 1 {
		t.Errorf("asked %v, want one request", paths)
	}
	if y := d.YAML(); !strings.Contains(y, "sources: []\n") || !strings.Contains(y, "# not checked: Acme Robotics on ashby: ") {
		t.Errorf("YAML:\n%s", y)
	}
}
