package jobpilot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// QueueFilter selects the review queue (Store.Queue): applications with a
// summary of their posting, best score first and, among equal scores, by
// ascending ID. Zero fields select everything.
type QueueFilter struct {
	ProfileID int64
	Statuses  []Status
	// MinScore keeps applications scoring at least this much.
	MinScore int
	// Company keeps postings of this company (case-insensitive, whole name).
	Company string
	// Source keeps postings of this source (its configured name, exact).
	Source string
	// Search keeps postings whose title, company or description contain
	// every word of it, each as the start of a word ("eng" finds
	// "Engineer"). Only letters and digits count: see SearchWords.
	Search string
	// After is keyset pagination: the applications that come after this
	// position in the queue's order (QueuePage.Next).
	After *QueueCursor
	Limit int // 0 means the store's default (100)
}

// QueueCursor is a position in the queue's order: a score and an ID.
type QueueCursor struct {
	Score int
	ID    int64
}

// String is the cursor as a URL takes it: "score.id".
func (c QueueCursor) String() string { return fmt.Sprintf("%d.%d", c.Score, c.ID) }

// ParseQueueCursor reads a cursor written by String (EINVALID otherwise).
func ParseQueueCursor(s string) (QueueCursor, error) {
	score, id, ok := strings.Cut(s, ".")
	sc, err1 := strconv.Atoi(score)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return QueueCursor{}, FieldError("after", "is not a queue position")
	}
	return QueueCursor{Score: sc, ID: n}, nil
}

// QueueItem is one card of the review queue.
type QueueItem struct {
	*Application
	Posting PostingSummary `json:"posting"`
	// HasDocuments: the resume and cover letter are written.
	HasDocuments bool `json:"has_documents"`
}

// PostingSummary is what a queue card shows of a posting; the description
// is left out (the detail page has it).
type PostingSummary struct {
	ID           int64      `json:"id"`
	Source       string     `json:"source"`
	Company      string     `json:"company"`
	Title        string     `json:"title"`
	Location     string     `json:"location,omitempty"`
	Remote       bool       `json:"remote"`
	WorkMode     string     `json:"work_mode,omitempty"`
	URL          string     `json:"url,omitempty"`
	ApplyURL     string     `json:"apply_url,omitempty"`
	ContactEmail string     `json:"contact_email,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

// QueuePage is one page of the review queue; Next is nil on the last page.
type QueuePage struct {
	Items []QueueItem  `json:"items"`
	Next  *QueueCursor `json:"-"`
}

// MaxSearchWords bounds the words of QueueFilter.Search that are used.
const MaxSearchWords = 8

// SearchWords splits a search into the words both databases index: runs of
// letters and digits, lower-cased, at most MaxSearchWords, duplicates
// dropped. Everything else separates words, so no input can carry query
// syntax.
func SearchWords(s string) []string {
	var words []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if words = append(words, w); len(words) == MaxSearchWords {
			break
		}
	}
	return words
}
