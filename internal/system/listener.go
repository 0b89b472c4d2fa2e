package system

import (
	"net"
	"net/netip"
	"sync"
)

// addrLimitListener closes, as soon as they are accepted, the connections
// of a client address that already holds max: one client cannot take every
// slot of the server's connection cap (netutil.LimitListener around it).
// IPv6 clients are counted by their /64.
type addrLimitListener struct {
	net.Listener
	max    int
	mu     sync.Mutex
	counts map[netip.Addr]int
}

func limitPerAddress(ln net.Listener, max int) net.Listener {
	return &addrLimitListener{Listener: ln, max: max, counts: make(map[netip.Addr]int)}
}

func (l *addrLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := peerKey(c.RemoteAddr())
		l.mu.Lock()
		if l.counts[key] >= l.max {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.counts[key]++
		l.mu.Unlock()
		return &addrCountedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

func (l *addrLimitListener) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts[key]--; l.counts[key] <= 0 {
		delete(l.counts, key)
	}
}

// peerKey is the counting key of a peer: its IPv4 address, or its IPv6 /64.
func peerKey(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// addrCountedConn gives its address's slot back once, on the first Close.
type addrCountedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *addrCountedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
