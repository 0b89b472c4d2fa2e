package dbtest

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// WaitBoundParallel is how many parallel tests a package run with
// ParallelWaits runs at once when -parallel is not given. Those packages'
// tests spend their time waiting on servers, timers, schedules and child
// processes rather than on the CPU (under a tenth of two cores while the
// suite runs), so running more of them than GOMAXPROCS overlaps their
// waits; their ceilings are minutes (MinWait), so a slower share of the CPU
// delays them without failing them. docs/design-notes.md "The suite's time".
const WaitBoundParallel = 4

// ParallelWaits runs m with -parallel defaulting to WaitBoundParallel (or
// GOMAXPROCS, if larger) instead of GOMAXPROCS. An explicit -parallel on the
// command line wins. Call it from TestMain in place of m.Run:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.ParallelWaits(m)) }
func ParallelWaits(m *testing.M) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		n := max(WaitBoundParallel, runtime.GOMAXPROCS(0))
		if err := flag.Set("test.parallel", strconv.Itoa(n)); err != nil {
			panic("dbtest: " + err.Error()) // the testing package renamed its flag
		}
	}
	return m.Run()
}
