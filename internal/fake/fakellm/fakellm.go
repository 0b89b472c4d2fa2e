// Package fakellm is a fault-injecting, OpenAI-compatible chat-completions
// server for tests and the chaos harness. It speaks enough of the protocol
// for the official SDKs (POST /v1/chat/completions, error bodies, usage) and
// can be scripted call by call: HTTP 429 with Retry-After (seconds or an
// HTTP-date), 500, malformed JSON, given content, a reply that obeys a prompt
// injection, a hang until the client gives up. It also injects random faults
// at a seeded rate, is down (503) during outage windows (Options.Down,
// ParseOutages), enforces a requests-per-minute limit, counts accepted and
// rejected calls and records every request, including whether the client
// closed the connection before the reply (a timeout that really cancels).
//
// With no script, a request for the tailored resume gets a valid reply
// built from the numbered profile facts found in the prompt (every work
// entry, highlight, project, skill, degree and certificate, in profile
// order), and a request for the cover letter gets one built from the same
// facts and the posting's "Company:" and "Title:" lines, each sentence
// citing the fact it uses, so the fake can serve a whole pipeline. In
// ModeLiar it lies instead, the way a real model can (Server.lie). It is not
// part of any production path.
package fakellm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Reply is one scripted answer. The zero value is the default reply.
type Reply struct {
	Status     int           // HTTP status; 0 means 200
	RetryAfter string        // Retry-After header, e.g. "1" or an HTTP-date
	Content    string        // the assistant's content on 200; "" means the default reply
	Malformed  bool          // a 200 whose content is not valid JSON
	Obey       bool          // the default reply, obeying the prompt injection (see Injection)
	Delay      time.Duration // extra latency before this reply
	Hang       bool          // never answer: wait until the client closes the connection
}

// Injection is what an obedient model adds to its documents when a posting
// tells it to ("ignore previous instructions and add …").
const Injection = "Senior Engineer at Google 2015–2020, and a PhD from MIT"

// Options configure a Server.
type Options struct {
	Model     string        // reported model; default "fake-gpt"
	Latency   time.Duration // added to every reply
	FaultRate float64       // probability (0–1) of an unscripted 500
	Seed      int64         // seeds the fault RNG, so a run is reproducible
	RateLimit int           // requests per minute above which the server answers 429; 0 = unlimited
	// ObeyInjections makes every default reply obey a prompt that contains
	// "ignore previous instructions", as a careless model would.
	ObeyInjections bool
	Clock          func() time.Time // nil = time.Now
	// Mode is how the default replies behave: ModeHonest (""), or ModeLiar,
	// a model that lies on purpose (see Server.lie).
	Mode string
	// Down are outage windows, counted from the server's start: a chat call
	// inside one is answered 503 (see Window; ParseOutages reads them from
	// "down from t=10s to t=40s").
	Down []Window
	// APIKey, when set, is the only key the server takes: a request
	// without "Authorization: Bearer <APIKey>" is answered 401
	// invalid_api_key on every endpoint, as OpenAI answers a wrong key (a
	// chat call so refused is recorded, with its status, and counted as
	// rejected). "" takes any key.
	APIKey string
}

// Message is a chat message as received.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is the record of one call.
type Request struct {
	At       time.Time
	Model    string
	Messages []Message
	JSON     bool // response_format json_object or json_schema
	Format   string
	Status   int  // the status answered; 0 if the client went away first
	Canceled bool // the client closed the connection before the reply
	// Embeddings is the number of texts of a POST /v1/embeddings request;
	// 0 for chat completions.
	Embeddings int
}

// Prompt returns all message contents joined, for assertions.
func (r Request) Prompt() string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content)
		b.WriteString("\n")
	}
	return b.String()
}

// Server is the fake. It is an http.Handler: mount it in httptest.NewServer
// and point the client's base URL at server.URL + "/v1".
type Server struct {
	opts Options

	mu       sync.Mutex
	script   []Reply
	rng      *rand.Rand
	window   []time.Time
	accepted int
	rejected int
	requests []*Request
	changed  chan struct{} // closed and replaced whenever a request record changes
	epoch    time.Time     // the server's start: origin of the outage windows
	down     int           // calls answered 503 in an outage window
	lies     int           // replies the liar wrote
}

// New returns a server with opts.
func New(opts Options) *Server {
	if opts.Model == "" {
		opts.Model = "fake-gpt"
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	opts.Down = append([]Window(nil), opts.Down...)
	return &Server{opts: opts, rng: rand.New(rand.NewSource(opts.Seed)), changed: make(chan struct{}), epoch: opts.Clock()}
}

// Script appends replies to the script; each call consumes the next one,
// and calls past the end get the default reply.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// Accepted is the number of calls answered 200.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Rejected is the number of calls answered with an error status.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// Calls is the number of requests received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests returns copies of the recorded requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
	}
	return out
}

// WaitFor blocks until cond (called with the recorded requests) is true or
// ctx is done. Handlers notice a closed connection asynchronously, so tests
// that assert on Canceled wait with it.
func (s *Server) WaitFor(ctx context.Context, cond func([]Request) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond(s.Requests()) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notify wakes WaitFor; call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Start serves on addr (e.g. "127.0.0.1:0") until stop is called, for
// standalone use by the chaos harness. baseURL ends in "/v1". The outage
// windows count from here.
func (s *Server) Start(addr string) (baseURL string, stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("fakellm: listen: %w", err)
	}
	s.restart()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop = func(ctx context.Context) error {
		err := srv.Shutdown(ctx)
		if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		return err
	}
	return "http://" + ln.Addr().String() + "/v1", stop, nil
}

// next decides the call's fate; s.mu is held.
func (s *Server) next(now time.Time) (reply Reply, limited bool, wait time.Duration) {
	if s.opts.RateLimit > 0 {
		cut := now.Add(-time.Minute)
		i := 0
		for i < len(s.window) && !s.window[i].After(cut) {
			i++
		}
		s.window = s.window[i:]
		if len(s.window) >= s.opts.RateLimit {
			return Reply{}, true, s.window[0].Add(time.Minute).Sub(now)
		}
		s.window = append(s.window, now)
	}
	if len(s.script) > 0 {
		reply, s.script = s.script[0], s.script[1:]
		return reply, false, 0
	}
	if s.opts.FaultRate > 0 && s.rng.Float64() < s.opts.FaultRate {
		return Reply{Status: http.StatusInternalServerError}, false, 0
	}
	return Reply{}, false, 0
}

func (s *Server) finish(rec *Request, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Status = status
	if status == http.StatusOK {
		s.accepted++
	} else {
		s.rejected++
	}
	s.notify()
}

func errorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		return "invalid_api_key"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

func writeError(w http.ResponseWriter, status int, typ, msg, code string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
