package document

import (
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Sizes, in points, of the letter's body text and of the sender's contact
// details.
const letterBody, letterSmall = 10.5, 9.0

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
	name := p.clean.line(b.Name)
	lb := lineHeight(letterBody)

	blocks := []block{p.senderBlock(name, b), p.dateBlock(), p.recipientBlock(post)}
	blocks = append(blocks, withGap(p.paragraphBlocks(p.clean.line(subject), 0, "B", letterBody, colText), 5)...)
	paras := paragraphs(p.clean.text(text))
	for _, para := range paras {
		blocks = append(blocks, withGap(p.paragraphBlocks(para, 0, "", letterBody, colText), lb*0.7)...)
	}
	blocks = append(blocks, p.signatureBlocks(name, paras)...)

	places, pages := p.paginate(blocks)
	return p.render(blocks, places, pages, 0, name)
}

// withGap adds mm of space below the last of blocks.
func withGap(blocks []block, mm float64) []block {
	if len(blocks) > 0 {
		blocks[len(blocks)-1].h += mm
	}
	return blocks
}

// senderBlock is the letter's head: the (cleaned) name, then one muted line
// per contact detail, and a rule.
func (p *page) senderBlock(name string, b jobpilot.Basics) block {
	c := p.clean
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
	senderH := lineHeight(18) + float64(len(sender))*lineHeight(letterSmall) + 3
	return block{h: senderH + 8, draw: func(y float64) {
		p.text(p.left, y, p.width, name, "B", 18, p.accent, "L")
		y += lineHeight(18)
		for _, s := range sender {
			p.text(p.left, y, p.width, s, "", letterSmall, colMuted, "L")
			y += lineHeight(letterSmall)
		}
		p.rule(y+1.5, p.accent, 0.5)
	}}
}

// dateBlock is the date, right-aligned, in the letter's own (English) style.
func (p *page) dateBlock() block {
	date := p.clean.line(p.created.Format("2 January 2006"))
	return block{h: lineHeight(letterBody) + 6, draw: func(y float64) {
		p.text(p.left, y, p.width, date, "", letterBody, colText, "R")
	}}
}

// recipientBlock addresses the hiring team at the posting's company and
// location.
func (p *page) recipientBlock(post *jobpilot.Posting) block {
	c := p.clean
	lb := lineHeight(letterBody)
	var to []string
	for _, s := range []string{"Hiring Team", c.line(post.Company), c.line(post.Location)} {
		if s != "" {
			to = append(to, s)
		}
	}
	return block{h: float64(len(to))*lb + 6, draw: func(y float64) {
		for _, s := range to {
			p.text(p.left, y, p.width, s, "", letterBody, colText, "L")
			y += lb
		}
	}}
}

// signatureBlocks signs the letter where its last paragraph does not: nothing
// when its last line is the name, the name after a closing such as "Best
// regards,", else "Kind regards," and the name.
func (p *page) signatureBlocks(name string, paras []string) []block {
	last := ""
	if len(paras) > 0 {
		ls := strings.Split(paras[len(paras)-1], "\n")
		last = strings.TrimSpace(ls[len(ls)-1])
	}
	switch {
	case strings.EqualFold(last, name):
		return nil
	case strings.HasSuffix(last, ","):
		return p.paragraphBlocks(name, 0, "", letterBody, colText)
	default:
		return append(withGap(p.paragraphBlocks("Kind regards,", 0, "", letterBody, colText), 3),
			p.paragraphBlocks(name, 0, "", letterBody, colText)...)
	}
}
