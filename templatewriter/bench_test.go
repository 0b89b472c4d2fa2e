package templatewriter

import (
	"context"
	"testing"
)

// BenchmarkTemplateWriter writes both documents for the test candidate.
//
//	go test -run '^$' -bench TemplateWriter -benchmem ./templatewriter
func BenchmarkTemplateWriter(b *testing.B) {
	p, post := load(b)
	w := New()
	ctx := context.Background()
	for b.Loop() {
		t, err := w.TailorResume(ctx, p, post)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.WriteCoverLetter(ctx, p, post, t); err != nil {
			b.Fatal(err)
		}
	}
}
