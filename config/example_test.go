package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jobpilot/jobpilot/config"
)

// Environment variables win over the YAML file, which wins over the defaults.
// Durations are plain seconds, as the stability guide writes them, or Go
// durations.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "jobpilot-example")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "jobpilot.yaml")
	_ = os.WriteFile(file, []byte("retry:\n  max_retries: 5\n  initial_delay: 2.5\nsmtp:\n  host: mail.example.com\n  tls: tls\n"), 0o600)

	env := map[string]string{"MAX_RETRIES": "7", "MAX_DELAY": "90s"}
	cfg, err := config.Load(func(k string) string { return env[k] }, file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("MAX_RETRIES:", cfg.Retry.MaxRetries)     // environment
	fmt.Println("INITIAL_DELAY:", cfg.Retry.InitialDelay) // file
	fmt.Println("MAX_DELAY:", cfg.Retry.MaxDelay)         // environment, Go duration
	fmt.Println("EMAIL_TIMEOUT:", cfg.Timeouts.Email)     // default
	fmt.Println("SMTP_PORT:", cfg.SMTP.Port)              // derived from SMTP_TLS=tls
	// Output:
	// MAX_RETRIES: 7
	// INITIAL_DELAY: 2.5s
	// MAX_DELAY: 1m30s
	// EMAIL_TIMEOUT: 30s
	// SMTP_PORT: 465
}

// Every problem is reported at once, each naming its variable and rule.
func ExampleLoad_invalid() {
	env := map[string]string{"MAX_RETRIES": "-1", "APPLY_MODE": "auto"}
	_, err := config.Load(func(k string) string { return env[k] }, "")
	fmt.Println(err)

	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Println("first variable at fault:", ce.Var)
	}
	// Output:
	// invalid configuration: MAX_RETRIES must be >= 0 (got -1)
	// APPLY_MODE must be one of review, direct (got "auto")
	// first variable at fault: MAX_RETRIES
}

// Secrets never print: set ones show as [redacted], unset ones as (unset).
func ExampleConfig_Redacted() {
	env := map[string]string{
		"OPENAI_API_KEY": "sk-do-not-print",
		"DATABASE_URL":   "postgres://jobpilot:hunter2@db:5432/jobpilot",
	}
	cfg, _ := config.Load(func(k string) string { return env[k] }, "")
	r := cfg.Redacted()
	fmt.Println(r["OPENAI_API_KEY"])
	fmt.Println(r["SMTP_PASSWORD"])
	fmt.Println(r["DATABASE_URL"])
	// Output:
	// [redacted]
	// (unset)
	// postgres://jobpilot:[redacted]@db:5432/jobpilot
}
