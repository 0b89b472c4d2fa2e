package mail

import (
	"net"
	"sync"
	"sync/atomic"
)

// trackedConn remembers which kind of I/O failed first: go-mail ignores the
// error of flushing the final "." and only reports the missing reply, and
// this is how Send tells "the server never got the whole message" (a write
// failed first: safe to retry) from "the server got it and its answer was
// lost" (the reply read failed first: ErrOutcomeUnknown). Later failures,
// such as the QUIT written on a connection already closed, do not count. It
// sits below TLS, so it sees the bytes that really left.
type trackedConn struct {
	net.Conn
	firstFailure atomic.Int32 // 0 none, failedRead, failedWrite
}

const (
	failedRead  = 1
	failedWrite = 2
)

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil || n < len(p) {
		c.firstFailure.CompareAndSwap(0, failedWrite)
	}
	return n, err
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.firstFailure.CompareAndSwap(0, failedRead)
	}
	return n, err
}

// attempt is the state of one Send's connection.
type attempt struct {
	mu   sync.Mutex
	conn *trackedConn
	stop func() bool
}

func (a *attempt) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		a.stop()
	}
	if a.conn != nil {
		a.conn.Close() // go-mail leaves it open when the greeting or EHLO fails
	}
}

// replyLost reports whether the first I/O failure was a read: everything
// written so far had left when the connection failed.
func (a *attempt) replyLost() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conn != nil && a.conn.firstFailure.Load() == failedRead
}
