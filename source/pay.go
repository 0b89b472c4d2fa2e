package source

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Pay as boards and comments write it: "$150k–$200k", "€90K - €120K + equity",
// "USD 150,000 – 190,000 per year", "80 000 € – 100 000 €", "$60-80/hr",
// "£70,000". A figure counts as pay only next to a currency (a symbol or an
// ISO code), so "5-10 years" or "20 engineers" never read as pay.

const (
	currencySymbols = `US\$|CA\$|C\$|A\$|AU\$|NZ\$|S\$|HK\$|R\$|\$|€|£|¥|₹|₩|₪|CHF|zł`
	currencyCodes   = `USD|EUR|GBP|CAD|AUD|NZD|CHF|JPY|CNY|INR|SEK|NOK|DKK|PLN|CZK|SGD|HKD|BRL|MXN|ILS|KRW|ZAR|AED`
	// amount: 150, 150.5, 150,000, 150.000, 150 000 (any space), with an
	// optional k or M.
	amountPat = `\d{1,3}(?:[,.\s\x{00a0}\x{202f}]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
	curPat    = `(?:` + currencySymbols + `|\b(?:` + currencyCodes + `)\b)`
	moneyPat  = `(` + curPat + `)?\s*(` + amountPat + `)\s*([kK]|[mM]\b)?\s*(` + curPat + `)?`
)

var (
	payRangeRe = regexp.MustCompile(`(?i)` + moneyPat + `(?:\s*(?:-|–|—|to|bis|à)\s*` + moneyPat + `)?`)
	upToRe     = regexp.MustCompile(`(?i)\b(?:up\s+to|max(?:imum)?|bis\s+zu|jusqu'à)\s*$`)
	periodRe   = regexp.MustCompile(`(?i)(?:/|\bper\s+|\ba\s+|\b)(hr|hour|hourly|h|day|daily|wk|week|weekly|mo|month|monthly|yr|year|annum|annual|annually|pa|p\.a\.)\b`)
	symbolISO  = map[string]string{
		"$": "USD", "us$": "USD", "ca$": "CAD", "c$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "s$": "SGD",
		"hk$": "HKD", "r$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₪": "ILS", "chf": "CHF", "zł": "PLN",
	}
	periodWords = map[string]string{
		"hr": jobpilot.PayHour, "hour": jobpilot.PayHour, "hourly": jobpilot.PayHour, "h": jobpilot.PayHour,
		"day": jobpilot.PayDay, "daily": jobpilot.PayDay,
		"wk": jobpilot.PayWeek, "week": jobpilot.PayWeek, "weekly": jobpilot.PayWeek,
		"mo": jobpilot.PayMonth, "month": jobpilot.PayMonth, "monthly": jobpilot.PayMonth,
		"yr": jobpilot.PayYear, "year": jobpilot.PayYear, "annum": jobpilot.PayYear, "annual": jobpilot.PayYear,
		"annually": jobpilot.PayYear, "pa": jobpilot.PayYear, "p.a.": jobpilot.PayYear,
	}
)

// maxPayScan bounds the text parsePay looks at.
const maxPayScan = 2000

// parsePay reads the first amount or range of amounts with a currency in
// text and returns it with text (one line, bounded) as the pay's Text; nil
// when there is none. Amounts without a stated period are yearly from 10,000
// up and left without a period below.
func parsePay(text string) *jobpilot.Pay {
	text = oneLine(text)
	scan := text
	if len(scan) > maxPayScan {
		scan = scan[:maxPayScan]
	}
	for _, m := range payRangeRe.FindAllStringSubmatchIndex(scan, 20) {
		sub := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return scan[m[2*i]:m[2*i+1]]
		}
		cur := firstNonEmpty(sub(1), sub(4), sub(5), sub(8))
		if cur == "" {
			continue
		}
		lo, ok := amount(sub(2), firstNonEmpty(sub(3), sub(7)))
		if !ok {
			continue
		}
		p := &jobpilot.Pay{Min: lo, Currency: currencyISO(cur), Text: boundedText(text, 300)}
		if sub(6) != "" {
			if hi, ok := amount(sub(6), sub(7)); ok {
				p.Max = hi
			}
		}
		if p.Max > 0 && p.Max < p.Min {
			p.Min, p.Max = p.Max, p.Min
		}
		if p.Max == 0 && upToRe.MatchString(scan[max(0, m[0]-12):m[0]]) {
			p.Min, p.Max = 0, p.Min // "up to $200k" is a ceiling
		}
		p.Period = payPeriod(scan[m[1]:min(len(scan), m[1]+24)], max(p.Min, p.Max))
		return p
	}
	return nil
}

// amount reads "150,000", "150.000", "150 000", "45.50" with an optional
// k/M suffix.
func amount(s, suffix string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\t' || r == '\n' {
			return -1
		}
		return r
	}, s)
	// A separator followed by exactly three digits groups thousands.
	if i := strings.LastIndexAny(s, ",."); i >= 0 && len(s)-i-1 == 3 {
		s = strings.NewReplacer(",", "", ".", "").Replace(s)
	} else {
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, false
	}
	switch strings.ToLower(suffix) {
	case "k":
		f *= 1e3
	case "m":
		f *= 1e6
	}
	return f, f < 1e9
}

// validAmount reports whether a board's amount can be stored: finite, not
// negative, below a billion.
func validAmount(f float64) bool { return f >= 0 && f < 1e9 }

// isISOCurrency reports whether s looks like an ISO 4217 code.
func isISOCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func currencyISO(s string) string {
	if iso, ok := symbolISO[strings.ToLower(s)]; ok {
		return iso
	}
	return strings.ToUpper(s)
}

// payPeriod reads a period just after the amounts ("/hr", "per year", "a
// month"); without one, yearly from 10,000 up.
func payPeriod(after string, top float64) string {
	if m := periodRe.FindStringSubmatchIndex(after); m != nil && strings.TrimSpace(after[:m[0]]) == "" {
		return periodWords[strings.ToLower(after[m[2]:m[3]])]
	}
	if top >= 10000 {
		return jobpilot.PayYear
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// boundedText cuts s to at most n bytes at a rune boundary.
func boundedText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
