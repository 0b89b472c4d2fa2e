package source_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

const oneJob = `{"id":1,"title":"Backend Engineer","company_name":"Acme","location":{"name":"Berlin"},"content":"&lt;p&gt;Go&lt;/p&gt;"}`

func greenhouseAt(t *testing.T, base string, c *source.Client) jobpilot.Source {
	return mustNew(t, source.Spec{Type: "greenhouse", Name: "acme", BaseURL: base, Keys: map[string]string{"token": "acme"}}, c)
}

// Issue 14, finding 7: a body cut short whose Content-Length matches what
// was sent is transient, as a dropped connection is; before, it was read as
// "not the board's JSON" and failed permanently.
func TestBodyCutShortIsTransient(t *testing.T) {
	full := `{"jobs":[` + oneJob + `,` + oneJob + `]}`
	for name, h := range map[string]http.HandlerFunc{
		"matching Content-Length": func(w http.ResponseWriter, r *http.Request) {
			cut := full[:len(full)/2]
			w.Header().Set("Content-Length", fmt.Sprint(len(cut)))
			io.WriteString(w, cut)
		},
		"dropped connection": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(full)))
			io.WriteString(w, full[:len(full)/2])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			pol := fastPolicy()
			_, err := greenhouseAt(t, srv.URL, clientWith(pol)).Fetch(context.Background())
			if !errors.Is(err, jobpilot.ErrTransient) || errors.Is(err, jobpilot.ErrPermanent) {
				t.Fatalf("err %v, want transient", err)
			}
			if n, _ := pol.recorded(); n != 4 {
				t.Errorf("%d attempts, want 4 (retried)", n)
			}
		})
	}
}

// SOURCE_TIMEOUT bounds the wait for a response's first byte, and
// SOURCE_IDLE_TIMEOUT each silence while its body is read; neither bounds
// a download that keeps coming (the big board's case).
func TestConnectAndIdleTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/boards/silent/jobs": // no headers ever
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/v1/boards/stalls/jobs": // headers, half a body, then nothing
			io.WriteString(w, `{"jobs":[`+oneJob)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/v1/boards/slow/jobs": // 30 jobs, one every 10 ms: 300 ms in all
			io.WriteString(w, `{"jobs":[`)
			for i := range 30 {
				if i > 0 {
					io.WriteString(w, ",")
				}
				io.WriteString(w, strings.Replace(oneJob, `"id":1`, fmt.Sprintf(`"id":%d`, i+1), 1))
				w.(http.Flusher).Flush()
				time.Sleep(10 * time.Millisecond)
			}
			io.WriteString(w, "]}")
		}
	}))
	defer srv.Close()
	c := source.NewClient(source.ClientOptions{ConnectTimeout: 100 * time.Millisecond, IdleTimeout: 150 * time.Millisecond})
	for _, tc := range []struct{ token, phase string }{{"silent", "first byte"}, {"stalls", "idle"}} {
		s := mustNew(t, source.Spec{Type: "greenhouse", Name: tc.token, BaseURL: srv.URL, Keys: map[string]string{"token": tc.token}}, c)
		_, err := s.Fetch(context.Background())
		var te *source.TimeoutError
		if !errors.As(err, &te) || te.Phase != tc.phase || !errors.Is(err, jobpilot.ErrTransient) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err %v, want a transient %s timeout", tc.token, err, tc.phase)
		}
	}
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "slow", BaseURL: srv.URL, Keys: map[string]string{"token": "slow"}}, c)
	if ps, err := s.Fetch(context.Background()); err != nil || len(ps) != 30 {
		t.Errorf("a download longer than both limits but never silent: %d postings, %v", len(ps), err)
	}
}

// Issue 13, item 10 (and issue 14, finding 7): redirects go only to the
// request's own host or to hosts the user listed; never to another host,
// loopback included.
func TestRedirectsStayOnTheHost(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"jobs":[`+oneJob+`]}`)
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(strings.TrimPrefix(other.URL, "http://"))
	board := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/boards/moved/jobs": // same host: followed
			http.Redirect(w, r, "/v1/boards/acme/jobs?content=true", http.StatusMovedPermanently)
		case "/v1/boards/away/jobs": // another host (a name, not the board's 127.0.0.1)
			http.Redirect(w, r, "http://localhost:"+otherPort+"/steal", http.StatusFound)
		case "/v1/boards/port/jobs": // the board's host name on another port
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		case "/v1/boards/acme/jobs":
			fmt.Fprint(w, `{"jobs":[`+oneJob+`]}`)
		}
	}))
	defer board.Close()
	fetchToken := func(c *source.Client, token string) ([]jobpilot.Posting, error) {
		return mustNew(t, source.Spec{Type: "greenhouse", Name: token, BaseURL: board.URL, Keys: map[string]string{"token": token}}, c).Fetch(context.Background())
	}
	c := clientWith(fastPolicy())
	if ps, err := fetchToken(c, "moved"); err != nil || len(ps) != 1 {
		t.Fatalf("same-host redirect: %d postings, %v", len(ps), err)
	}
	for _, token := range []string{"away", "port"} {
		_, err := fetchToken(c, token)
		if !errors.Is(err, jobpilot.ErrPermanent) || !strings.Contains(err.Error(), "redirect") {
			t.Errorf("%s: err %v, want a permanent refusal", token, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the other host got %d requests", n)
	}
	listed := source.NewClient(source.ClientOptions{RedirectHosts: []string{"localhost"}})
	if ps, err := fetchToken(listed, "away"); err != nil || len(ps) != 1 || elsewhere.Load() != 1 {
		t.Errorf("a listed host: %d postings, %v, %d requests there", len(ps), err, elsewhere.Load())
	}
}

// Issue 14, finding 5: requests to one host were strictly serial, so one
// slow board held up the others on its host. With two slots per host
// (the default) the others go on while it hangs.
func TestSlowBoardDoesNotHoldUpItsHost(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/slow/") {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, `{"jobs":[`+oneJob+`]}`)
	}))
	defer srv.Close()
	c := source.NewClient(source.ClientOptions{})
	srcs := []jobpilot.Source{
		mustNew(t, source.Spec{Type: "greenhouse", Name: "slow", BaseURL: srv.URL, Keys: map[string]string{"token": "slow"}}, c),
		mustNew(t, source.Spec{Type: "greenhouse", Name: "a", BaseURL: srv.URL, Keys: map[string]string{"token": "a"}}, c),
		mustNew(t, source.Spec{Type: "greenhouse", Name: "b", BaseURL: srv.URL, Keys: map[string]string{"token": "b"}}, c),
	}
	// The deadline only ends the test if the others wait behind the slow
	// board (one slot per host): they then fail, and so does the test.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var order []string
	reps := source.FetchAll(ctx, srcs, nil, func(r source.Report) {
		order = append(order, r.Source)
		if len(order) == 2 {
			close(release) // both others finished while the slow one hung
		}
	})
	if fmt.Sprint(order) != "[greenhouse:a greenhouse:b greenhouse:slow]" && fmt.Sprint(order) != "[greenhouse:b greenhouse:a greenhouse:slow]" {
		t.Errorf("finished in order %v, want the slow board last", order)
	}
	for _, r := range reps {
		if r.Err != nil || r.Fetched != 1 {
			t.Errorf("%+v", r)
		}
	}
}
