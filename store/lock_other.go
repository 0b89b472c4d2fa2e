//go:build !unix

package store

import (
	"context"
	"errors"
)

var errLocked = errors.New("locked by another process")

// lockFile is a no-op where flock is unavailable: concurrent first starts of
// several processes on one SQLite file are then not protected.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }

// tryLockFile is a no-op where flock is unavailable.
func tryLockFile(context.Context, string) (func(), error) { return func() {}, nil }
