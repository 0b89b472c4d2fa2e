package guard

import (
	"testing"
)

// Each normalisation rule, with an honest sentence that must pass and a
// lying one that must be caught.
func TestNormalisationRules(t *testing.T) {
	f := New(loadProfile(t))
	cases := []struct {
		name   string
		text   string
		cite   []int
		caught []string // empty: the sentence is supported
	}{
		{"sentence-initial name", "Acme trusted me with its payment platform.", []int{factBrightline}, []string{"Acme"}},
		{"sentence-initial true employer", "Brightline Payments trusted me with its settlement service.", []int{factBrightline}, nil},
		{"lower-case school and degree", "I hold a phd from mit.", []int{factMaster}, []string{"phd", "mit"}},
		{"dotted degree", "I hold a Ph.D. from M.I.T. in physics.", []int{factMaster}, []string{"Ph.D", "M.I.T", "physics"}},
		{"true degree spelled out", "I earned a Master of Science in Computer Science at Brno University of Technology.", []int{factMaster}, nil},
		{"acronym", "I studied at MIT.", []int{factMaster}, []string{"MIT"}},
		{"hyphen compound", "I built rust-based services at acme-scale.", []int{factBrightline}, []string{"rust", "acme"}},
		{"ex- compound", "As an ex-Googler I care about reliability.", []int{factBrightline}, []string{"Googler"}},
		{"slash compound", "I wrote Go/Rust services.", []int{factBrightline}, []string{"Rust"}},
		{"possessive of a true name", "Brightline Payments's settlement pipeline is idempotent.", []int{factBrightline}, nil},
		{"possessive of an invented name", "I led Google's payments team.", []int{factBrightline}, []string{"Google"}},
		{"spelled-out number", "I have fifteen years of experience.", []int{factBasics}, []string{"fifteen"}},
		{"true spelled-out number", "I have seven years of experience.", []int{factBasics}, nil},
		{"spelled-out percentage", "I cut incident pages by three hundred percent.", []int{factBrightline}, []string{"three hundred"}},
		{"number in words for a digit fact", "The pipeline processes four million transactions a day.", []int{factBrightline}, nil},
		{"digits", "I cut p99 latency from 850 ms to 100 ms.", []int{factBrightline}, []string{"100"}},
		{"vague magnitude", "I migrated hundreds of services.", []int{factPixelcraft}, []string{"hundreds"}},
		{"true vague magnitude", "The platform served thousands of monthly users.", []int{factPixelcraft}, nil},
		{"multiplier", "I doubled the team's throughput.", []int{factBrightline}, []string{"doubled"}},
		{"alias", "I build Golang services on Postgres and k8s.", []int{factBrightline}, nil},
		{"lower-case technology", "I also used kubernetes and terraform daily.", []int{factNorthwind}, []string{"kubernetes", "terraform"}},
		{"url", "See https://lena-novak.example.com and https://evil.example.org/me.", []int{factBasics}, []string{"https://evil.example.org/me"}},
		{"email", "Write to lena.novak@example.com or boss@acme.com.", []int{factBasics}, []string{"boss@acme.com"}},
		{"title claim", "At Pixelcraft Studio I worked as a senior engineer.", []int{factPixelcraft}, []string{"senior"}},
		{"true title", "At Brightline Payments I work as a senior backend engineer.", []int{factBrightline}, nil},
		{"unknown word", "I was a Zorblax-certified quantum engineer.", []int{factBrightline}, []string{"Zorblax", "quantum"}},
		{"unnamed claims", "I am an award-winning engineer with a graduate degree and a patent.", []int{factBrightline}, []string{"award", "degree", "patent"}},
		{"homoglyphs and invisible characters", "I worked at Gооgle and Goo\u200bgle.", []int{factBrightline}, []string{"Gооgle"}},
		{"true month", "Since March 2021 I own the settlement service.", []int{factBrightline}, nil},
		{"invented month", "Since May 2021 I own the settlement service.", []int{factBrightline}, []string{"May"}},
		{"ordinary English", "I like to understand a problem fully before I change a system, and I write down what I learn.", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := flagged(f, c.text, c.cite...)
			if len(c.caught) == 0 && len(got) > 0 {
				t.Fatalf("%q flagged %q", c.text, got)
			}
			for _, w := range c.caught {
				if !contains(got, w) {
					t.Errorf("%q: %q not caught (flagged %q)", c.text, w, got)
				}
			}
		})
	}
}

// A true fact moved to the wrong employer is caught: Kafka was used at
// Northwind, the 12 services were migrated at Brightline.
func TestTrueFactMovedToTheWrongEmployer(t *testing.T) {
	f := New(loadProfile(t))
	for _, c := range []struct {
		text   string
		cite   []int
		caught string
	}{
		{"At Brightline Payments I replaced a nightly batch export with a Kafka-based change stream.", []int{factBrightline}, "Kafka"},
		{"At Northwind Logistics I led the migration of 12 services to Kubernetes.", []int{factNorthwind}, "12"},
		// Citing the right job does not let the sentence name another.
		{"At Brightline Payments I replaced a nightly batch export with a Kafka-based change stream.", []int{factNorthwind}, "Brightline"},
		// The skills list supports a skill, but not in a sentence about a job.
		{"At Pixelcraft Studio I ran Kafka.", []int{factPixelcraft, factSkills}, "Kafka"},
	} {
		if got := flagged(f, c.text, c.cite...); !contains(got, c.caught) {
			t.Errorf("%q citing %v: %q not caught (flagged %q)", c.text, c.cite, c.caught, got)
		}
	}
	if got := flagged(f, "I work with Kafka, Redis and Terraform.", factSkills); len(got) > 0 {
		t.Errorf("a skills sentence citing the skills was flagged: %q", got)
	}
	if got := flagged(f, "At Northwind Logistics I replaced a nightly batch export with a Kafka-based change stream.", factNorthwind); len(got) > 0 {
		t.Errorf("the true sentence was flagged: %q", got)
	}
}

// Wrong, duplicate, negative and out-of-range citations cite nothing; they
// never crash and never widen what a sentence may say.
func TestBadCitations(t *testing.T) {
	f := New(loadProfile(t))
	for _, ids := range [][]int{{-1}, {99}, {-5, 1000, 3, 3, 3}, nil} {
		got := flagged(f, "At Brightline Payments I cut p99 latency from 850 ms to 120 ms.", ids...)
		if !contains(got, "Brightline") || !contains(got, "850") {
			t.Errorf("citing %v: flagged %q", ids, got)
		}
	}
	if got := flagged(f, "At Brightline Payments I cut p99 latency from 850 ms to 120 ms.", factBrightline, factBrightline, -1, 77); len(got) > 0 {
		t.Errorf("a valid citation among bad ones: flagged %q", got)
	}
}
