// Package pdftext reads back the text of the PDFs the document package
// renders, so tests can check what a resume or a letter really says (the
// honesty checks look for claims that must not be there) without a system
// tool. Only tests import it: the production binary does not link a PDF
// reader.
package pdftext

import (
	"bytes"
	"math"
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"

	"github.com/jobpilot/jobpilot"
)

// Pages returns the text of each page of a PDF rendered by the document
// package, one string per page, lines separated by "\n".
//
// It reads the PDF with github.com/ledongthuc/pdf but decodes the text itself:
// the document package's fonts use Identity-H encoding with an identity
// ToUnicode map, which that library's own text decoding gets wrong beyond
// U+00FF (it keeps only the low byte, so Cyrillic and "–" come out garbled).
// Strings in fonts of other encodings are read as Latin-1, so Pages is not a
// general PDF text extractor. Malformed input returns a Permanent EINVALID
// error.
func Pages(b []byte) (pages []string, err error) {
	defer func() {
		// The reader panics on some malformed input.
		if v := recover(); v != nil {
			pages, err = nil, jobpilot.Permanent(jobpilot.FieldError("pdf", "cannot be read: %v", v))
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, jobpilot.Permanent(&jobpilot.Error{Code: jobpilot.EINVALID, Field: "pdf", Message: "cannot be read", Err: err})
	}
	for i := 1; i <= r.NumPage(); i++ {
		pg := r.Page(i)
		if pg.V.IsNull() {
			pages = append(pages, "")
			continue
		}
		pages = append(pages, pageText(pg))
	}
	return pages, nil
}

// pageText walks the page's content stream. fpdf writes each text cell as
// "BT x y Td (string) Tj ET"; cells on the same baseline are joined with a
// space, a new baseline starts a new line.
func pageText(pg pdf.Page) string {
	var sb strings.Builder
	wide := false // current font is a two-byte (Identity-H) font
	lastY, haveY := 0.0, false
	startCell := false
	pdf.Interpret(pg.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "Tf":
			if len(args) == 2 {
				enc := pg.Font(args[0].Name()).V.Key("Encoding")
				wide = enc.Kind() == pdf.Name && strings.HasPrefix(enc.Name(), "Identity")
			}
		case "Td", "TD", "Tm":
			if len(args) >= 2 {
				y := args[len(args)-1].Float64()
				switch {
				case !haveY:
				case math.Abs(y-lastY) > 2:
					// More than 2 pt apart: a new line. Closer cells are
					// text of different sizes on one line (a title and its
					// dates).
					sb.WriteByte('\n')
				default:
					startCell = true
				}
				lastY, haveY = y, true
			}
		case "T*", "'", "\"":
			sb.WriteByte('\n')
		}
		var strs []pdf.Value
		switch op {
		case "Tj", "'", "\"":
			if len(args) > 0 {
				strs = args[len(args)-1:]
			}
		case "TJ":
			if len(args) == 1 {
				for j := 0; j < args[0].Len(); j++ {
					strs = append(strs, args[0].Index(j))
				}
			}
		}
		for _, s := range strs {
			if s.Kind() != pdf.String {
				continue
			}
			text := decode(s.RawString(), wide)
			if startCell {
				if sb.Len() > 0 && !strings.HasSuffix(sb.String(), " ") && !strings.HasPrefix(text, " ") {
					sb.WriteByte(' ')
				}
				startCell = false
			}
			sb.WriteString(text)
		}
	})
	return strings.TrimSpace(sb.String())
}

func decode(raw string, wide bool) string {
	if !wide {
		rs := make([]rune, len(raw))
		for i := 0; i < len(raw); i++ {
			rs[i] = rune(raw[i])
		}
		return string(rs)
	}
	u := make([]uint16, 0, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(u))
}
