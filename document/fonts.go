package document

import _ "embed"

// The font is embedded so the binary runs on hosts without fonts; see the
// package documentation for the font's origin and licence.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
)

// FontName is the name of the embedded typeface.
const FontName = "DejaVu Sans Condensed"

const family = "dejavu"
