package system

import (
	"io"
	"net"
	"testing"
	"time"
)

// One address holds at most max connections: its next one is closed as
// soon as it is accepted, another address's is served, and a closed
// connection gives its slot back.
func TestListenerLimitsConnectionsPerAddress(t *testing.T) {
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitPerAddress(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func(ip string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		c, err := d.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// closedAtOnce tells whether the server closed c without a word.
	closedAtOnce := func(c net.Conn) bool {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := c.Read(make([]byte, 1))
		return err == io.EOF
	}
	take := func() net.Conn {
		t.Helper()
		select {
		case c := <-accepted:
			return c
		case <-time.After(60 * time.Second):
			t.Fatal("no connection accepted")
			return nil
		}
	}

	dial("127.0.0.1")
	dial("127.0.0.1")
	first, _ := take(), take()
	third := dial("127.0.0.1")
	if !closedAtOnce(third) {
		t.Fatal("a third connection from one address was kept")
	}
	dial("127.0.0.2")
	if c := take(); c.RemoteAddr().(*net.TCPAddr).IP.String() != "127.0.0.2" {
		t.Fatalf("accepted %v, want the other address's connection", c.RemoteAddr())
	}
	// The server ends one of the first address's connections: it may
	// connect again.
	first.Close()
	dial("127.0.0.1")
	if c := take(); c.RemoteAddr().(*net.TCPAddr).IP.String() != "127.0.0.1" {
		t.Fatalf("accepted %v after a slot was freed", c.RemoteAddr())
	}
}
