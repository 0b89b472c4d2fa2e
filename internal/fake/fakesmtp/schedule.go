package fakesmtp

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what the server does with one message.
type Kind string

const (
	// Accept: read the message, record it, reply 250.
	Accept Kind = "accept"
	// Reply: read the whole message, then refuse it with Action.Code.
	Reply Kind = "reply"
	// Drop: read the headers, then close the connection mid-DATA, without
	// any reply. A small message may already be fully sent by the client, a
	// large one is cut off.
	Drop Kind = "drop"
	// Hang: read the headers, then stall: the rest is drained at a trickle,
	// never answered and never recorded, until the client goes away (or the
	// server closes). A small message is then fully sent and the client waits
	// for a reply; a large one is still being written when the client gives
	// up.
	Hang Kind = "hang"
	// Cut: read the whole message, final "." included, then close the
	// connection without a reply: the client has handed everything over
	// and cannot know whether the server took it. Never recorded.
	Cut Kind = "cut"
)

// Action is the fate of one message.
type Action struct {
	Kind Kind
	Code int    // for Reply: a 4xx or 5xx code
	Text string // for Reply: the reply text; a default per code when empty
}

func (a Action) String() string {
	if a.Kind == Reply {
		return strconv.Itoa(a.Code)
	}
	return string(a.Kind)
}

// Window is a span of server time, measured from Start, during which every
// connection is closed as soon as it is accepted (the server is "down").
type Window struct{ From, To time.Duration }

// Schedule decides, per connection and per message, which fault to inject.
// Build one with ParseSchedule; the zero value accepts everything. Message
// rules are tried in order and the first that fires wins; a message no rule
// catches is accepted. Random rules draw from a seeded generator, so a run is
// repeatable for a given seed and message order. A Schedule is safe for
// concurrent use.
type Schedule struct {
	spec   string
	rules  []rule
	down   []Window
	mu     sync.Mutex
	rng    *rand.Rand
	seed   uint64
	seeded bool
}

type ruleKind int

const (
	ruleAlways ruleKind = iota
	rulePercent
	ruleFirstN
)

type rule struct {
	kind    ruleKind
	percent float64 // rulePercent: 0–100
	n       int     // ruleFirstN: attempts 1..n of each Message-ID
	action  Action
}

// ParseSchedule parses a fault spec: clauses separated by ';', case and
// extra spaces ignored. Clauses:
//
//	accept                              accept every message (the default)
//	ACTION always                       e.g. "550 always", "hang always"
//	ACTION in data                      e.g. "hang in data", "drop in data", "cut in data"
//	fail P% with ACTION                 e.g. "fail 30% with 421"
//	first N attempts of each message ACTION   e.g. "first 2 attempts of each message 421"
//	down from t=D to t=D                e.g. "down from t=10s to t=40s" (bare numbers are seconds)
//	seed N                              seed of the random rules (default 1)
//
// ACTION is a reply code from 400 to 599 (optionally followed by its text in
// double quotes), "hang", "drop", "cut" or "accept". An empty spec accepts all.
func ParseSchedule(spec string) (*Schedule, error) {
	s := &Schedule{spec: strings.TrimSpace(spec), seed: 1}
	for i, raw := range strings.Split(spec, ";") {
		clause := strings.Join(strings.Fields(raw), " ")
		if clause == "" {
			continue
		}
		if err := s.parseClause(clause); err != nil {
			return nil, fmt.Errorf("fakesmtp: schedule clause %d %q: %w", i+1, clause, err)
		}
	}
	s.rng = newRand(s.seed)
	return s, nil
}

// parseClause adds one clause (spaces already normalised) to s.
func (s *Schedule) parseClause(clause string) error {
	lower := strings.ToLower(clause)
	var (
		r   rule
		err error
	)
	switch {
	case lower == "accept":
		r = rule{kind: ruleAlways, action: Action{Kind: Accept}}
	case strings.HasPrefix(lower, "seed "):
		n, err := strconv.ParseUint(strings.TrimSpace(lower[len("seed "):]), 10, 64)
		if err != nil {
			return fmt.Errorf("seed must be a non-negative integer")
		}
		s.seed, s.seeded = n, true
		return nil
	case strings.HasPrefix(lower, "down "):
		w, err := parseDown(lower)
		if err != nil {
			return err
		}
		s.down = append(s.down, w)
		return nil
	case strings.HasPrefix(lower, "fail "):
		r, err = parseFail(clause[len("fail "):])
	case strings.HasPrefix(lower, "first "):
		r, err = parseFirst(clause, lower)
	case strings.HasSuffix(lower, " always"):
		r.action, err = parseAction(clause[:len(clause)-len(" always")])
	case strings.HasSuffix(lower, " in data"):
		r.action, err = parseAction(clause[:len(clause)-len(" in data")])
	default:
		return fmt.Errorf("unknown clause")
	}
	if err != nil {
		return err
	}
	s.rules = append(s.rules, r)
	return nil
}

// parseDown reads "down from t=D to t=D" (lower case).
func parseDown(lower string) (Window, error) {
	var from, to string
	if _, err := fmt.Sscanf(lower, "down from t=%s to t=%s", &from, &to); err != nil {
		return Window{}, fmt.Errorf(`want "down from t=D to t=D"`)
	}
	f, err1 := parseOffset(from)
	t, err2 := parseOffset(to)
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("bad time: %v", firstErr(err1, err2))
	}
	if t <= f {
		return Window{}, fmt.Errorf("the window ends (%s) before it starts (%s)", t, f)
	}
	return Window{From: f, To: t}, nil
}

// parseFail reads "P% with ACTION", the rest of a "fail" clause.
func parseFail(rest string) (rule, error) {
	pct, act, ok := strings.Cut(rest, " ")
	if !ok || !strings.HasSuffix(pct, "%") {
		return rule{}, fmt.Errorf(`want "fail P%% with ACTION"`)
	}
	p, err := strconv.ParseFloat(strings.TrimSuffix(pct, "%"), 64)
	if err != nil || p < 0 || p > 100 {
		return rule{}, fmt.Errorf("percentage must be between 0 and 100")
	}
	act, ok = cutPrefixFold(act, "with ")
	if !ok {
		return rule{}, fmt.Errorf(`want "fail P%% with ACTION"`)
	}
	a, err := parseAction(act)
	if err != nil {
		return rule{}, err
	}
	return rule{kind: rulePercent, percent: p, action: a}, nil
}

// parseFirst reads "first N attempts of each message ACTION".
func parseFirst(clause, lower string) (rule, error) {
	var n int
	var unit string
	if _, err := fmt.Sscanf(lower, "first %d %s", &n, &unit); err != nil || (unit != "attempts" && unit != "attempt") {
		return rule{}, fmt.Errorf(`want "first N attempts of each message ACTION"`)
	}
	idx := strings.Index(lower, " of each message ")
	if idx < 0 || n < 1 {
		return rule{}, fmt.Errorf(`want "first N attempts of each message ACTION" with N ≥ 1`)
	}
	a, err := parseAction(clause[idx+len(" of each message "):])
	if err != nil {
		return rule{}, err
	}
	return rule{kind: ruleFirstN, n: n, action: a}, nil
}

// MustParseSchedule is ParseSchedule for specs known to be valid (tests,
// examples); it panics on a bad spec.
func MustParseSchedule(spec string) *Schedule {
	s, err := ParseSchedule(spec)
	if err != nil {
		panic(err)
	}
	return s
}

// WithSeed returns a copy of s whose random rules draw from seed, unless the
// spec itself names one ("seed N").
func (s *Schedule) WithSeed(seed uint64) *Schedule {
	if s.seeded {
		seed = s.seed
	}
	return &Schedule{spec: s.spec, rules: s.rules, down: s.down, seed: seed, seeded: s.seeded, rng: newRand(seed)}
}

func (s *Schedule) String() string {
	if s == nil {
		return ""
	}
	return s.spec
}

// Rules describes the parsed message rules, in order, for logs and tests.
func (s *Schedule) Rules() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.rules))
	for _, r := range s.rules {
		switch r.kind {
		case ruleAlways:
			out = append(out, r.action.String()+" always")
		case rulePercent:
			out = append(out, fmt.Sprintf("%g%% %s", r.percent, r.action))
		case ruleFirstN:
			out = append(out, fmt.Sprintf("first %d %s", r.n, r.action))
		}
	}
	return out
}

// Down returns the schedule's down windows.
func (s *Schedule) Down() []Window {
	if s == nil {
		return nil
	}
	return append([]Window(nil), s.down...)
}

// IsDown reports whether connections at server time t are refused.
func (s *Schedule) IsDown(t time.Duration) bool {
	if s == nil {
		return false
	}
	for _, w := range s.down {
		if t >= w.From && t < w.To {
			return true
		}
	}
	return false
}

// Decide returns the action for the attempt-th delivery attempt (1-based)
// of a message.
func (s *Schedule) Decide(attempt int) Action {
	if s == nil {
		return Action{Kind: Accept}
	}
	for _, r := range s.rules {
		switch r.kind {
		case ruleAlways:
			return r.action
		case ruleFirstN:
			if attempt <= r.n {
				return r.action
			}
		case rulePercent:
			s.mu.Lock()
			x := s.rng.Float64() * 100
			s.mu.Unlock()
			if x < r.percent {
				return r.action
			}
		}
	}
	return Action{Kind: Accept}
}

func parseAction(s string) (Action, error) {
	s = strings.TrimSpace(s)
	word, text, _ := strings.Cut(s, " ")
	switch strings.ToLower(word) {
	case "hang":
		return Action{Kind: Hang}, nil
	case "drop":
		return Action{Kind: Drop}, nil
	case "cut":
		return Action{Kind: Cut}, nil
	case "accept":
		return Action{Kind: Accept}, nil
	}
	code, err := strconv.Atoi(word)
	if err != nil || code < 400 || code > 599 {
		return Action{}, fmt.Errorf("action %q: want a reply code 400–599, hang, drop, cut or accept", word)
	}
	text = strings.TrimSpace(text)
	if text != "" {
		uq, err := strconv.Unquote(text)
		if err != nil {
			return Action{}, fmt.Errorf("reply text %s must be in double quotes", text)
		}
		text = uq
	}
	return Action{Kind: Reply, Code: code, Text: text}, nil
}

// parseOffset reads "10s", "1m30s", "250ms" or a bare number of seconds.
func parseOffset(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
