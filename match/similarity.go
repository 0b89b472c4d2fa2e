package match

import (
	"math"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// Semantic similarity, when an embeddings endpoint is configured, adjusts
// the deterministic score by at most similarityPoints: a cosine of
// similarityCenter adds nothing, similaritySpread above or below it adds or
// takes the full amount. It is deliberately smaller than any strong rule:
// the rules decide, similarity ranks within what they allow.
const (
	similarityPoints = 8
	similarityCenter = 0.5
	similaritySpread = 0.25
	// maxEmbedText bounds the text sent for a posting: the start of a
	// description says what the job is.
	maxEmbedText = 4000
)

// Blend adds the similarity part to a match: cosine is the cosine
// similarity of the profile's and the posting's embeddings. An excluded
// match is returned as it is.
func Blend(m jobpilot.Match, cosine float64) jobpilot.Match {
	if m.Excluded || math.IsNaN(cosine) {
		return m
	}
	pts := similarityPoints * min(max((cosine-similarityCenter)/similaritySpread, -1), 1)
	m.Score = clamp(int(math.Round(float64(m.Score) + pts)))
	text := tag("similarity", "reads "+closeness(cosine)+" your profile (cosine "+formatCosine(cosine)+")")
	switch {
	case pts >= 1 && len(m.For) < maxReasons:
		m.For = append(m.For, text)
	case pts <= -1 && len(m.Against) < maxReasons:
		m.Against = append(m.Against, text)
	}
	return m
}

func closeness(c float64) string {
	if c >= similarityCenter {
		return "close to"
	}
	return "far from"
}

func formatCosine(c float64) string {
	n := int(math.Round(c * 100))
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + itoa(n/100) + "." + string(rune('0'+n%100/10)) + string(rune('0'+n%10))
}

// Cosine returns the cosine similarity of two vectors, or NaN when they
// differ in length or one is zero.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return math.NaN()
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	return dot / math.Sqrt(na*nb)
}

// ProfileText is the text embedded for a profile: what the candidate
// seeks and what they did, not their contact details.
func ProfileText(p *jobpilot.Profile) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				b.WriteString(s)
				b.WriteString(". ")
			}
		}
	}
	line(p.Preferences.TargetTitles...)
	line(p.Resume.Basics.Label, p.Resume.Basics.Summary)
	line(strings.Join(p.Resume.SkillNames(), ", "), strings.Join(p.Preferences.Keywords, ", "))
	for i, w := range p.Resume.Work {
		if i == 3 {
			break
		}
		line(w.Position, w.Summary)
		line(w.Highlights...)
	}
	return truncate(b.String(), maxEmbedText)
}

// PostingText is the text embedded for a posting: its title and the start
// of its description.
func PostingText(post *jobpilot.Posting) string {
	return truncate(strings.TrimSpace(post.Title)+". "+post.Description, maxEmbedText)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		n--
	}
	return s[:n]
}
