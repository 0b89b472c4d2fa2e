package apply_test

import (
	"os"
	"testing"

	"github.com/jobpilot/jobpilot/internal/dbtest"
)

// The package's tests wait on servers and timers more than they compute:
// they run in parallel, more at once than GOMAXPROCS.
func TestMain(m *testing.M) { os.Exit(dbtest.ParallelWaits(m)) }
