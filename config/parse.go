package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a duration the way the stability guide writes them,
// as plain seconds ("1.0", "600", "0.05"), or as a Go duration ("90s",
// "5m", "250ms"). It rejects NaN, infinities and values that overflow.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use seconds (1.5) or a Go duration (90s, 5m)", s)
	}
	return d, nil
}

// ParseBool accepts the usual spellings of a switch: true/false, on/off,
// yes/no, 1/0, in any case, so JOBPILOT_EXAMPLES=off reads as people write it.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "on", "yes", "y":
		return true, nil
	case "0", "f", "false", "off", "no", "n":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q (use true/false, on/off, yes/no)", v)
}
