package guard

import (
	"testing"
)

// BenchmarkGuard measures the guard's time per document on the test
// candidate: building the facts of a profile, checking a letter of about
// 290 words as cited sentences, and the last check of a whole resume.
//
//	go test -run '^$' -bench Guard -benchmem ./guard
func BenchmarkGuard(b *testing.B) {
	p, post := loadProfile(b), loadPosting(b)
	letter := [][]Sentence{
		{{Text: "I am applying for the Senior Backend Engineer role at Fernwood Pay."},
			{Text: "Your posting's emphasis on Go, PostgreSQL and Kubernetes caught my attention."},
			{Text: "Backend engineer with seven years of experience building reliable Go services, payment pipelines and data platforms on PostgreSQL and Kubernetes.", Facts: []int{0}}},
	}
	for _, id := range []int{factBrightline, factNorthwind, factPixelcraft} {
		w := p.Resume.Work[id-1]
		para := []Sentence{{Text: "At " + w.Name + " I worked as " + w.Position + ".", Facts: []int{id}}}
		for _, h := range w.Highlights {
			para = append(para, Sentence{Text: h + ".", Facts: []int{id}})
		}
		letter = append(letter, para)
	}
	letter = append(letter, []Sentence{{Text: "I like to understand a problem fully before I change a system, and I write down what I learn so that the next person does not have to rediscover it."},
		{Text: "I value small, reviewable changes, clear ownership and honest communication when something goes wrong."},
		{Text: "I would welcome the chance to discuss how my experience can help Fernwood Pay. Thank you for your time and consideration."}})
	b.Run("facts", func(b *testing.B) {
		for b.Loop() {
			build(p)
		}
	})
	b.Run("facts-cached", func(b *testing.B) {
		for b.Loop() {
			New(p)
		}
	})
	f := New(p)
	b.Run("letter", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := f.Letter(post, letter); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resume", func(b *testing.B) {
		for b.Loop() {
			r := p.Resume
			r.Basics.Summary = "Backend engineer building reliable Go services on PostgreSQL and Kubernetes."
			if _, err := f.Resume(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
