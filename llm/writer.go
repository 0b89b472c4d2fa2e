package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/guard"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrMalformed is wrapped (as a permanent error) when the model's reply is
// still not valid JSON for the schema after the one repair request.
var ErrMalformed = errors.New("the model's reply was not valid JSON for the schema after one repair request")

// direct runs fn once, for callers without a policy.
type direct struct{}

func (direct) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// Writer is the LLM writer (jobpilot.Writer). The resume call runs under the
// resume executor (the guide: 3 retries 2 s → 30 s, 120 s per attempt) and
// the letter under the cover-letter executor (2 retries 1 s → 30 s, 60 s);
// both share the "openai" breaker, so an outage seen by one stops the other.
//
// The model never supplies a fact. TailorResume asks for indexes into the
// profile: employers, titles, dates, degrees and certificates are copied
// from the entries it names. The summary and the letter come as sentences
// that cite the numbered facts they use, and the guard checks each sentence
// against its citations only; rephrased highlights are checked against the
// highlight they rephrase. A reply over guard.MaxReplyBytes is refused
// unread; one that is not valid JSON gets exactly one repair request, and a
// second bad reply is a permanent ErrMalformed. A draft the guard finds
// unusable is a permanent error wrapping a *guard.Rejection: the pipeline
// then writes the documents with the template writer instead. No
// placeholder document is ever produced.
type Writer struct {
	client         *Client
	resume, letter jobpilot.Executor
	removals       *prometheus.CounterVec
}

// NewLLMWriter returns a writer using client, with the resume and cover
// letter executors (nil: one attempt, no policy). Removals are counted in
// jobpilot_guard_removals_total{kind} on reg (nil: not counted); registering
// twice on one registry reuses the first counter.
func NewLLMWriter(client *Client, resume, letter jobpilot.Executor, reg prometheus.Registerer) *Writer {
	if resume == nil {
		resume = direct{}
	}
	if letter == nil {
		letter = direct{}
	}
	return &Writer{client: client, resume: resume, letter: letter, removals: removalCounter(reg)}
}

// Name returns "llm:<model>".
func (w *Writer) Name() string { return "llm:" + w.client.Model() }

// call runs one completion under ex and returns its content. The result is
// handed over under a lock: an attempt abandoned by a timeout may still be
// finishing when Do returns. A reply over guard.MaxReplyBytes is a
// permanent ErrReplyTooLarge, never parsed.
func (w *Writer) call(ctx context.Context, ex jobpilot.Executor, req Request) (string, error) {
	var (
		mu      sync.Mutex
		content string
	)
	err := ex.Do(ctx, func(ctx context.Context) error {
		resp, err := w.client.Complete(ctx, req)
		if err != nil {
			return err
		}
		mu.Lock()
		content = resp.Content
		mu.Unlock()
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if err == nil && len(content) > guard.MaxReplyBytes {
		return "", jobpilot.Permanent(fmt.Errorf("%w: %w: %d bytes (limit %d)", jobpilot.ErrUnusableDraft, ErrReplyTooLarge, len(content), guard.MaxReplyBytes))
	}
	return content, err
}

// ask sends msgs and decodes the JSON reply into v with validate, making
// exactly one repair request when the first reply does not decode or
// validate. It returns the messages of the exchange, for a revision.
func (w *Writer) ask(ctx context.Context, ex jobpilot.Executor, req Request, v any, validate func() error) ([]Message, error) {
	content, err := w.call(ctx, ex, req)
	if err != nil {
		return nil, err
	}
	perr := decodeJSON(content, v, validate)
	if perr == nil {
		return append(req.Messages[:len(req.Messages):len(req.Messages)], Message{Role: "assistant", Content: content}), nil
	}
	repair := req
	repair.Purpose += "_repair"
	repair.Messages = append(append([]Message(nil), req.Messages...),
		Message{Role: "assistant", Content: truncateReply(content)},
		Message{Role: "user", Content: repairMessage(perr)})
	content, err = w.call(ctx, ex, repair)
	if err != nil {
		return nil, err
	}
	if perr = decodeJSON(content, v, validate); perr != nil {
		return nil, jobpilot.Permanent(fmt.Errorf("%w: %w: %v", jobpilot.ErrUnusableDraft, ErrMalformed, perr))
	}
	return append(req.Messages[:len(req.Messages):len(req.Messages)], Message{Role: "assistant", Content: content}), nil
}

// truncateReply keeps a bad reply short when it is shown back to the model.
func truncateReply(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

// decodeJSON decodes one JSON object into v, tolerating the code fences some
// local models add despite JSON mode, then runs validate.
func decodeJSON(content string, v any, validate func() error) error {
	s := strings.TrimSpace(content)
	s = strings.TrimPrefix(s, "```json")
	s = strings.TrimPrefix(s, "```")
	s = strings.TrimSuffix(s, "```")
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("unexpected text after the JSON object")
	}
	return validate()
}

// citations decodes a sentence's "facts" leniently: numbers (integral ones),
// digit strings; anything else cites nothing. Range and repeats are the
// guard's business.
type citations []int

func (c *citations) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var one json.RawMessage
		if json.Unmarshal(b, &one) != nil {
			return nil
		}
		raw = []json.RawMessage{one}
	}
	for _, r := range raw {
		var f float64
		if json.Unmarshal(r, &f) == nil && f == float64(int(f)) {
			*c = append(*c, int(f))
			continue
		}
		var s string
		if json.Unmarshal(r, &s) == nil {
			var n int
			if _, err := fmt.Sscan(strings.Trim(s, "[] "), &n); err == nil {
				*c = append(*c, n)
			}
		}
	}
	return nil
}

// sentence is a sentence of a reply.
type sentence struct {
	Text  string    `json:"text"`
	Facts citations `json:"facts"`
	Need  string    `json:"need"`
}

func toGuard(ss []sentence) []guard.Sentence {
	out := make([]guard.Sentence, len(ss))
	for i, s := range ss {
		out[i] = guard.Sentence{Text: s.Text, Facts: s.Facts, Need: s.Need}
	}
	return out
}

// count adds removals to the metric.
func (w *Writer) count(rs []jobpilot.Removal) {
	if w.removals == nil {
		return
	}
	for _, r := range rs {
		w.removals.WithLabelValues(r.Kind).Inc()
	}
}

// reject returns the permanent error of an unusable draft, counting what
// it removed.
func (w *Writer) reject(what string, rej *guard.Rejection) error {
	w.count(rej.Removals)
	return jobpilot.Permanent(fmt.Errorf("%s: %w", what, rej))
}

// removalCounter registers jobpilot_guard_removals_total{kind} on reg.
func removalCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	if reg == nil {
		return nil
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jobpilot_guard_removals_total",
		Help: "Claims the fabrication guard removed from generated documents, by kind.",
	}, []string{"kind"})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		return nil
	}
	return c
}
