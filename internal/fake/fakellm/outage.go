package fakellm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a span of server time, counted from the server's start, during
// which the fake is "down": every chat call is answered 503 Service
// Unavailable with an OpenAI-style error body (type "server_error", code
// "service_unavailable") and no Retry-After, as a provider does in an
// outage. From is inclusive, To exclusive.
//
// A 503 was chosen over closing the connection: the call is still recorded
// (Request.Status 503) and counted (Rejected, DownRejected), so a harness can
// prove the outage was really hit, and a well-behaved client must treat it as
// transient and come back later, which is the behaviour under test. During a
// window the request never reaches the script, the rate limit or the random
// faults (of the Server or of a Faulty wrapper): nothing is consumed that
// would shift what happens after the outage.
//
// "The server's start" is when New built it, reset by Start, or by Listen
// when it serves a *Server or a *Faulty; with Options.Clock it is that
// clock's reading at the same moments.
type Window struct{ From, To time.Duration }

func (w Window) String() string { return fmt.Sprintf("down from t=%s to t=%s", w.From, w.To) }

// contains reports whether server time t is inside the window.
func (w Window) contains(t time.Duration) bool { return t >= w.From && t < w.To }

// ParseOutages parses an outage spec: clauses separated by ';', case and
// extra spaces ignored, each
//
//	down from t=D to t=D    e.g. "down from t=10s to t=40s" (the SMTP lab's form)
//	from D to D             e.g. "from 10s to 40s" ("down" and "t=" are optional)
//
// D is a Go duration ("10s", "1m30s", "250ms") or a bare number of seconds
// ("10", "2.5"). A window that ends before (or when) it starts, a negative
// time and any other clause are errors, naming the clause. An empty spec is
// no outage. Windows may overlap; a time is down when any window holds it.
func ParseOutages(spec string) ([]Window, error) {
	var out []Window
	for i, raw := range strings.Split(spec, ";") {
		clause := strings.ToLower(strings.Join(strings.Fields(raw), " "))
		if clause == "" {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("fakellm: outage clause %d %q: %s", i+1, clause, fmt.Sprintf(format, args...))
		}
		rest := strings.TrimPrefix(clause, "down ")
		var from, to string
		if _, err := fmt.Sscanf(rest, "from %s to %s", &from, &to); err != nil || strings.Count(rest, " ") != 3 {
			return nil, fail(`want "down from t=D to t=D" (e.g. "down from t=10s to t=40s")`)
		}
		f, err := parseOffset(strings.TrimPrefix(from, "t="))
		if err != nil {
			return nil, fail("bad start: %v", err)
		}
		t, err := parseOffset(strings.TrimPrefix(to, "t="))
		if err != nil {
			return nil, fail("bad end: %v", err)
		}
		if t <= f {
			return nil, fail("the window ends (%s) before it starts (%s)", t, f)
		}
		out = append(out, Window{From: f, To: t})
	}
	return out, nil
}

// parseOffset reads "10s", "1m30s", "250ms" or a bare number of seconds.
func parseOffset(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return 0, fmt.Errorf("%q is not a duration or a number of seconds", s)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// Uptime is the server time now: how long since the server started (see
// Window), by Options.Clock.
func (s *Server) Uptime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Clock().Sub(s.epoch)
}

// IsDown reports whether a chat call arriving at server time t would be
// answered 503 by an outage window.
func (s *Server) IsDown(t time.Duration) bool {
	for _, w := range s.opts.Down {
		if w.contains(t) {
			return true
		}
	}
	return false
}

// DownRejected is the number of chat calls answered 503 because they came
// during an outage window (they are counted in Rejected too).
func (s *Server) DownRejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// downNow reports whether the server is in an outage window now.
func (s *Server) downNow() bool {
	if len(s.opts.Down) == 0 {
		return false
	}
	return s.IsDown(s.Uptime())
}

// restart makes now the server's start, the origin of the outage windows.
func (s *Server) restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch = s.opts.Clock()
}

// restarter is what Listen resets when it starts serving: a *Server, or a
// *Faulty through its embedded *Server.
type restarter interface{ restart() }
