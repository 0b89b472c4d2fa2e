package document

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/jobpilot/jobpilot"
)

// Renderer renders resumes and cover letters as PDF. It holds only its
// options: it is safe for concurrent use, and every call builds its own
// document.
type Renderer struct {
	created  time.Time
	pageSize string
	accent   rgb
}

var _ jobpilot.Renderer = (*Renderer)(nil)

// Option configures a Renderer.
type Option func(*Renderer)

// WithCreationDate fixes the creation and modification date written into
// every PDF, and the date printed on cover letters, so that the same input
// gives the same bytes. Without it (or with a zero time) the time of
// rendering is used.
func WithCreationDate(t time.Time) Option {
	return func(r *Renderer) { r.created = t }
}

// Page sizes accepted by WithPageSize.
const (
	A4     = "A4"
	Letter = "Letter"
)

// WithPageSize selects A4 (the default) or Letter paper. Other values are
// ignored.
func WithPageSize(size string) Option {
	return func(r *Renderer) {
		if size == A4 || size == Letter {
			r.pageSize = size
		}
	}
}

// WithAccentColor sets the colour of the name, section headings and rules.
// The default is a discreet dark blue (#1F4E79); keep it dark enough to
// print well in grey.
func WithAccentColor(red, green, blue uint8) Option {
	return func(r *Renderer) { r.accent = rgb{int(red), int(green), int(blue)} }
}

// New returns a Renderer with A4 pages, the default accent colour and the
// current time as creation date, changed by opts.
func New(opts ...Option) *Renderer {
	r := &Renderer{pageSize: A4, accent: rgb{0x1F, 0x4E, 0x79}}
	for _, o := range opts {
		o(r)
	}
	return r
}

type rgb struct{ r, g, b int }

var (
	colText  = rgb{0x22, 0x22, 0x22}
	colMuted = rgb{0x5f, 0x63, 0x68}
	colRule  = rgb{0xc5, 0xc9, 0xcf}
)

// Page geometry in millimetres.
const (
	marginX      = 18.0
	marginTop    = 16.0
	marginBottom = 16.0
	footerY      = 8.0 // distance of the page number's baseline area from the bottom edge
	ptToMM       = 25.4 / 72
)

// page is one fpdf document with the embedded font loaded, plus the helpers
// the layouts share.
type page struct {
	pdf     *fpdf.Fpdf
	clean   cleaner
	w, h    float64 // page size
	left    float64
	width   float64 // content width
	top     float64
	bottom  float64 // lowest y content may reach
	accent  rgb
	created time.Time
}

func (r *Renderer) newPage(title, author, subject string) *page {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: r.pageSize})
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.AddUTF8FontFromBytes(family, "B", fontBold)
	pdf.SetCatalogSort(true) // resource order must not depend on map iteration
	pdf.SetCompression(true)
	created := r.created
	if created.IsZero() {
		created = time.Now()
	}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCreator("jobpilot", true)
	pdf.SetProducer("jobpilot (go-pdf/fpdf)", true)
	pdf.SetAutoPageBreak(false, 0) // we paginate ourselves, see paginate
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetCellMargin(0)
	w, h := pdf.GetPageSize()
	p := &page{
		pdf: pdf, w: w, h: h,
		left: marginX, width: w - 2*marginX,
		top: marginTop, bottom: h - marginBottom,
		accent: r.accent, created: created,
	}
	p.clean = cleaner{has: covered}
	// Metadata goes through the same cleaning as the text on the page.
	pdf.SetTitle(p.clean.line(title), true)
	pdf.SetAuthor(p.clean.line(author), true)
	if subject != "" {
		pdf.SetSubject(p.clean.line(subject), true)
	}
	return p
}

// font selects a style ("" or "B"), a size in points and a colour.
func (p *page) font(style string, size float64, c rgb) {
	p.pdf.SetFont(family, style, size)
	p.pdf.SetTextColor(c.r, c.g, c.b)
}

// lineHeight is the distance between baselines for a size in points.
func lineHeight(size float64) float64 { return size * ptToMM * 1.38 }

// split wraps s to width w in the given font; it always returns at least one
// line for non-empty s.
func (p *page) split(s, style string, size, w float64) []string {
	if s == "" {
		return nil
	}
	p.pdf.SetFont(family, style, size)
	return p.pdf.SplitText(s, w)
}

func (p *page) textWidth(s, style string, size float64) float64 {
	p.pdf.SetFont(family, style, size)
	return p.pdf.GetStringWidth(s)
}

// text draws one line with its top at y.
func (p *page) text(x, y, w float64, s, style string, size float64, c rgb, align string) {
	p.font(style, size, c)
	p.pdf.SetXY(x, y)
	p.pdf.CellFormat(w, lineHeight(size), s, "", 0, align+"M", false, 0, "")
}

func (p *page) rule(y float64, c rgb, width float64) {
	p.pdf.SetDrawColor(c.r, c.g, c.b)
	p.pdf.SetLineWidth(width)
	p.pdf.Line(p.left, y, p.left+p.width, y)
}

// block is an unbreakable piece of a document: it is placed whole on one
// page. keepWithNext ties it to the following block, so a heading or an
// entry's title never ends a page alone.
type block struct {
	h            float64
	keepWithNext bool
	draw         func(y float64)
}

// placement is a block's page (0-based) and top.
type placement struct {
	page int
	y    float64
}

// paginate places blocks top to bottom, starting a new page when a block,
// together with the chain of blocks it must be kept with, does not fit. A
// chain taller than a page is broken rather than looping forever.
func (p *page) paginate(blocks []block) (places []placement, pages int) {
	places = make([]placement, len(blocks))
	pg, y := 0, p.top
	for i, b := range blocks {
		need := b.h
		for j := i; j < len(blocks)-1 && blocks[j].keepWithNext; j++ {
			need += blocks[j+1].h
		}
		if y+need > p.bottom && y > p.top {
			// Only the block itself must fit on an empty page; a chain that
			// cannot fit anywhere is broken.
			if i == 0 || !blocks[i-1].keepWithNext || y+b.h > p.bottom {
				pg, y = pg+1, p.top
			}
		}
		places[i] = placement{page: pg, y: y}
		y += b.h
	}
	return places, pg + 1
}

// render draws the placed blocks, at most maxPages pages (0 means no
// limit), with "<who> · Page n of N" footers when there is more than one
// page, so a loose second page still says whose it is.
func (p *page) render(blocks []block, places []placement, pages, maxPages int, who string) ([]byte, error) {
	if maxPages > 0 && pages > maxPages {
		pages = maxPages
	}
	cur := -1
	for i, b := range blocks {
		pl := places[i]
		if pl.page >= pages {
			break
		}
		for cur < pl.page {
			p.pdf.AddPage()
			cur++
			if pages > 1 {
				p.text(p.left, p.h-marginBottom+footerY/2, p.width,
					joinNonEmpty("  ·  ", who, "Page "+strconv.Itoa(cur+1)+" of "+strconv.Itoa(pages)), "", 7.5, colMuted, "C")
			}
		}
		b.draw(pl.y)
	}
	if cur < 0 {
		p.pdf.AddPage()
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return nil, jobpilot.Permanent(fmt.Errorf("document: write pdf: %w", err))
	}
	return buf.Bytes(), nil
}

// recoverPDF turns a panic inside fpdf into a Permanent error: a single odd
// document must not take down the worker that renders it.
func recoverPDF(what string, err *error) {
	if v := recover(); v != nil {
		*err = jobpilot.Permanent(fmt.Errorf("document: render %s: %v", what, v))
	}
}

func invalid(field, format string, args ...any) error {
	return jobpilot.Permanent(jobpilot.FieldError(field, format, args...))
}
