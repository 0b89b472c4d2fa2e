package fakesmtp

import (
	"net"
	"sync"
)

// listener applies down windows and tracks raw connections so that Close
// can end every one of them, whatever state go-smtp has them in.
type listener struct {
	net.Listener
	srv   *Server
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.srv.count(func(st *Stats) { st.Connections++ })
		if l.srv.sched.Load().IsDown(l.srv.now().Sub(l.srv.start)) {
			l.srv.count(func(st *Stats) { st.Refused++ })
			c.Close()
			continue
		}
		l.mu.Lock()
		if l.done {
			l.mu.Unlock()
			c.Close()
			return nil, net.ErrClosed
		}
		if tcp, ok := c.(*net.TCPConn); ok {
			// A small receive window keeps a stalled DATA from being
			// swallowed whole by kernel buffers (see Hang).
			_ = tcp.SetReadBuffer(64 << 10)
		}
		tc := &trackedConn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

func (l *listener) closeAll() {
	l.mu.Lock()
	l.done = true
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
