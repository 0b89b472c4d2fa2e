// Package logrepeat collapses repeated log lines: a slog.Handler that
// writes the first record of each kind (its level and message) and, for a
// window after it, only counts the records of the same kind; when the
// window ends it writes one summary, the message followed by "(N similar
// lines suppressed in the last 1m0s)" with the attributes of the last
// record it held back. A dependency that fails the same way ten times a
// second (River polling a database that is down) then writes two lines a
// window instead of thousands, and the count of what was left out is kept.
package logrepeat

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultWindow is the window of New when none is given.
const DefaultWindow = time.Minute

// maxKinds bounds the kinds remembered; past it, kinds whose window has
// ended are forgotten.
const maxKinds = 1024

// Handler is the collapsing slog.Handler. Handlers derived from it
// (WithAttrs, WithGroup) share its memory of the kinds seen, so a kind
// repeated through several loggers is still one kind.
type Handler struct {
	next slog.Handler
	s    *state
}

type state struct {
	window time.Duration
	mu     sync.Mutex
	kinds  map[kind]*held
}

type kind struct {
	level slog.Level
	msg   string
}

// held is one kind within its window.
type held struct {
	until      time.Time
	suppressed int
	last       slog.Record  // the last record held back
	next       slog.Handler // the handler (attributes, groups) that got it
	timer      *time.Timer  // writes the summary when the window ends
}

// New wraps next. A window of 0 or less is DefaultWindow.
func New(next slog.Handler, window time.Duration) *Handler {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Handler{next: next, s: &state{window: window, kinds: map[kind]*held{}}}
}

func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs), s: h.s}
}

func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), s: h.s}
}

// Handle writes r when it is the first of its kind in a window, and
// otherwise holds it back and counts it.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	s := h.s
	k := kind{r.Level, r.Message}
	now := time.Now()
	s.mu.Lock()
	if e := s.kinds[k]; e != nil && now.Before(e.until) {
		e.suppressed++
		e.last, e.next = r.Clone(), h.next
		if e.timer == nil {
			e.timer = time.AfterFunc(e.until.Sub(now), func() { s.summarise(k, e) })
		}
		s.mu.Unlock()
		return nil
	}
	if len(s.kinds) >= maxKinds {
		s.forgetEnded(now)
	}
	s.kinds[k] = &held{until: now.Add(s.window)}
	s.mu.Unlock()
	return h.next.Handle(ctx, r)
}

// Flush writes the summaries of every window still open now (at shutdown).
func (h *Handler) Flush() {
	s := h.s
	s.mu.Lock()
	var open []struct {
		k kind
		e *held
	}
	for k, e := range s.kinds {
		if e.timer != nil && e.timer.Stop() {
			open = append(open, struct {
				k kind
				e *held
			}{k, e})
		}
	}
	s.mu.Unlock()
	for _, o := range open {
		s.summarise(o.k, o.e)
	}
}

// summarise ends e's window: the next record of its kind is written again,
// after one line that says how many were held back.
func (s *state) summarise(k kind, e *held) {
	s.mu.Lock()
	if s.kinds[k] == e {
		delete(s.kinds, k)
	}
	n, last, next := e.suppressed, e.last, e.next
	e.suppressed = 0
	s.mu.Unlock()
	if n == 0 {
		return
	}
	sum := slog.NewRecord(time.Now(), last.Level, fmt.Sprintf("%s (%d similar lines suppressed in the last %s)", last.Message, n, s.window), 0)
	last.Attrs(func(a slog.Attr) bool { sum.AddAttrs(a); return true })
	_ = next.Handle(context.Background(), sum)
}

// forgetEnded drops the kinds whose window ended without repeats.
func (s *state) forgetEnded(now time.Time) {
	for k, e := range s.kinds {
		if e.timer == nil && !now.Before(e.until) {
			delete(s.kinds, k)
		}
	}
}
