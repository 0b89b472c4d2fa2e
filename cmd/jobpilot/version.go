package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
// Without it the module version or VCS revision recorded by the Go toolchain
// is shown.
var version = ""

// VersionCmd prints the version and the Go version.
type VersionCmd struct{}

// Run prints e.g. "jobpilot v1.2.3" and "go1.26.8 linux/amd64".
func (c *VersionCmd) Run(app *App) error {
	_, err := fmt.Fprintf(app.Stdout, "jobpilot %s\n%s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v == "(devel)" && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return v + " " + rev + modified
	}
	return v
}
