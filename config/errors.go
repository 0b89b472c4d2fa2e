package config

import (
	"fmt"

	"github.com/jobpilot/jobpilot"
)

// invalid wraps configuration problems in the domain's EINVALID error, so the
// CLI and any caller can classify them without knowing this package.
func invalid(err error) error {
	return &jobpilot.Error{Code: jobpilot.EINVALID, Message: "invalid configuration", Err: err}
}

// Error is one configuration problem: the variable (or YAML key) at fault and
// what is wrong with it.
type Error struct {
	Var     string // e.g. "MAX_RETRIES", or "sources[1].token" for YAML-only keys
	Message string // e.g. "must be >= 0 (got -1)"
}

func (e *Error) Error() string { return e.Var + " " + e.Message }

func problem(name, format string, args ...any) *Error {
	return &Error{Var: name, Message: fmt.Sprintf(format, args...)}
}
