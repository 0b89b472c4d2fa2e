package guard

import (
	"strconv"
	"strings"
)

// Spelled-out numbers. "one" alone (and "a") carries no quantity worth a
// citation; in a span ("one hundred", "a million") it counts.
var (
	units = map[string]int64{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
		"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
		"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
		"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
		"eighty": 80, "ninety": 90, "dozen": 12, "decade": 10, "score": 20}
	scales = map[string]int64{"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000,
		"trillion": 1_000_000_000_000, "k": 1000, "bn": 1_000_000_000}
	// vague plurals: "hundreds of services" claims at least that magnitude.
	vague = map[string]int64{"dozens": 24, "hundreds": 100, "thousands": 1000, "millions": 1_000_000,
		"billions": 1_000_000_000, "decades": 20, "tens": 20}
	// multipliers and ordinals beyond "first" and "second", which are everyday words.
	multipliers = map[string]int64{"twice": 2, "doubled": 2, "doubling": 2, "thrice": 3,
		"triple": 3, "tripled": 3, "tripling": 3, "quadruple": 4, "quadrupled": 4, "halved": 2, "halving": 2,
		"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "tenfold": 10, "hundredfold": 100,
		"third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
		"twelfth": 12, "twentieth": 20, "hundredth": 100, "thousandth": 1000}
	months = map[string]int64{"january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
		"july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
		"oct": 10, "nov": 11, "dec": 12}
)

// numberWord reports whether w (lower case) is part of a spelled-out number.
func numberWord(w string) bool {
	if _, ok := units[w]; ok {
		return true
	}
	if _, ok := scales[w]; ok && w != "k" && w != "bn" {
		return true
	}
	_, ok := vague[w]
	_, ok2 := multipliers[w]
	return ok || ok2
}

// digitValue parses a number written with digits: "4", "2,000", "1.5",
// "60%", "$3M", "5k", "7+", "10x". ok is false when w is not one.
func digitValue(w string) (string, bool) {
	s := strings.TrimLeft(w, "$€£~≈+-")
	s = strings.TrimRight(s, "%+x×")
	if s == "" || s[0] < '0' || s[0] > '9' {
		return "", false
	}
	mult := int64(1)
	lower := strings.ToLower(s)
	for _, suf := range []struct {
		s string
		m int64
	}{{"bn", 1_000_000_000}, {"k", 1000}, {"m", 1_000_000}, {"b", 1_000_000_000}} {
		if strings.HasSuffix(lower, suf.s) {
			lower = strings.TrimSuffix(lower, suf.s)
			mult = suf.m
			break
		}
	}
	lower = strings.ReplaceAll(lower, ",", "")
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil {
		return "", false
	}
	return formatNumber(f * float64(mult)), true
}

func formatNumber(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// digitRuns returns the runs of digits in s without leading zeros ("03" is
// "3"): the lenient reading of dates and identifiers in the profile.
func digitRuns(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			d := strings.TrimLeft(s[start:end], "0")
			if d == "" {
				d = "0"
			}
			out = append(out, d)
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// quantity is one number a text states: an exact value, or a magnitude
// ("hundreds") that any value at least as large supports.
type quantity struct {
	value   string
	atLeast int64 // > 0 for a vague plural: a value in [atLeast, below) supports it
	below   int64
	text    string
	first   int // index of its first token
}

// numberSpans finds the numbers of a token sequence, digits and words
// together ("4 million", "three hundred and twenty", "a dozen"), and marks
// the tokens they use. Months are numbers too ("March" is 3); "May" is left
// alone, being a verb as often as a month.
func numberSpans(toks []token) ([]quantity, []bool) {
	used := make([]bool, len(toks))
	var out []quantity
	for i := 0; i < len(toks); i++ {
		w := toks[i].lower
		if w == "may" && toks[i].capital && i+1 < len(toks) && len(toks[i+1].lower) == 4 && hasDigit(toks[i+1].lower) {
			// "May 2021": the month, not the verb.
			out = append(out, quantity{value: "5", text: toks[i].text, first: i})
			used[i] = true
			continue
		}
		if m, ok := months[w]; ok && (toks[i].capital || len(w) > 3) {
			out = append(out, quantity{value: strconv.FormatInt(m, 10), text: toks[i].text, first: i})
			used[i] = true
			continue
		}
		if v, ok := vague[w]; ok {
			below := v * 10
			if v < 100 {
				below = 100
			}
			out = append(out, quantity{atLeast: v, below: below, text: toks[i].text, first: i})
			used[i] = true
			continue
		}
		if v, ok := multipliers[w]; ok {
			out = append(out, quantity{value: strconv.FormatInt(v, 10), text: toks[i].text, first: i})
			used[i] = true
			continue
		}
		j, total, ok := readNumber(toks, i)
		if !ok {
			continue
		}
		text := joinText(toks[i:j])
		for k := i; k < j; k++ {
			used[k] = true
		}
		if !(j == i+1 && (w == "one" || w == "a" || w == "an")) {
			out = append(out, quantity{value: total, text: text, first: i})
		}
		i = j - 1
	}
	return out, used
}

// readNumber reads the number starting at toks[i]; j is the index after it.
func readNumber(toks []token, i int) (j int, value string, ok bool) {
	var total, current float64
	seen := false
	decimal := ""
	for j = i; j < len(toks); j++ {
		w := toks[j].lower
		if d, isDigit := digitValue(w); isDigit && !seen {
			f, _ := strconv.ParseFloat(d, 64)
			current, seen = f, true
			if strings.Contains(d, ".") {
				decimal = d
			}
			continue
		}
		if u, isUnit := units[w]; isUnit && (!seen || canAdd(int64(current), total, u)) {
			current += float64(u)
			seen = true
			continue
		}
		if (w == "a" || w == "an") && !seen && j+1 < len(toks) {
			if _, sc := scales[toks[j+1].lower]; sc {
				current, seen = 1, true
				continue
			}
			if toks[j+1].lower == "dozen" || toks[j+1].lower == "decade" {
				continue
			}
		}
		if sc, isScale := scales[w]; isScale && seen && (w != "k" && w != "bn" || j == i+1) {
			if current == 0 {
				current = 1
			}
			current *= float64(sc)
			if sc >= 1000 {
				total += current
				current = 0
			}
			decimal = ""
			continue
		}
		if w == "and" && seen && j+1 < len(toks) && units[toks[j+1].lower] > 0 {
			continue
		}
		break
	}
	if !seen {
		return i, "", false
	}
	if decimal != "" && total == 0 {
		return j, decimal, true
	}
	return j, formatNumber(total + current), true
}

// canAdd reports whether a spelled unit continues the number read so far:
// "two thousand five", "one hundred twenty", "twenty five".
func canAdd(current int64, total float64, u int64) bool {
	switch {
	case current == 0 && total > 0:
		return true
	case current > 0 && current%100 == 0 && u < 100:
		return true
	case current%10 == 0 && current%100 >= 20 && u < 10:
		return true
	}
	return false
}

func joinText(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}
