package document

import "github.com/jobpilot/jobpilot"

// nearlyEmpty is the share of a page below which a second resume page is
// not worth its sheet: a resume that spills less than this onto page two
// is fitted to one page (see fitOnePage).
const nearlyEmpty = 0.4

// maxDropsAtNormalSize is how many highlights fitOnePage drops before it
// tightens the spacing instead.
const maxDropsAtNormalSize = 3

// pageUse returns how much of page pg (0-based) the placed blocks fill, as
// a share of the content height.
func (p *page) pageUse(blocks []block, places []placement, pg int) float64 {
	used := 0.0
	for i, b := range blocks {
		if places[i].page == pg {
			used = max(used, places[i].y+b.h-p.top)
		}
	}
	return used / (p.bottom - p.top)
}

// fitOnePage lays r out on one page by dropping its least relevant content
// a piece at a time, re-measuring after each: first at normal spacing (at
// most maxDropsAtNormalSize pieces), then again from the whole resume at
// tight spacing. What goes first is education courses, then project
// highlights, then work highlights: the last highlight of the position
// with the most above its floor (the older position on a tie), the floor
// being two highlights for the most recent position and one for the
// others. Writers list an entry's
// highlights most relevant first, so the last is the least relevant. ok
// is false when the floors are reached and it still does not fit.
func (p *page) fitOnePage(r *jobpilot.Resume) (blocks []block, places []placement, ok bool) {
	for _, st := range []style{normalStyle, tightStyle} {
		cur := cloneForTrim(r)
		for drops := 0; ; drops++ {
			blocks = p.resumeBlocks(cur, st)
			places, pages := p.paginate(blocks)
			if pages == 1 {
				return blocks, places, true
			}
			if st == normalStyle && drops == maxDropsAtNormalSize || !dropLeastRelevant(cur) {
				break
			}
		}
	}
	return nil, nil, false
}

// cloneForTrim copies the parts of r that dropLeastRelevant shortens, so
// the caller's resume stays untouched.
func cloneForTrim(r *jobpilot.Resume) *jobpilot.Resume {
	c := *r
	c.Work = append([]jobpilot.Work(nil), r.Work...)
	c.Projects = append([]jobpilot.Project(nil), r.Projects...)
	c.Education = append([]jobpilot.Education(nil), r.Education...)
	return &c
}

// dropLeastRelevant removes one piece of content (see fitOnePage) and
// reports whether there was one to remove.
func dropLeastRelevant(r *jobpilot.Resume) bool {
	for i := len(r.Education) - 1; i >= 0; i-- {
		if len(r.Education[i].Courses) > 0 {
			r.Education[i].Courses = nil
			return true
		}
	}
	most := -1
	for i, pr := range r.Projects {
		if len(pr.Highlights) > 0 && (most < 0 || len(pr.Highlights) >= len(r.Projects[most].Highlights)) {
			most = i
		}
	}
	if most >= 0 {
		h := r.Projects[most].Highlights
		r.Projects[most].Highlights = h[:len(h)-1]
		return true
	}
	floor := func(i int) int {
		if i == 0 {
			return 2
		}
		return 1
	}
	most, spare := -1, 0
	for i, w := range r.Work {
		if n := len(w.Highlights) - floor(i); n > 0 && n >= spare {
			most, spare = i, n
		}
	}
	if most < 0 {
		return false
	}
	h := r.Work[most].Highlights
	r.Work[most].Highlights = h[:len(h)-1]
	return true
}
