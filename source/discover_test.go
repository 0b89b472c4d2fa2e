package source_test

import (
	"reflect"
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
