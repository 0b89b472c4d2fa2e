package source

import (
	"regexp"
	"strings"
	"unicode"
)

// Words that tell the fields of a Hacker News header apart by their content.

// roleWords name a job (or qualify one): a field holding one is a role,
// never a company or a location.
var roleWords = wordSet(`engineer engineers engineering developer developers dev devs devops sre sres swe swes sde mle
designer designers design manager managers management scientist scientists analyst analysts architect architects
lead leads head director directors cto ceo coo cfo cpo ciso vp svp founding founder cofounder co-founder staff
principal senior sr jr junior intern interns researcher researchers research recruiter recruiters product marketing
marketer sales account executive executives support specialist specialists consultant consultants administrator
admin technician technicians writer writers editor programmer programmers officer associate coordinator operations
ops qa tester testers owner representative advocate advocates evangelist strategist counsel accountant frontend
front-end backend back-end fullstack full-stack mobile ios android ml ai infrastructure infra platform security
embedded firmware hardware mechanical electrical physicist mathematician quant trader economist nurse physician
doctor teacher tutor instructor generalist hacker chief president growth bizdev success hr talent people
producer animator artist copywriter illustrator paralegal attorney lawyer investigator biologist chemist
statistician modeler roles positions openings développeur développeuse développeurs ingénieur ingénieure
entwickler entwicklerin ingenieur ingenieurin desarrollador desarrolladora ingeniero ingeniera sviluppatore
programador programadora engenheiro engenheira`)

// cjkRoleWords are role words in scripts without spaces, matched as
// substrings.
var cjkRoleWords = []string{"エンジニア", "開発", "デザイナー", "マネージャー", "工程师", "开发", "设计师", "经理", "研究員", "개발자", "엔지니어"}

// placeWords are places commonly named in headers, lower case; a field
// holding one (and no role word) is a location. placePairs are two-word
// names; placeCodes are abbreviations that count only in capitals ("US",
// not "us"; "OR", not "or").
var (
	placeWords = wordSet(`usa u.s. europe asia africa oceania americas canada mexico brazil argentina chile colombia
peru germany france spain portugal italy netherlands belgium switzerland austria ireland scotland england wales
sweden norway denmark finland iceland poland czechia czech estonia latvia lithuania ukraine romania hungary greece
turkey israel dubai india pakistan singapore japan china taiwan korea vietnam thailand indonesia philippines
malaysia australia nigeria kenya egypt morocco london berlin paris amsterdam munich hamburg zurich zürich geneva
vienna prague warsaw krakow lisbon porto madrid barcelona milan rome dublin edinburgh manchester cambridge oxford
stockholm oslo copenhagen helsinki tallinn riga vilnius kyiv bucharest budapest athens istanbul bangalore
bengaluru mumbai delhi hyderabad pune chennai tokyo osaka seoul beijing shanghai shenzhen taipei sydney melbourne
brisbane auckland toronto vancouver montreal ottawa calgary waterloo boston seattle portland austin dallas houston
denver chicago atlanta miami nashville raleigh durham pittsburgh philadelphia baltimore detroit minneapolis
phoenix brooklyn manhattan boulder oakland sunnyvale cupertino berkeley irvine emea apac latam amer nyc
東京 大阪 京都 北京 上海 深圳 台北 서울`)
	placePairs = wordSet(`san_francisco new_york los_angeles bay_area tel_aviv hong_kong palo_alto mountain_view
menlo_park silicon_valley santa_monica salt_lake san_jose san_diego new_jersey redwood_city st_louis kansas_city
new_zealand united_states united_kingdom south_africa costa_rica`)
	placeCodes = wordSet(`US USA U.S. UK EU NYC SF LA DC CA NY WA TX MA CO IL FL GA NC OR VA MD PA NJ UT AZ MN OH MI
ON BC QC EMEA APAC LATAM AMER`)
)

// junkWords mark header fields that are neither role, company nor place:
// funding, visas, benefits.
var junkRe = regexp.MustCompile(`(?i)\b(?:visa|visas|sponsorship|sponsor|equity|series\s+[a-e]|seed|pre-seed|yc\s*[swf]?\d*|funded|benefits|relocation|h-?1b|green\s*card|401k|bonus|stock|options|no\s+agencies|no\s+recruiters|\d+\+?\s*(?:years|yrs|yoe))\b`)

// genericRoleRe are titles that say "several roles" without naming them.
var genericRoleRe = regexp.MustCompile(`(?i)^(?:multiple|various|several|many|many open|numerous|all|open|a few|lots of|\d+)?\s*(?:engineering|tech|technical|software|open|different)?\s*(?:roles?|positions?|openings?|jobs?|engineers?|developers?|hiring)(?:\s+(?:available|open|below|listed))?$`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// headerWords splits a field into lower-case words, hyphenated words kept
// whole as well as split ("full-stack", "full", "stack").
func headerWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.' || r == '+' || r == '#')
	}) {
		w = strings.Trim(w, "-.")
		if w == "" {
			continue
		}
		out = append(out, w)
		if strings.Contains(w, "-") {
			out = append(out, strings.Split(w, "-")...)
		}
	}
	return out
}

// genericRoleWords say "jobs" without naming one: a header field "Multiple
// roles" is a role field, a body line "We have open positions" is not a
// role.
var genericRoleWords = wordSet(`roles positions openings`)

// hasRoleWord reports whether a field names a job, or says "roles".
func hasRoleWord(s string) bool { return roleWord(s, true) }

// namesRole reports whether a text names a job ("roles" does not).
func namesRole(s string) bool { return roleWord(s, false) }

func roleWord(s string, generic bool) bool {
	for _, w := range headerWords(s) {
		if roleWords[w] && (generic || !genericRoleWords[w]) {
			return true
		}
	}
	for _, w := range cjkRoleWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// placeLike reports whether a field looks like a place: a known place
// word, or "City, ST"-style comma-separated capitalised names, or a short
// name in a script without capitals.
func placeLike(s string) bool {
	ws := headerWords(s)
	for i, w := range ws {
		if placeWords[w] || i+1 < len(ws) && placePairs[w+"_"+ws[i+1]] {
			return true
		}
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || r == '.') }) {
		if placeCodes[strings.TrimSuffix(w, ".")] || placeCodes[w] {
			return true
		}
	}
	if parts := strings.Split(s, ","); len(parts) >= 2 && len(parts) <= 4 {
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" || !unicode.IsUpper([]rune(p)[0]) || len(strings.Fields(p)) > 3 {
				return false
			}
		}
		return true
	}
	return false
}
