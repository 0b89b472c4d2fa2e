package source

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// At most limit requests at once per host, their starts delay apart; other
// hosts are not held up.
func TestHostPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newHostPool(2, time.Second)
		start := time.Now()
		var (
			mu      sync.Mutex
			starts  []time.Duration
			running int
			most    int
		)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				release, err := p.acquire(context.Background(), "boards.example")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				starts = append(starts, time.Since(start))
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(5 * time.Second) // the request
				mu.Lock()
				running--
				mu.Unlock()
				release()
			})
		}
		other, err := p.acquire(context.Background(), "api.other.example")
		if err != nil || time.Since(start) != 0 {
			t.Fatalf("another host waited %v (%v)", time.Since(start), err)
		}
		other()
		wg.Wait()
		if most != 2 {
			t.Errorf("%d requests at once, want 2", most)
		}
		// Two start 1 s apart; the next two when slots free (5 s, 6 s).
		want := []time.Duration{0, time.Second, 5 * time.Second, 6 * time.Second}
		for i := range want {
			if starts[i] != want[i] {
				t.Fatalf("starts %v, want %v", starts, want)
			}
		}
	})
}

// A request waiting for a slot or for its turn gives up when its context
// ends, and leaves the slot free.
func TestHostPoolCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newHostPool(1, time.Minute)
		release, _ := p.acquire(context.Background(), "h")
		release() // the next start is a minute away
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := p.acquire(ctx, "h"); err != context.DeadlineExceeded {
			t.Fatalf("err %v", err)
		}
		time.Sleep(time.Minute)
		if release, err := p.acquire(context.Background(), "h"); err != nil {
			t.Fatalf("slot not freed: %v", err)
		} else {
			release()
		}
	})
}
