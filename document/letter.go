package document

import (
	"strings"

	"github.com/jobpilot/jobpilot"
)

// RenderCoverLetter renders text, the body of a cover letter, as a PDF
// letter: the candidate's name and contact details, the date, the company as
// recipient, the subject "Application: <title>", the body paragraphs
// (separated by blank lines in text) and a signature.
//
// The signature is added only where text lacks one: when the last line is the
// candidate's name nothing is added; when it is a closing such as "Best
// regards," only the name follows; otherwise "Kind regards," and the name.
// A letter longer than a page continues on the next, with page numbers.
// Empty text, or a nil profile or posting, returns a Permanent EINVALID
// error: no placeholder letter is ever produced.
func (rd *Renderer) RenderCoverLetter(prof *jobpilot.Profile, post *jobpilot.Posting, text string) (out []byte, err error) {
	switch {
	case prof == nil:
		return nil, invalid("profile", "is required")
	case post == nil:
		return nil, invalid("posting", "is required")
	case strings.TrimSpace(text) == "":
		return nil, invalid("cover_letter", "is empty")
	case strings.TrimSpace(prof.Resume.Basics.Name) == "":
		return nil, invalid("resume.basics.name", "is required")
	}
	defer recoverPDF("cover letter", &err)

	b := prof.Resume.Basics
	subject := "Application: " + strings.TrimSpace(post.Title)
	p := rd.newPage(joinNonEmpty(" — ", b.Name, subject), b.Name, subject)
	c := p.clean
	const body, small = 10.5, 9.0
	lb := lineHeight(body)
	gap := func(b []block, mm float64) []block {
		if len(b) > 0 {
			b[len(b)-1].h += mm
		}
		return b
	}

	var blocks []block
	// Sender: name, then one muted line per contact detail.
	name := c.line(b.Name)
	var sender []string
	if l := c.line(b.Label); l != "" {
		sender = append(sender, l)
	}
	loc := c.line(joinNonEmpty(", ", b.Location.Address, joinNonEmpty(" ", b.Location.PostalCode, b.Location.City), b.Location.Region, b.Location.CountryCode))
	for _, s := range []string{loc, c.line(joinNonEmpty("   ·   ", b.Email, b.Phone)), c.line(shortURL(b.URL))} {
		if s != "" {
			sender = append(sender, s)
		}
	}
	senderH := lineHeight(18) + float64(len(sender))*lineHeight(small) + 3
	blocks = append(blocks, block{h: senderH + 8, draw: func(y float64) {
		p.text(p.left, y, p.width, name, "B", 18, p.accent, "L")
		y += lineHeight(18)
		for _, s := range sender {
			p.text(p.left, y, p.width, s, "", small, colMuted, "L")
			y += lineHeight(small)
		}
		p.rule(y+1.5, p.accent, 0.5)
	}})

	// Date, right-aligned, in the letter's own (English) style.
	date := c.line(p.created.Format("2 January 2006"))
	blocks = append(blocks, block{h: lb + 6, draw: func(y float64) {
		p.text(p.left, y, p.width, date, "", body, colText, "R")
	}})

	// Recipient.
	var to []string
	for _, s := range []string{"Hiring Team", c.line(post.Company), c.line(post.Location)} {
		if s != "" {
			to = append(to, s)
		}
	}
	blocks = append(blocks, block{h: float64(len(to))*lb + 6, draw: func(y float64) {
		for _, s := range to {
			p.text(p.left, y, p.width, s, "", body, colText, "L")
			y += lb
		}
	}})

	// Subject.
	blocks = append(blocks, gap(p.paragraphBlocks(c.line(subject), 0, "B", body, colText), 5)...)

	// Body.
	paras := paragraphs(c.text(text))
	for _, para := range paras {
		blocks = append(blocks, gap(p.paragraphBlocks(para, 0, "", body, colText), lb*0.7)...)
	}

	// Signature.
	last := ""
	if len(paras) > 0 {
		ls := strings.Split(paras[len(paras)-1], "\n")
		last = strings.TrimSpace(ls[len(ls)-1])
	}
	switch {
	case strings.EqualFold(last, name):
	case strings.HasSuffix(last, ","):
		blocks = append(blocks, p.paragraphBlocks(name, 0, "", body, colText)...)
	default:
		blocks = append(blocks, gap(p.paragraphBlocks("Kind regards,", 0, "", body, colText), 3)...)
		blocks = append(blocks, p.paragraphBlocks(name, 0, "", body, colText)...)
	}

	places, pages := p.paginate(blocks)
	return p.render(blocks, places, pages, 0, name)
}
