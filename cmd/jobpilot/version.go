package main

import (
	"fmt"
	"runtime"

	"github.com/jobpilot/jobpilot"
)

// VersionCmd prints the version and the Go version.
type VersionCmd struct{}

// Run prints e.g. "jobpilot v1.2.3" and "go1.26.8 linux/amd64". The version
// is jobpilot.Version, the string /health shows too.
func (c *VersionCmd) Run(app *App) error {
	_, err := fmt.Fprintf(app.Stdout, "jobpilot %s\n%s %s/%s\n", jobpilot.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
