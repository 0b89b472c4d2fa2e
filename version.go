package jobpilot

import "runtime/debug"

// Version is the running version, the one string that `jobpilot version`,
// /health and the sources' User-Agent show. A release sets it at link time:
//
//	go build -ldflags "-X github.com/jobpilot/jobpilot.Version=v1.2.3" ./cmd/jobpilot
//
// Without it, it is read from the build information the Go toolchain
// records (see BuildVersion). It is left unset in its declaration so the
// linker's -X can set it (the linker cannot set a variable initialised by
// a function call).
var Version string

func init() {
	if Version == "" {
		Version = BuildVersion(debug.ReadBuildInfo())
	}
}

// BuildVersion is the version the build information gives: the module's
// version ("v1.2.3" for `go install …@v1.2.3`), or for a build from a
// checkout "(devel)" followed by the first 12 digits of the VCS revision
// and "+dirty" when the tree had changes. Without build information it is
// "(devel)".
func BuildVersion(info *debug.BuildInfo, ok bool) string {
	const devel = "(devel)"
	if !ok || info == nil {
		return devel
	}
	v := info.Main.Version
	if v == "" {
		v = devel
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
	if v == devel && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return v + " " + rev + modified
	}
	return v
}
