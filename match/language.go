package match

import (
	"strings"
	"unicode"

	"github.com/jobpilot/jobpilot"
)

// Languages are detected from stop words (the short words every text
// uses) for languages written in Latin letters, and from the script for
// Japanese, Korean, Chinese and Russian. A small, deterministic detector is
// enough for a job posting: it has hundreds of words in one language.
var stopWords = map[string][]string{
	"en": {"the", "and", "you", "with", "our", "for", "will", "are", "of", "to", "in", "we", "your", "is", "a", "on", "be", "this", "have", "as"},
	"de": {"und", "der", "die", "das", "du", "wir", "mit", "für", "ist", "ein", "eine", "von", "zu", "den", "dein", "deine", "bei", "auf", "sie", "uns", "im", "oder"},
	"sv": {"och", "att", "är", "för", "som", "vi", "du", "med", "på", "en", "ett", "det", "har", "av", "till", "kommer", "oss", "din", "vår", "vårt", "inom", "hos"},
	"es": {"el", "la", "los", "las", "y", "de", "en", "para", "con", "que", "una", "un", "nuestro", "nuestra", "del", "por", "tu", "es", "se", "al", "más"},
	"fr": {"le", "la", "les", "et", "de", "des", "pour", "avec", "nous", "vous", "un", "une", "est", "du", "sur", "dans", "notre", "votre", "au"},
	"pt": {"o", "os", "as", "e", "de", "para", "com", "que", "uma", "um", "nosso", "nossa", "você", "em", "do", "da", "no", "na"},
	"nl": {"de", "het", "en", "een", "van", "je", "wij", "we", "met", "voor", "op", "jij", "ons", "is", "zijn", "naar"},
	"it": {"il", "la", "e", "di", "per", "con", "che", "una", "un", "nostro", "nostra", "sei", "del", "della", "in"},
}

// languageNames are how postings and resumes name languages, in the
// languages we detect.
var languageNames = map[string][]string{
	"en": {"english", "englisch", "engelska", "inglés", "ingles", "anglais", "engels", "inglese", "englischkenntnisse"},
	"de": {"german", "deutsch", "tyska", "alemán", "aleman", "allemand", "duits", "tedesco", "deutschkenntnisse", "deutschsprachig"},
	"sv": {"swedish", "svenska", "schwedisch", "sueco", "suédois", "zweeds"},
	"es": {"spanish", "español", "espanol", "castellano", "spanska", "spanisch", "espagnol", "spaans"},
	"fr": {"french", "français", "francais", "franska", "französisch", "francés"},
	"pt": {"portuguese", "português", "portugues", "portugisiska", "portugiesisch", "portugués"},
	"nl": {"dutch", "nederlands", "holländisch", "niederländisch"},
	"it": {"italian", "italiano", "italienisch", "italienska"},
	"ja": {"japanese", "日本語", "japanisch", "japanska", "japonés"},
	"ko": {"korean", "한국어", "koreanisch", "koreanska", "coreano"},
	"zh": {"chinese", "mandarin", "中文", "chinesisch"},
	"ru": {"russian", "русский", "russisch"},
	"da": {"danish", "dansk", "dänisch"},
	"no": {"norwegian", "norsk", "norwegisch"},
	"fi": {"finnish", "suomi", "finnisch"},
	"pl": {"polish", "polski", "polnisch"},
}

// languageDisplay names a language in sentences.
var languageDisplay = map[string]string{
	"en": "English", "de": "German", "sv": "Swedish", "es": "Spanish", "fr": "French", "pt": "Portuguese",
	"nl": "Dutch", "it": "Italian", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "ru": "Russian",
	"da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish",
}

// stopIndex maps a stop word to a bit set of the languages it belongs to;
// langOrder gives the bits' languages.
var langOrder = []string{"en", "de", "sv", "es", "fr", "pt", "nl", "it"}

var stopIndex = func() map[string]uint16 {
	m := map[string]uint16{}
	for i, l := range langOrder {
		for _, w := range stopWords[l] {
			m[w] |= 1 << i
		}
	}
	return m
}()

var languageByName = func() map[string]string {
	m := map[string]string{}
	for code, names := range languageNames {
		for _, n := range names {
			m[n] = code
		}
	}
	return m
}()

// langCounter accumulates the evidence for a text's language.
type langCounter struct {
	stop   [8]int
	script map[string]int // "ja", "ko", "zh", "ru" letters seen in non-ASCII words
	seen   int
}

// maxLangTokens bounds the words looked at: a posting's language shows in
// its first few hundred words.
const maxLangTokens = 400

// count adds one word, with the languages it is a stop word of.
func (c *langCounter) count(t token, stop uint16) {
	if c.seen >= maxLangTokens {
		return
	}
	c.seen++
	if stop != 0 {
		for i := range langOrder {
			if stop&(1<<i) != 0 {
				c.stop[i]++
			}
		}
	}
	if t.s[0] < 0x80 && isASCII(t.s) {
		return
	}
	for _, r := range t.s {
		var l string
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			l = "ja"
		case unicode.Is(unicode.Hangul, r):
			l = "ko"
		case unicode.Is(unicode.Han, r):
			l = "zh"
		case unicode.Is(unicode.Cyrillic, r):
			l = "ru"
		default:
			continue
		}
		if c.script == nil {
			c.script = map[string]int{}
		}
		c.script[l]++
	}
}

// language returns the detected language code, or "" when the text is too
// short or too mixed to tell.
func (c *langCounter) language() string {
	if c.script["ko"] >= 4 {
		return "ko"
	}
	if c.script["ja"] >= 4 {
		return "ja"
	}
	if c.script["zh"] >= 8 {
		return "zh"
	}
	if c.script["ru"] >= 8 {
		return "ru"
	}
	best, second := -1, 0
	for i, n := range c.stop {
		if best < 0 || n > c.stop[best] {
			if best >= 0 {
				second = max(second, c.stop[best])
			}
			best = i
		} else {
			second = max(second, n)
		}
	}
	if best < 0 || c.stop[best] < 4 || c.stop[best] < second*3/2+1 {
		return ""
	}
	return langOrder[best]
}

// candidateLanguages returns the languages a resume lists at a working
// level; a resume that lists none is taken to be in English.
func candidateLanguages(langs []jobpilot.Language) map[string]bool {
	out := map[string]bool{}
	for _, l := range langs {
		f := strings.ToLower(l.Fluency)
		if strings.Contains(f, "basic") || strings.Contains(f, "elementary") || strings.Contains(f, "beginner") ||
			strings.Contains(f, "a1") || strings.Contains(f, "a2") {
			continue
		}
		for _, w := range words(l.Language) {
			if code, ok := languageByName[w]; ok {
				out[code] = true
			}
		}
	}
	if len(out) == 0 {
		out["en"] = true
	}
	return out
}

// Requirement cues make a language named in a clause a requirement;
// optional cues make it a bonus.
var (
	requireCues = map[string]bool{
		"fluent": true, "fluency": true, "native": true, "required": true, "require": true, "must": true, "c1": true,
		"c2": true, "speaking": true, "speaker": true, "proficient": true, "proficiency": true, "business": true,
		"excellent": true, "fließend": true, "fliessend": true, "verhandlungssicher": true, "flytande": true,
		"nativo": true, "nativa": true, "courant": true, "kenntnisse": true, "sehr": true, "mycket": true,
		"goda": true, "avanzado": true, "strong": true, "good": true,
	}
	optionalCues = map[string]bool{
		"plus": true, "bonus": true, "nice": true, "preferred": true, "ideally": true, "advantage": true,
		"meriterande": true, "vorteil": true, "wünschenswert": true, "deseable": true, "valorable": true, "atout": true,
	}
)

// requiredLanguages returns the languages a text asks for: named in a
// clause with a requirement cue (or in a requirements paragraph) and no
// optional cue. German compounds ("Deutschkenntnisse") ask by themselves.
func requiredLanguages(text string, requirements bool, out map[string]bool) {
	for clause := range strings.FieldsFuncSeq(text, func(r rune) bool { return r == ';' || r == '.' || r == ',' || r == '\n' || r == '!' }) {
		ts := appendTokens(nil, clause)
		var named []string
		cue, optional := requirements, false
		for _, t := range ts {
			if code, ok := languageByName[t.s]; ok {
				named = append(named, code)
				if strings.HasSuffix(t.s, "kenntnisse") || strings.HasSuffix(t.s, "sprachig") {
					cue = true
				}
			}
			if requireCues[t.s] {
				cue = true
			}
			if optionalCues[t.s] {
				optional = true
			}
		}
		if cue && !optional {
			for _, code := range named {
				out[code] = true
			}
		}
	}
}

// penaltyLanguage is what a posting in, or asking for, a language the
// candidate does not list costs.
const penaltyLanguage = 35

// scoreLanguage checks the posting's language and the languages it asks
// for against the candidate's. A posting in one of their languages is never
// penalised for it.
func (s *Scorer) scoreLanguage(sc *scoreCard, a *analysis) {
	langs := s.cand.langs
	if l := a.lang.language(); l != "" && !langs[l] {
		sc.add(ruleLanguage, -penaltyLanguage, "written in "+languageDisplay[l]+", which is not among your languages")
		return
	}
	var missing []string
	for _, code := range sortedKeys(a.required) {
		if !langs[code] {
			missing = append(missing, languageDisplay[code])
		}
	}
	if len(missing) > 0 {
		sc.add(ruleLanguage, -penaltyLanguage, "asks for "+joinList(missing)+", not among your languages")
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
