//go:build race

package source_test

// raceEnabled reports a -race build, whose instrumentation makes moving
// tens of megabytes take tens of seconds.
const raceEnabled = true
