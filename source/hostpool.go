package source

import (
	"context"
	"sync"
	"time"
)

// hostPool gives each host a few request slots and spaces the starts of its
// requests: at most limit requests at once per host, and at least delay
// between two starts. A request waiting for a slot or for its turn gives up
// when its context ends.
type hostPool struct {
	limit int
	delay time.Duration

	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	sem  chan struct{}
	next time.Time // the earliest start of the next request
}

func newHostPool(limit int, delay time.Duration) *hostPool {
	if limit <= 0 {
		limit = DefaultHostConcurrency
	}
	return &hostPool{limit: limit, delay: max(delay, 0), hosts: map[string]*hostSlots{}}
}

// acquire takes one of host's slots and waits for its turn to start.
func (p *hostPool) acquire(ctx context.Context, host string) (release func(), err error) {
	p.mu.Lock()
	h, ok := p.hosts[host]
	if !ok {
		h = &hostSlots{sem: make(chan struct{}, p.limit)}
		p.hosts[host] = h
	}
	p.mu.Unlock()
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-h.sem }
	if p.delay == 0 {
		return release, nil
	}
	p.mu.Lock()
	now := time.Now()
	start := h.next
	if start.Before(now) {
		start = now
	}
	h.next = start.Add(p.delay)
	p.mu.Unlock()
	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}
