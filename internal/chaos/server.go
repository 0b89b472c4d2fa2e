package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Server is a `jobpilot serve` subprocess. Its owner starts it with
// StartServer and ends it with Kill or Stop; Wait reports its exit.
type Server struct {
	cmd     *exec.Cmd
	done    chan struct{}
	err     error // the exit, valid after done
	Started time.Time

	mu   sync.Mutex
	addr string
}

// AnyPort is an HTTP_ADDR for which the kernel picks a free port when the
// server binds it; the server's start-up line says which (Server.Addr). A
// port picked beforehand and closed again can be taken by any socket of
// the tests beside it before the server, busy with its start-up, binds it.
const AnyPort = "127.0.0.1:0"

// StartServer runs `bin serve` with exactly env (nothing is inherited from
// this process but PATH and HOME), its output appended to logOut. httpAddr
// is the HTTP_ADDR it listens on, for /health: with port 0 (AnyPort) the
// address is read from the server's log once it listens.
func StartServer(bin string, env []string, httpAddr string, logOut io.Writer) (*Server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	s := &Server{cmd: cmd, done: make(chan struct{})}
	out := logOut
	if _, port, err := net.SplitHostPort(httpAddr); err == nil && port == "0" {
		out = &addrSniffer{out: logOut, found: s.setAddr}
	} else {
		s.addr = httpAddr
	}
	cmd.Stdout, cmd.Stderr = out, out
	s.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("chaos: starting %s serve: %w", bin, err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// Addr is the address the server listens on; "" until its log has said
// which, for a port the kernel picked.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

func (s *Server) setAddr(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addr = addr
}

// addrSniffer passes a server's output on and reports the address of its
// start-up line, "jobpilot serving" (text or JSON log).
type addrSniffer struct {
	out   io.Writer
	found func(string)
	line  []byte // the unfinished last line
	done  bool
}

var servingLine = regexp.MustCompile(`msg="jobpilot serving" addr=(\S+)|"msg":"jobpilot serving","addr":"([^"]+)"`)

func (a *addrSniffer) Write(p []byte) (int, error) {
	if !a.done {
		a.line = append(a.line, p...)
		for {
			i := bytes.IndexByte(a.line, '\n')
			if i < 0 {
				break
			}
			if m := servingLine.FindSubmatch(a.line[:i]); m != nil {
				a.found(string(m[1]) + string(m[2]))
				a.done, a.line = true, nil
				break
			}
			a.line = a.line[i+1:]
		}
	}
	return a.out.Write(p)
}

// Pid is the process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Exited reports whether the process has exited.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Err is the process's exit error once Done is closed.
func (s *Server) Err() error { <-s.done; return s.err }

// Kill sends SIGKILL and waits for the process to be gone: no shutdown, no
// deferred cleanup, exactly a crash.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM (a graceful shutdown) and waits up to grace, then kills.
func (s *Server) Stop(grace time.Duration) error {
	if s.Exited() {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(grace):
		s.Kill()
		return errors.New("chaos: the server did not stop within its grace; killed")
	}
}

// Health is the part of /health the harness reads.
type Health struct {
	Status          string `json:"status"`
	CircuitBreakers map[string]struct {
		State string `json:"state"`
	} `json:"circuit_breakers"`
}

// WaitHealthy polls GET /health until it answers healthy or degraded (a
// breaker may legitimately be open), the process exits or ctx ends.
func (s *Server) WaitHealthy(ctx context.Context) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	for {
		if addr := s.Addr(); addr != "" {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/health", nil)
			if resp, err := client.Do(req); err == nil {
				var h Health
				_ = json.NewDecoder(resp.Body).Decode(&h)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && (h.Status == "healthy" || h.Status == "degraded") {
					return time.Since(s.Started), nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("chaos: server not healthy: %w", ctx.Err())
		case <-s.done:
			return 0, fmt.Errorf("chaos: server exited before it was healthy: %v", s.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago; another socket may take it before it is bound: prefer AnyPort.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
