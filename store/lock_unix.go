//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// errLocked is returned by tryLockFile when another process holds the lock.
var errLocked = errors.New("locked by another process")

// lockFile takes an exclusive flock on name, creating the file if needed,
// and returns its release. It polls so that ctx can end the wait. The lock
// belongs to the open file: a crashed process releases it with its files.
func lockFile(ctx context.Context, name string) (func(), error) {
	return flockFile(ctx, name, true)
}

// tryLockFile is lockFile without waiting: errLocked when the lock is held.
func tryLockFile(ctx context.Context, name string) (func(), error) {
	return flockFile(ctx, name, false)
}

func flockFile(ctx context.Context, name string, wait bool) (func(), error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("store: take lock %s: %w", name, err)
		}
		if !wait && errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, errLocked
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("store: wait for lock %s: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
