package config_test

import (
	"testing"

	"github.com/jobpilot/jobpilot/config"
)

// BenchmarkLoad measures a start-up load with a file and a few variables:
// it runs once per process, so it only has to stay well under a millisecond.
func BenchmarkLoad(b *testing.B) {
	file := writeFile(b, "retry:\n  max_retries: 5\nsources:\n  - {type: lever, name: globex, site: globex}\n")
	env := envOf(map[string]string{"MAX_DELAY": "90s", "SMTP_HOST": "mail.example.com", "SCHEDULER_TIMEZONE": "Europe/Paris"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Load(env, file); err != nil {
			b.Fatal(err)
		}
	}
}
