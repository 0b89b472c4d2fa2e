package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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
	addr    string
}

// StartServer runs `bin serve` with exactly env (nothing is inherited from
// this process but PATH and HOME), its output appended to logOut. httpAddr
// is the HTTP_ADDR it listens on, for /health.
func StartServer(bin string, env []string, httpAddr string, logOut io.Writer) (*Server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	cmd.Stdout, cmd.Stderr = logOut, logOut
	s := &Server{cmd: cmd, done: make(chan struct{}), addr: httpAddr}
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
	url := "http://" + s.addr + "/health"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			var h Health
			_ = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && (h.Status == "healthy" || h.Status == "degraded") {
				return time.Since(s.Started), nil
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
// ago. The server reuses it across restarts so /health stays put.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
