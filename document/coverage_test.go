package document

import "testing"

func TestCovered(t *testing.T) {
	for _, r := range "AzÅëßøŁœŞ€–—•…“”«»ΑωЖжЁёЙїґŽž№→✓" {
		if !covered(r) {
			t.Errorf("%q (U+%04X) not covered", r, r)
		}
	}
	for _, r := range []rune{'工', 'あ', '🚀', 0x7F, -1, 0x10000} {
		if covered(r) {
			t.Errorf("%q (U+%04X) reported as covered", r, r)
		}
	}
}
