package document

import (
	"encoding/binary"
	"sync"
)

// coverage is the set of BMP runes the embedded font has glyphs for, read
// once from the font's own cmap table. fpdf cannot tell: it reports a default
// width for characters the font lacks and then draws nothing.
var coverage = sync.OnceValue(func() *[65536 / 64]uint64 {
	set := new([65536 / 64]uint64)
	for _, font := range [][]byte{fontRegular, fontBold} {
		readCmap4(font, func(r rune) { set[r/64] |= 1 << (r % 64) })
	}
	return set
})

// covered reports whether the font draws r. Regular and bold cover the same
// characters in DejaVu; the set is their union.
func covered(r rune) bool {
	if r < 0 || r > 0xFFFF {
		return false
	}
	return coverage()[r/64]&(1<<(r%64)) != 0
}

// readCmap4 calls add for every character mapped to a real glyph by the
// font's Unicode BMP cmap subtable (platform 3, encoding 1, format 4). A font
// without one, or a malformed one, adds nothing: the caller then replaces
// every non-ASCII character, which is visible rather than silently wrong.
func readCmap4(font []byte, add func(rune)) {
	u16 := func(off int) int {
		if off < 0 || off+2 > len(font) {
			return -1
		}
		return int(binary.BigEndian.Uint16(font[off:]))
	}
	u32 := func(off int) int {
		if off < 0 || off+4 > len(font) {
			return -1
		}
		return int(binary.BigEndian.Uint32(font[off:]))
	}
	cmap := -1
	for i, n := 0, u16(4); i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return
		}
		if string(font[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return
	}
	sub := -1
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		if u16(rec) == 3 && u16(rec+2) == 1 {
			sub = cmap + u32(rec+4)
		}
	}
	if sub < 0 || u16(sub) != 4 {
		return
	}
	segs := u16(sub+6) / 2
	ends, starts := sub+14, sub+16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	for s := 0; s < segs; s++ {
		end, start := u16(ends+2*s), u16(starts+2*s)
		delta, ro := u16(deltas+2*s), u16(ranges+2*s)
		if end < 0 || start < 0 || delta < 0 || ro < 0 {
			return
		}
		for c := start; c <= end && c != 0xFFFF; c++ {
			var glyph int
			if ro == 0 {
				glyph = (c + delta) & 0xFFFF
			} else {
				g := u16(ranges + 2*s + ro + 2*(c-start))
				if g <= 0 {
					continue
				}
				glyph = (g + delta) & 0xFFFF
			}
			if glyph != 0 {
				add(rune(c))
			}
		}
	}
}
