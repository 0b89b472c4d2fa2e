// Package fakeimap serves a mailbox over real IMAP for tests and the fault
// lab: go-imap's in-memory server in-process (Start), or Dovecot started
// with a configuration of its own (StartDovecot, in the tests). Either way
// messages are put in with IMAP APPEND (Append), so what the reader sees is
// what a real server holds. The in-process server can also be taken down
// and brought back on the same port (Down, Up) to show the mailbox breaker.
//
// It is a test fixture: never wire it into a production path.
package fakeimap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Mailbox is a running IMAP server with one user.
type Mailbox interface {
	Host() string
	Port() int
	Username() string
	Password() string
	// Append stores raw (CRLF line ends) in folder with IMAP APPEND.
	Append(ctx context.Context, folder string, raw []byte) error
}

// TB is the part of testing.TB the helpers use (the lab builds without
// the testing package).
type TB interface {
	Helper()
	Fatal(args ...any)
	Skip(args ...any)
	Cleanup(func())
	TempDir() string
}

// Server is go-imap's in-memory IMAP server (imapmemserver) on a loopback
// port, without TLS, with one user and an INBOX.
type Server struct {
	user, password string
	mem            *imapmemserver.User

	mu   sync.Mutex
	addr string
	srv  *imapserver.Server
	ln   net.Listener
}

var _ Mailbox = (*Server)(nil)

// Start serves user's mailbox on addr ("127.0.0.1:0" for a free port).
func Start(addr, user, password string) (*Server, error) {
	mem := imapmemserver.NewUser(user, password)
	if err := mem.Create("INBOX", nil); err != nil {
		return nil, err
	}
	s := &Server{user: user, password: password, mem: mem, addr: addr}
	if err := s.Up(); err != nil {
		return nil, err
	}
	return s, nil
}

// StartTest starts a server on a free loopback port for the test and closes
// it when the test ends.
func StartTest(t TB) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", "candidate@example.com", "imap-secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Down() })
	return s
}

// Up serves again on the same address after Down (a no-op while up).
func (s *Server) Up() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil
	}
	mem := imapmemserver.New()
	mem.AddUser(s.mem)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	var ln net.Listener
	var err error
	// The port may linger for a moment after Down.
	for range 50 {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	s.addr, s.srv, s.ln = ln.Addr().String(), srv, ln
	go srv.Serve(ln)
	return nil
}

// Down stops serving: new connections are refused and open ones closed.
// The messages stay.
func (s *Server) Down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return
	}
	// Close the listener ourselves too: the server knows it only once
	// Serve has started.
	s.ln.Close()
	s.srv.Close()
	s.ln = nil
}

// Addr is the listen address.
func (s *Server) Addr() string { s.mu.Lock(); defer s.mu.Unlock(); return s.addr }

// Host and Port split Addr for the reader's configuration.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr()); return h }
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr())
	n, _ := strconv.Atoi(p)
	return n
}
func (s *Server) Username() string { return s.user }
func (s *Server) Password() string { return s.password }

// Append stores raw in folder over IMAP, like a mail client would.
func (s *Server) Append(ctx context.Context, folder string, raw []byte) error {
	return Append(ctx, s, folder, raw)
}

// Deliver stores raw in INBOX directly, without a connection (the lab's
// SMTP server delivering what it accepted, even while IMAP is down).
func (s *Server) Deliver(raw []byte) error {
	_, err := s.mem.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()})
	return err
}

// Renumber deletes and re-creates INBOX with the same messages, which gives
// it a new UIDVALIDITY, as a server restored from a backup would.
func (s *Server) Renumber(ctx context.Context, raws [][]byte) error {
	if err := s.mem.Delete("INBOX"); err != nil {
		return err
	}
	if err := s.mem.Create("INBOX", nil); err != nil {
		return err
	}
	for _, raw := range raws {
		if err := s.Deliver(raw); err != nil {
			return err
		}
	}
	return nil
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// Append logs in to m and APPENDs raw to folder, creating the folder when
// it is missing.
func Append(ctx context.Context, m Mailbox, folder string, raw []byte) error {
	c, err := login(ctx, m)
	if err != nil {
		return err
	}
	defer c.Close()
	if folder != "INBOX" {
		if err := c.Create(folder, nil).Wait(); err != nil {
			var ie *imap.Error
			if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
				return fmt.Errorf("fakeimap: create %s: %w", folder, err)
			}
		}
	}
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return fmt.Errorf("fakeimap: append: %w", err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("fakeimap: append: %w", err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("fakeimap: append: %w", err)
	}
	return c.Logout().Wait()
}

// Seen counts the messages of folder flagged \Seen (STATUS), to check that
// a reader changed nothing.
func Seen(ctx context.Context, m Mailbox, folder string) (int, error) {
	c, err := login(ctx, m)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		return 0, err
	}
	if st.NumMessages == nil || st.NumUnseen == nil {
		return 0, errors.New("fakeimap: STATUS without MESSAGES or UNSEEN")
	}
	return int(*st.NumMessages - *st.NumUnseen), nil
}

// login connects to m and logs in as its user.
func login(ctx context.Context, m Mailbox) (*imapclient.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(m.Host(), strconv.Itoa(m.Port())))
	if err != nil {
		return nil, err
	}
	c := imapclient.New(conn, nil)
	if err := c.Login(m.Username(), m.Password()).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("fakeimap: login: %w", err)
	}
	return c, nil
}
