package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// A bad value stops every command before it starts, with exit code 2 and a
// message that names the variable and the rule.
func Example_badConfiguration() {
	env := map[string]string{"MAX_RETRIES": "-1"}
	var stderr strings.Builder
	code := run(context.Background(), []string{"config", "check"},
		func(k string) string { return env[k] }, strings.NewReader(""), os.Stdout, &stderr)
	fmt.Println("exit", code)
	fmt.Print(stderr.String())
	// Output:
	// exit 2
	// jobpilot: invalid configuration: MAX_RETRIES must be >= 0 (got -1)
}
