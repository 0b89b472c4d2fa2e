package fakellm

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

type chatRequest struct {
	Model          string    `json:"model"`
	Messages       []Message `json:"messages"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

// ServeHTTP answers POST /v1/chat/completions (and /chat/completions),
// POST /v1/embeddings (deterministic vectors; see Vector) and GET /v1/models,
// each with 401 to a key other than Options.APIKey's. A chat call is recorded, then, in this order: an outage
// window answers 503, the rate limit 429 with Retry-After, the script's or
// the fault injector's reply is delayed (Latency, Reply.Delay, Reply.Hang)
// and answered with its status, or with the canned completion.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if s.refusesKey(r) {
		if r.Method == http.MethodPost && strings.HasSuffix(path, "/chat/completions") {
			rec := &Request{At: s.opts.Clock()}
			s.mu.Lock()
			s.requests = append(s.requests, rec)
			s.mu.Unlock()
			s.finish(rec, http.StatusUnauthorized)
		}
		writeError(w, http.StatusUnauthorized, "invalid_request_error",
			"Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_api_key")
		return
	}
	if path == "/v1/models" || path == "/models" {
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{map[string]any{"id": s.opts.Model, "object": "model"}}})
		return
	}
	if r.Method == http.MethodPost && strings.HasSuffix(path, "/embeddings") {
		s.serveEmbeddings(w, r)
		return
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(path, "/chat/completions") {
		writeError(w, http.StatusNotFound, "not_found", "unknown endpoint "+r.URL.Path, "")
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid JSON body: "+err.Error(), "")
		return
	}
	rec := &Request{Model: req.Model, Messages: req.Messages}
	if req.ResponseFormat != nil {
		rec.Format = req.ResponseFormat.Type
		rec.JSON = rec.Format == "json_object" || rec.Format == "json_schema"
	}
	reply, ok := s.admit(w, rec)
	if !ok || !s.delay(r, rec, reply) {
		return
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		s.finish(rec, reply.Status)
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		writeError(w, reply.Status, errorType(reply.Status), fmt.Sprintf("scripted error %d", reply.Status), "")
		return
	}
	s.writeCompletion(w, req, rec, reply)
}

// admit records the call and decides its fate. It answers an outage (503,
// before the rate limit, the script and the random faults, so the outage
// consumes none of them) and the rate limit (429) itself and returns false;
// otherwise it returns the reply to give.
func (s *Server) admit(w http.ResponseWriter, rec *Request) (Reply, bool) {
	s.mu.Lock()
	now := s.opts.Clock()
	rec.At = now
	s.requests = append(s.requests, rec)
	if s.IsDown(now.Sub(s.epoch)) {
		s.down++
		s.notify()
		s.mu.Unlock()
		s.finish(rec, http.StatusServiceUnavailable)
		writeError(w, http.StatusServiceUnavailable, "server_error", "the server is down (fakellm outage window)", "service_unavailable")
		return Reply{}, false
	}
	reply, limited, wait := s.next(now)
	s.notify()
	s.mu.Unlock()
	if limited {
		s.finish(rec, http.StatusTooManyRequests)
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "rate limit reached", "rate_limit_exceeded")
		return Reply{}, false
	}
	return reply, true
}

// delay waits the configured latency plus the reply's delay, or for ever
// when the reply hangs. It returns false, marking the call canceled, when
// the client went away first.
func (s *Server) delay(r *http.Request, rec *Request, reply Reply) bool {
	d := s.opts.Latency + reply.Delay
	if !reply.Hang && d <= 0 {
		return true
	}
	var timer <-chan time.Time
	if !reply.Hang {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-r.Context().Done():
		s.mu.Lock()
		rec.Canceled = true
		s.notify()
		s.mu.Unlock()
		return false
	}
}

// writeCompletion answers 200 with the reply's content, or the canned one:
// a tailoring or a letter (obeying an injection in the prompt when told to),
// the liar's reply in ModeLiar, or a JSON reply cut short when Malformed.
func (s *Server) writeCompletion(w http.ResponseWriter, req chatRequest, rec *Request, reply Reply) {
	prompt := rec.Prompt()
	content := reply.Content
	obey := reply.Obey || (s.opts.ObeyInjections && strings.Contains(strings.ToLower(prompt), "ignore previous instructions"))
	switch {
	case reply.Malformed:
		content = `{"summary": "Backend engineer", "work": [{"index": 0, "highlights": [` // cut short
	case content != "":
	case s.opts.Mode == ModeLiar:
		content = s.lie(req.Messages, rec.JSON)
	case rec.JSON && !asksForLetter(req.Messages):
		content = tailoringReply(req.Messages, obey)
	default:
		content = letterReply(req.Messages, rec.JSON, obey)
	}
	s.finish(rec, http.StatusOK)
	promptTokens, completionTokens := len(strings.Fields(prompt)), len(strings.Fields(content))
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      fmt.Sprintf("chatcmpl-fake-%d", s.Calls()),
		"object":  "chat.completion",
		"created": rec.At.Unix(),
		"model":   s.opts.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"finish_reason": "stop",
		}},
		"usage": map[string]any{
			"prompt_tokens": promptTokens, "completion_tokens": completionTokens,
			"total_tokens": promptTokens + completionTokens,
		},
	})
}

// refusesKey reports whether the request lacks the key of Options.APIKey.
func (s *Server) refusesKey(r *http.Request) bool {
	if s.opts.APIKey == "" {
		return false
	}
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return !ok || key != s.opts.APIKey
}
