package document

import (
	"strings"

	"github.com/jobpilot/jobpilot"
)

// style holds the sizes (points) and gaps (millimetres) of one fitting step.
type style struct {
	name, label, contact float64
	heading, body, meta  float64
	sectionGap           float64 // space above a section heading
	entryGap             float64 // space between entries
	headingRule          float64 // space between heading text and its rule, and below it
}

var (
	normalStyle = style{name: 22, label: 11.5, contact: 8.5, heading: 10, body: 9.5, meta: 8.5,
		sectionGap: 5, entryGap: 3.2, headingRule: 1.4}
	tightStyle = style{name: 20, label: 10.5, contact: 8, heading: 9.5, body: 9, meta: 8,
		sectionGap: 3.4, entryGap: 2, headingRule: 1}
)

const (
	bulletIndent = 4.5
	maxPages     = 2
)

// RenderResume renders r as a one- or two-page PDF; see the package
// documentation for the layout and for how a long resume is fitted to two
// pages. r is not modified. A nil or invalid resume (no name, bad dates)
// returns a Permanent EINVALID error.
func (rd *Renderer) RenderResume(r *jobpilot.Resume) (out []byte, err error) {
	if r == nil {
		return nil, invalid("resume", "is required")
	}
	if err := r.Validate(); err != nil {
		return nil, jobpilot.Permanent(err)
	}
	defer recoverPDF("resume", &err)

	b := r.Basics
	p := rd.newPage(joinNonEmpty(" — ", b.Name, "Resume"), b.Name, b.Label)
	var blocks []block
	var places []placement
	pages := 0
	for level := 0; ; level++ {
		cur, ok := fit(r, level)
		st := normalStyle
		if level > 0 {
			st = tightStyle
		}
		blocks = p.resumeBlocks(cur, st)
		places, pages = p.paginate(blocks)
		if pages <= maxPages || !ok {
			break
		}
	}
	if pages == 2 && p.pageUse(blocks, places, 1) < nearlyEmpty {
		if b, pl, ok := p.fitOnePage(r); ok {
			blocks, places, pages = b, pl, 1
		}
	}
	return p.render(blocks, places, pages, maxPages, p.clean.line(b.Name))
}

// fit returns the content for fitting step level (see the package
// documentation), built from copies so the caller's resume stays untouched.
// ok is false when no further step exists.
func fit(r *jobpilot.Resume, level int) (_ *jobpilot.Resume, ok bool) {
	if level <= 1 {
		return r, true
	}
	c := *r
	capWork := func(recent, older int, keep int) {
		work := make([]jobpilot.Work, 0, len(c.Work))
		for i, w := range c.Work {
			if keep >= 0 && i >= keep {
				w.Highlights, w.Summary = nil, ""
			} else if i < 2 {
				w.Highlights = first(w.Highlights, recent)
			} else {
				w.Highlights = first(w.Highlights, older)
			}
			work = append(work, w)
		}
		c.Work = work
	}
	capProjects := func(n, highlights int) {
		c.Projects = first(c.Projects, n)
		ps := make([]jobpilot.Project, len(c.Projects))
		for i, pr := range c.Projects {
			pr.Highlights = first(pr.Highlights, highlights)
			ps[i] = pr
		}
		c.Projects = ps
	}
	noCourses := func() {
		ed := make([]jobpilot.Education, len(c.Education))
		for i, e := range c.Education {
			e.Courses = nil
			ed[i] = e
		}
		c.Education = ed
	}
	switch {
	case level == 2:
		capWork(5, 3, -1)
		capProjects(len(c.Projects), 2)
		noCourses()
	case level == 3:
		capWork(3, 1, -1)
		capProjects(3, 0)
		noCourses()
		c.Certificates = first(c.Certificates, 5)
	default:
		// level 4: no projects, positions after the fourth reduced to a
		// title; level 5+: additionally drop the oldest positions, one per
		// level, keeping the most recent.
		capWork(3, 1, 4)
		c.Projects = nil
		noCourses()
		c.Certificates = first(c.Certificates, 5)
		drop := min(level-4, max(len(c.Work)-1, 0))
		c.Work = c.Work[:len(c.Work)-drop]
		return &c, drop < len(r.Work)-1
	}
	return &c, true
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// resumeBlocks lays the resume out as blocks in style st.
func (p *page) resumeBlocks(r *jobpilot.Resume, st style) []block {
	// One-line entries (certificates, skills) sit closer together than
	// multi-line ones.
	out := []block{p.headerBlock(r.Basics, st)}
	out = append(out, p.section("Summary", p.summaryEntries(r.Basics, st), 0, st)...)
	out = append(out, p.section("Experience", p.workEntries(r.Work, st), st.entryGap, st)...)
	out = append(out, p.section("Projects", p.projectEntries(r.Projects, st), st.entryGap, st)...)
	out = append(out, p.section("Education", p.educationEntries(r.Education, st), st.entryGap, st)...)
	out = append(out, p.section("Certificates", p.certificateEntries(r.Certificates, st), st.entryGap/3, st)...)
	out = append(out, p.section("Skills", p.skillEntries(r.Skills, st), st.entryGap/3, st)...)
	out = append(out, p.section("Languages", p.languageEntries(r.Languages, st), 0, st)...)
	return out
}

// section is a heading and its entries, gap apart; nothing when there are no
// entries.
func (p *page) section(title string, entries [][]block, gap float64, st style) []block {
	if len(entries) == 0 {
		return nil
	}
	out := []block{p.headingBlock(title, st)}
	for i, e := range entries {
		if len(e) == 0 {
			continue
		}
		if i < len(entries)-1 {
			e[len(e)-1].h += gap
		}
		out = append(out, e...)
	}
	return out
}

// summaryEntries is the summary paragraph as the one entry of its section,
// none when the summary is empty.
func (p *page) summaryEntries(b jobpilot.Basics, st style) [][]block {
	s := strings.TrimSpace(b.Summary)
	if s == "" {
		return nil
	}
	return [][]block{p.paragraphBlocks(p.clean.text(s), 0, "", st.body, colText)}
}

// workEntries is one entry per position: its header, summary and highlights.
func (p *page) workEntries(work []jobpilot.Work, st style) [][]block {
	c := p.clean
	var entries [][]block
	for _, w := range work {
		var e []block
		e = append(e, p.entryHeader(c.line(w.Position), c.line(w.Name), c.line(dateRange(w.StartDate, w.EndDate)), c.line(w.Location), st))
		if s := strings.TrimSpace(w.Summary); s != "" {
			e = append(e, p.paragraphBlocks(c.text(s), 0, "", st.body, colText)...)
		}
		e = append(e, p.bulletBlocks(w.Highlights, st)...)
		entries = append(entries, chain(e))
	}
	return entries
}

// projectEntries is one entry per project: its header (roles, dates, link),
// description, highlights and keywords.
func (p *page) projectEntries(projects []jobpilot.Project, st style) [][]block {
	c := p.clean
	var entries [][]block
	for _, pr := range projects {
		var e []block
		sub := strings.Join(pr.Roles, ", ")
		e = append(e, p.entryHeader(c.line(pr.Name), c.line(sub), c.line(dateRange(pr.StartDate, pr.EndDate)), c.line(shortURL(pr.URL)), st))
		if s := strings.TrimSpace(pr.Description); s != "" {
			e = append(e, p.paragraphBlocks(c.text(s), 0, "", st.body, colText)...)
		}
		e = append(e, p.bulletBlocks(pr.Highlights, st)...)
		if len(pr.Keywords) > 0 {
			e = append(e, p.paragraphBlocks(c.line(strings.Join(pr.Keywords, " · ")), 0, "", st.meta, colMuted)...)
		}
		entries = append(entries, chain(e))
	}
	return entries
}

// bulletBlocks is one bullet per highlight that is not empty once cleaned.
func (p *page) bulletBlocks(highlights []string, st style) []block {
	var out []block
	for _, h := range highlights {
		if h = p.clean.line(h); h != "" {
			out = append(out, p.bulletBlock(h, st))
		}
	}
	return out
}

// educationEntries is one entry per degree: degree and institution (the
// institution alone as title when there is no degree), dates, grade and
// courses.
func (p *page) educationEntries(education []jobpilot.Education, st style) [][]block {
	c := p.clean
	var entries [][]block
	for _, ed := range education {
		var e []block
		degree := c.line(joinNonEmpty(", ", ed.StudyType, ed.Area))
		inst := c.line(ed.Institution)
		title, sub := degree, inst
		if title == "" {
			title, sub = inst, ""
		}
		meta := ""
		if s := c.line(ed.Score); s != "" {
			meta = "Grade: " + s
		}
		e = append(e, p.entryHeader(title, sub, c.line(dateRange(ed.StartDate, ed.EndDate)), meta, st))
		if len(ed.Courses) > 0 {
			e = append(e, p.paragraphBlocks(c.line("Courses: "+strings.Join(ed.Courses, ", ")), 0, "", st.meta, colMuted)...)
		}
		entries = append(entries, chain(e))
	}
	return entries
}

// certificateEntries is one line per certificate: name, issuer and date.
func (p *page) certificateEntries(certs []jobpilot.Certificate, st style) [][]block {
	c := p.clean
	var entries [][]block
	for _, ct := range certs {
		entries = append(entries, []block{p.entryHeader(c.line(ct.Name), c.line(ct.Issuer), c.line(formatDate(ct.Date)), "", st)})
	}
	return entries
}

// skillEntries is one block per skill group; a group with neither a name nor
// a keyword is left out.
func (p *page) skillEntries(skills []jobpilot.Skill, st style) [][]block {
	c := p.clean
	var entries [][]block
	for _, s := range skills {
		var kw []string
		for _, k := range s.Keywords {
			if k = strings.TrimSpace(k); k != "" {
				kw = append(kw, k)
			}
		}
		if strings.TrimSpace(s.Name) == "" && len(kw) == 0 {
			continue
		}
		entries = append(entries, []block{p.skillBlock(c.line(s.Name), c.line(s.Level), c.line(strings.Join(kw, ", ")), st)})
	}
	return entries
}

// languageEntries is the languages, each with its fluency, on one paragraph
// as the one entry of its section; none when no language is given.
func (p *page) languageEntries(languages []jobpilot.Language, st style) [][]block {
	var langs []string
	for _, l := range languages {
		if s := p.clean.line(joinNonEmpty(" — ", l.Language, l.Fluency)); s != "" {
			langs = append(langs, s)
		}
	}
	if len(langs) == 0 {
		return nil
	}
	return [][]block{p.paragraphBlocks(strings.Join(langs, "   ·   "), 0, "", st.body, colText)}
}

// chain keeps an entry's title with its first line of content, and its last
// line with the one before, so a page never starts with a lone highlight of
// an entry that began on the previous page.
func chain(e []block) []block {
	if len(e) > 1 {
		e[0].keepWithNext = true
	}
	if len(e) > 2 {
		e[len(e)-2].keepWithNext = true
	}
	return e
}

func (p *page) headerBlock(b jobpilot.Basics, st style) block {
	c := p.clean
	name := c.line(b.Name)
	label := c.line(b.Label)
	loc := c.line(joinNonEmpty(", ", b.Location.City, b.Location.Region, b.Location.CountryCode))
	items := []string{c.line(b.Email), c.line(b.Phone), loc, c.line(shortURL(b.URL))}
	for _, pr := range b.Profiles {
		switch {
		case pr.URL != "":
			items = append(items, c.line(shortURL(pr.URL)))
		case pr.Username != "":
			items = append(items, c.line(joinNonEmpty(": ", pr.Network, pr.Username)))
		}
	}
	contact := p.split(joinNonEmpty("   ·   ", items...), "", st.contact, p.width)
	nameLines := p.split(name, "B", st.name, p.width)
	labelLines := p.split(label, "", st.label, p.width)

	h := float64(len(nameLines))*lineHeight(st.name) + float64(len(labelLines))*lineHeight(st.label) +
		float64(len(contact))*lineHeight(st.contact) + 3.2
	return block{h: h, draw: func(y float64) {
		for _, l := range nameLines {
			p.text(p.left, y, p.width, l, "B", st.name, p.accent, "L")
			y += lineHeight(st.name)
		}
		for _, l := range labelLines {
			p.text(p.left, y, p.width, l, "", st.label, colText, "L")
			y += lineHeight(st.label)
		}
		y += 0.6
		for _, l := range contact {
			p.text(p.left, y, p.width, l, "", st.contact, colMuted, "L")
			y += lineHeight(st.contact)
		}
		p.rule(y+1.2, p.accent, 0.5)
	}}
}

func (p *page) headingBlock(title string, st style) block {
	lh := lineHeight(st.heading)
	h := st.sectionGap + lh + 2*st.headingRule
	return block{h: h, keepWithNext: true, draw: func(y float64) {
		y += st.sectionGap
		p.text(p.left, y, p.width, strings.ToUpper(title), "B", st.heading, p.accent, "L")
		p.rule(y+lh+st.headingRule*0.6, colRule, 0.25)
	}}
}

// entryHeader is an entry's title line: title in bold, sub (employer,
// institution) after a dash, date range right-aligned, and an optional muted
// meta line (location) below. When title and sub do not fit beside the date,
// sub moves to a line of its own.
func (p *page) entryHeader(title, sub, dates, meta string, st style) block {
	dw := 0.0
	if dates != "" {
		dw = p.textWidth(dates, "", st.meta) + 4
	}
	avail := p.width - dw
	sep := " — "
	oneLine := sub == "" || p.textWidth(title, "B", st.body)+p.textWidth(sep+sub, "", st.body) <= avail
	var titleLines, subLines []string
	titleLines = p.split(title, "B", st.body, avail)
	if !oneLine {
		subLines = p.split(sub, "", st.body, avail)
	}
	metaLines := p.split(meta, "", st.meta, p.width)
	lb, lm := lineHeight(st.body), lineHeight(st.meta)
	h := float64(max(len(titleLines), 1)+len(subLines))*lb + float64(len(metaLines))*lm
	return block{h: h, draw: func(y float64) {
		top := y
		defer func() {
			// Drawn last so that text extraction reads title, then dates.
			if dates != "" {
				p.text(p.left+p.width-dw, top+(lb-lm)/2, dw, dates, "", st.meta, colMuted, "R")
			}
		}()
		for i, l := range titleLines {
			p.text(p.left, y, avail, l, "B", st.body, colText, "L")
			if i == len(titleLines)-1 && oneLine && sub != "" {
				x := p.left + p.textWidth(l, "B", st.body)
				p.text(x, y, avail, sep+sub, "", st.body, p.accent, "L")
			}
			y += lb
		}
		for _, l := range subLines {
			p.text(p.left, y, avail, l, "", st.body, p.accent, "L")
			y += lb
		}
		for _, l := range metaLines {
			p.text(p.left, y, p.width, l, "", st.meta, colMuted, "L")
			y += lm
		}
	}}
}

// paragraphBlocks returns one block per wrapped line, so long paragraphs can
// break across pages; the first line is kept with the second so a paragraph
// never leaves a single line behind at the bottom of a page.
func (p *page) paragraphBlocks(s string, indent float64, style string, size float64, c rgb) []block {
	var out []block
	lh := lineHeight(size)
	for _, para := range paragraphs(s) {
		for _, l := range p.split(para, style, size, p.width-indent) {
			out = append(out, block{h: lh, draw: func(y float64) {
				p.text(p.left+indent, y, p.width-indent, l, style, size, c, "L")
			}})
		}
	}
	if len(out) > 1 {
		out[0].keepWithNext = true
	}
	return out
}

// bulletBlock is one highlight: a bullet and its wrapped text, unbreakable.
func (p *page) bulletBlock(s string, st style) block {
	lines := p.split(s, "", st.body, p.width-bulletIndent)
	lh := lineHeight(st.body)
	return block{h: float64(len(lines))*lh + 0.4, draw: func(y float64) {
		p.text(p.left+1.2, y, bulletIndent, "•", "", st.body, p.accent, "L")
		for _, l := range lines {
			p.text(p.left+bulletIndent, y, p.width-bulletIndent, l, "", st.body, colText, "L")
			y += lh
		}
	}}
}

const skillLabelWidth = 38.0

// skillBlock is one skill group: its name (and level) in a left column, its
// keywords wrapped in the right one. A group without a name spans the width.
func (p *page) skillBlock(name, level, keywords string, st style) block {
	lx, lw := p.left, skillLabelWidth
	kx, kw := p.left+skillLabelWidth+2, p.width-skillLabelWidth-2
	if name == "" {
		kx, kw = p.left, p.width
	}
	if keywords == "" && name != "" {
		// A group with no keywords is a skill in itself: show it as the text.
		keywords, name = name, ""
		kx, kw = p.left, p.width
	}
	nameLines := p.split(name, "B", st.body, lw)
	levelLines := p.split(level, "", st.meta, lw)
	kwLines := p.split(keywords, "", st.body, kw)
	lb, lm := lineHeight(st.body), lineHeight(st.meta)
	left := float64(len(nameLines))*lb + float64(len(levelLines))*lm
	h := max(left, float64(len(kwLines))*lb) + 1.2
	return block{h: h, draw: func(y float64) {
		yy := y
		for _, l := range nameLines {
			p.text(lx, yy, lw, l, "B", st.body, colText, "L")
			yy += lb
		}
		for _, l := range levelLines {
			p.text(lx, yy, lw, l, "", st.meta, colMuted, "L")
			yy += lm
		}
		for _, l := range kwLines {
			p.text(kx, y, kw, l, "", st.body, colText, "L")
			y += lb
		}
	}}
}
