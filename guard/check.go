package guard

import (
	"strings"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/vocab"
)

// Removal kinds: the Kind of a jobpilot.Removal, and the "kind" label of the
// removals metric.
const (
	KindEmployer    = "employer"
	KindTitle       = "title"
	KindDate        = "date"
	KindDegree      = "degree"
	KindCertificate = "certificate"
	KindSkill       = "skill"
	KindNumber      = "number"
	KindName        = "name" // an organisation, school, place or product
	KindWord        = "word" // a word neither everyday English nor the candidate's
	KindLink        = "link" // a URL or an email address
	KindEntry       = "entry"
	KindMarkup      = "markup" // tags or control characters in generated text
	KindLength      = "length" // cut to a size cap: not an invented fact
)

// violation is one fact-bearing word a sentence may not use.
type violation struct{ kind, value string }

var (
	degreeWords = set("phd dphil doctorate doctoral postdoc postdoctoral mba msc bsc meng beng mphil ba bs ma ms md jd edd llb llm bachelor bachelors masters diploma")
	titleWords  = set("senior junior staff principal lead head chief director manager vp svp evp cto ceo cfo coo cio ciso founder cofounder intern internship architect president officer fellow partner")
	roleNouns   = set("engineer engineers developer developers programmer architect scientist analyst designer manager consultant administrator lead officer specialist researcher director of product software backend frontend data platform engineering")
	// capitalised inside a sentence without naming anything
	plainCapitals = set("i im ive id ill dear sincerely regards hiring manager internet monday tuesday wednesday thursday friday saturday sunday ok")
	// words that make a sentence about the candidate: a posting's terms are
	// never allowed in one (the candidate's own name is added per profile)
	firstPerson = set("i me my mine myself im ive id ill candidate applicant application resume cv profile")
	// claims that name no entity but are facts all the same: they must come
	// from the cited facts like a name
	claimWords = set("award awarded awards prize prizes patent patents patented keynote published publications licensed accredited chartered certified valedictorian honours honors scholarship fellowship summa cum laude tenure tenured degree degrees graduated graduate alumnus alumna alumni clearance citizen citizenship")
	// words before the posting's role title that make it the job applied for
	roleDeterminers = set("the your this that")
	roleFollowers   = set("role position opening vacancy job opportunity post posting")
	// words before the posting's company that make it an employer claim in
	// a sentence about the candidate's own work
	employerMarks = set("at for joined with from")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// posting is what a cover letter may take from the posting.
type posting struct {
	company []string // folded words
	title   []string
	text    string // folded description, for finding quoted needs
}

func newPosting(post *jobpilot.Posting) *posting {
	if post == nil {
		return nil
	}
	return &posting{company: foldWords(post.Company), title: foldWords(post.Title),
		text: " " + strings.Join(foldWords(post.Title+"\n"+post.Description), " ") + " "}
}

// sentenceCheck is the check of one sentence.
type sentenceCheck struct {
	f       *Facts
	lex     union
	toks    []token
	post    *posting
	need    map[string]bool // posting words the sentence may use (its quoted need)
	entry   bool            // the sentence cites an entry (a job, a degree …)
	allowed []bool          // tokens that are the posting's company or role
}

// check returns what a sentence says that its cited facts do not support.
// post is nil outside a cover letter; need is the posting phrase the
// sentence says it answers.
func (f *Facts) check(text string, cited []int, post *posting, need string) []violation {
	entry := false
	for _, id := range cited {
		if id > 0 && id < len(f.list) && f.list[id].Section != SectionSkills {
			entry = true
		}
	}
	return f.checkIn(text, f.scope(cited), entry, post, need, false)
}

// checkIn checks text against lex. With anyNeed, a sentence that does not
// speak of the candidate may use any word of the posting (the last check
// of a rendered letter, whose citations are gone).
func (f *Facts) checkIn(text string, lex union, entry bool, post *posting, need string, anyNeed bool) []violation {
	c := &sentenceCheck{f: f, lex: lex, toks: tokenize(text), post: post, entry: entry}
	c.allowed = make([]bool, len(c.toks))
	if post != nil {
		c.markPosting()
		if anyNeed {
			need = post.text
		}
		c.need = c.needWords(need)
	}
	var out []violation
	qs, used := numberSpans(c.toks)
	for _, q := range qs {
		if c.allowed[q.first] {
			continue // part of the posting's company or role ("Initech 2")
		}
		if !c.lex.hasNumber(q) {
			out = append(out, violation{KindNumber, q.text})
		}
	}
	for i, t := range c.toks {
		if used[i] || c.allowed[i] {
			continue
		}
		out = append(out, c.token(i, t)...)
	}
	return out
}

// token checks one word, as a whole and then part by part.
func (c *sentenceCheck) token(i int, t token) []violation {
	if t.link {
		if c.lex.hasLink(t.lower) {
			return nil
		}
		return []violation{{KindLink, t.text}}
	}
	if c.lex.has(t.lower) {
		return nil
	}
	ps := parts(t.text)
	if len(ps) <= 1 || vocab.IsTech(t.lower) {
		return c.word(i, t)
	}
	var out []violation
	for k, p := range ps {
		pt, ok := newToken(p)
		if !ok {
			continue
		}
		pt.start = t.start && k == 0
		if c.lex.has(pt.lower) {
			continue
		}
		out = append(out, c.word(i, pt)...)
	}
	return out
}

// word checks one word (or one part of a compound).
func (c *sentenceCheck) word(i int, t token) []violation {
	w := t.lower
	if hasDigit(w) {
		var out []violation
		if v, ok := digitValue(w); ok && c.lex.hasNumber(quantity{value: v}) {
			return nil
		}
		for _, d := range digitRuns(w) {
			if !c.lex.hasNumber(quantity{value: d}) {
				out = append(out, violation{KindNumber, t.text})
				break
			}
		}
		return out
	}
	if c.lex.has(w) {
		return nil
	}
	kind := c.classify(i, t)
	if kind == "" || c.need[w] && (kind == KindSkill || kind == KindWord && !claimWords[w]) {
		// A quoted need may bring the posting's skills and words, never
		// its names, degrees, titles, numbers or claims: an instruction
		// hidden in a posting cannot reach a letter that way.
		return nil
	}
	return []violation{{kind, t.text}}
}

// classify says why a word the cited facts lack is a fact ("" when it is
// an ordinary word). Words are judged as words: capital letters only add
// evidence (a capitalised word inside a sentence is a name), they are never
// needed to see one.
func (c *sentenceCheck) classify(i int, t token) string {
	w := t.lower
	switch {
	case t.tech || vocab.IsTech(w) && !(vocab.Ambiguous(w) && !t.capital && !t.acronym):
		return KindSkill
	case degreeWords[w] || (w == "master" || w == "doctor") && c.next(i) == "of" ||
		strings.HasPrefix(strings.ToLower(t.text), "master's") || strings.HasPrefix(strings.ToLower(t.text), "bachelor"):
		return KindDegree
	case vocab.StrongName(w) || vocab.WeakName(w) && t.capital:
		return KindName
	case claimWords[w]:
		return KindWord
	case w == "manager" && c.prev(i) == "hiring":
		return ""
	case titleWords[w] && (roleNouns[c.next(i)] || c.prev(i) == "as" || c.prev(i) == "a" && c.prev(i-1) == "as" ||
		t.capital && !t.start):
		return KindTitle
	case t.acronym && !plainCapitals[w]:
		return KindName
	case t.mixed:
		return KindName
	case t.capital && !t.start && !plainCapitals[w]:
		return KindName
	case vocab.Common(w) || c.f.ordinaryWord(w):
		return ""
	}
	return KindWord
}

func (c *sentenceCheck) next(i int) string {
	if i+1 < len(c.toks) {
		return c.toks[i+1].lower
	}
	return ""
}

func (c *sentenceCheck) prev(i int) string {
	if i-1 >= 0 && i-1 < len(c.toks) {
		return c.toks[i-1].lower
	}
	return ""
}

// markPosting allows the posting's company (any leading part of its name)
// and its role title (at least two of its leading words) where a letter
// names them as the employer and the job applied for: the company anywhere
// except as the employer of the candidate's own work ("at Fernwood" in a
// sentence citing a job), the title only as the job ("the Senior Backend
// Engineer role", never "as a Senior Backend Engineer").
func (c *sentenceCheck) markPosting() {
	for i := range c.toks {
		if n := c.prefixAt(i, c.post.company, 1); n > 0 {
			if c.entry && employerMarks[c.prev(i)] {
				continue
			}
			for k := i; k < i+n; k++ {
				c.allowed[k] = true
			}
		}
		if n := c.prefixAt(i, c.post.title, min(2, len(c.post.title))); n > 0 {
			if roleDeterminers[c.prev(i)] || roleFollowers[c.toks[min(i+n, len(c.toks)-1)].lower] && i+n < len(c.toks) {
				for k := i; k < i+n; k++ {
					c.allowed[k] = true
				}
			}
		}
	}
}

// prefixAt returns how many words of phrase, from its start, the sentence
// has at token i (0 when fewer than least).
func (c *sentenceCheck) prefixAt(i int, phrase []string, least int) int {
	n := 0
	for n < len(phrase) && i+n < len(c.toks) && c.toks[i+n].lower == phrase[n] {
		n++
	}
	if n < least || n == 0 {
		return 0
	}
	return n
}

// needWords returns the words of the posting phrase a sentence answers,
// when the phrase really is in the posting and the sentence speaks of the
// employer, not of the candidate: a posting's term is never the candidate's
// claim.
func (c *sentenceCheck) needWords(need string) map[string]bool {
	ws := foldWords(need)
	if len(ws) == 0 || !strings.Contains(c.post.text, " "+strings.Join(ws, " ")+" ") {
		return nil
	}
	for _, t := range c.toks {
		if firstPerson[t.lower] || c.f.self[t.lower] {
			return nil
		}
	}
	m := map[string]bool{}
	for _, w := range ws {
		m[w] = true
		for _, p := range parts(w) {
			m[p] = true
		}
		if v, ok := digitValue(w); ok {
			m[v] = true
		}
	}
	return m
}
