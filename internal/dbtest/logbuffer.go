package dbtest

import (
	"strings"
	"sync"
)

// LogBuffer collects what a system logs from many goroutines, for a test
// to read while it runs: slog.NewTextHandler(&buf, nil).
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
