package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/llm"
)

// envOf turns a map into a getenv function.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes a YAML configuration file in a fresh temporary directory.
func writeFile(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "jobpilot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// problems returns the *config.Error values inside err.
func problems(t *testing.T, err error) []*config.Error {
	t.Helper()
	var out []*config.Error
	var walk func(error)
	walk = func(e error) {
		if ce, ok := e.(*config.Error); ok {
			out = append(out, ce)
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := config.Load(envOf(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ENVIRONMENT", cfg.Environment, "development"},
		{"HTTP_ADDR", cfg.HTTPAddr, ":8000"},
		{"JOBPILOT_DATA_DIR", cfg.DataDir, "./data"},
		{"DATABASE_URL", cfg.DatabaseURL, "sqlite://data/jobpilot.db"},
		{"JOBPILOT_EXAMPLES", cfg.Examples, true},
		{"JOBPILOT_TIME_SCALE", cfg.TimeScale, 1.0},
		{"MAX_RETRIES", cfg.Retry.MaxRetries, 3},
		{"INITIAL_DELAY", cfg.Retry.InitialDelay, time.Second},
		{"MAX_DELAY", cfg.Retry.MaxDelay, time.Minute},
		{"RETRY_BASE", cfg.Retry.Base, 2.0},
		{"RETRY_JITTER", cfg.Retry.Jitter, 0.0},
		{"EMAIL_MAX_RETRIES", cfg.Retry.EmailMaxRetries, 3},
		{"EMAIL_INITIAL_DELAY", cfg.Retry.EmailInitialDelay, 2 * time.Second},
		{"EMAIL_MAX_DELAY", cfg.Retry.EmailMaxDelay, 30 * time.Second},
		{"RESUME_MAX_RETRIES", cfg.Retry.ResumeMaxRetries, 3},
		{"RESUME_INITIAL_DELAY", cfg.Retry.ResumeInitialDelay, 2 * time.Second},
		{"RESUME_MAX_DELAY", cfg.Retry.ResumeMaxDelay, 30 * time.Second},
		{"COVER_LETTER_MAX_RETRIES", cfg.Retry.CoverLetterMaxRetries, 2},
		{"COVER_LETTER_INITIAL_DELAY", cfg.Retry.CoverLetterInitialDelay, time.Second},
		{"COVER_LETTER_MAX_DELAY", cfg.Retry.CoverLetterMaxDelay, 30 * time.Second},
		{"JOB_TIMEOUT", cfg.Timeouts.Job, 600 * time.Second},
		{"AUTOMATION_TIMEOUT", cfg.Timeouts.Automation, time.Hour},
		{"RESUME_TIMEOUT", cfg.Timeouts.Resume, 120 * time.Second},
		{"COVER_LETTER_TIMEOUT", cfg.Timeouts.CoverLetter, 60 * time.Second},
		{"EMAIL_TIMEOUT", cfg.Timeouts.Email, 30 * time.Second},
		{"NOTIFY_TIMEOUT", cfg.Timeouts.Notify, 10 * time.Second},
		{"MAILBOX_TIMEOUT", cfg.Timeouts.Mailbox, 60 * time.Second},
		{"SOURCE_TIMEOUT", cfg.Timeouts.Source, 30 * time.Second},
		{"SOURCE_IDLE_TIMEOUT", cfg.Timeouts.SourceIdle, 30 * time.Second},
		{"SOURCE_MAX_BYTES", cfg.Fetch.MaxBytes, int64(1 << 30)},
		{"SOURCE_HOST_CONCURRENCY", cfg.Fetch.HostConcurrency, 2},
		{"SOURCE_HOST_DELAY", cfg.Fetch.HostDelay, 250 * time.Millisecond},
		{"SHUTDOWN_GRACE", cfg.Timeouts.Shutdown, 30 * time.Second},
		{"EMAIL_FAILURE_THRESHOLD", cfg.Breakers.EmailFailureThreshold, 5},
		{"EMAIL_RECOVERY_TIMEOUT", cfg.Breakers.EmailRecoveryTimeout, 5 * time.Minute},
		{"OPENAI_FAILURE_THRESHOLD", cfg.Breakers.OpenAIFailureThreshold, 3},
		{"OPENAI_RECOVERY_TIMEOUT", cfg.Breakers.OpenAIRecoveryTimeout, 3 * time.Minute},
		{"SCHEDULER_TIMEZONE", cfg.Scheduler.Timezone, "UTC"},
		{"HEALTH_CHECK_INTERVAL", cfg.Scheduler.HealthCheckInterval, 5 * time.Minute},
		{"SCHEDULER_RESTART_DELAY", cfg.Scheduler.RestartDelay, time.Minute},
		{"FETCH_INTERVAL", cfg.Scheduler.FetchInterval, 6 * time.Hour},
		{"AUTOMATION_INTERVAL", cfg.Scheduler.AutomationInterval, time.Hour},
		{"FOLLOW_UP_CRON", cfg.Scheduler.FollowUpCron, "0 10 * * *"},
		{"CLEANUP_CRON", cfg.Scheduler.CleanupCron, "0 2 * * *"},
		{"RESCUE_STUCK_JOBS_AFTER", cfg.Scheduler.RescueAfter, 660 * time.Second},
		{"WORKERS", cfg.Scheduler.Workers, 10},
		{"DRAFT_MAX_ATTEMPTS", cfg.Scheduler.DraftMaxAttempts, 5},
		{"SEND_MAX_ATTEMPTS", cfg.Scheduler.SendMaxAttempts, 10},
		{"SCHEDULED_MAX_ATTEMPTS", cfg.Scheduler.ScheduledMaxAttempts, 3},
		{"REQUEUE_STUCK_AFTER", cfg.Scheduler.RequeueStuckAfter, 70 * time.Minute},
		{"APPLY_MODE", cfg.Apply.Mode, "review"},
		{"FOLLOW_UP_DAYS", cfg.Apply.FollowUpDays, 3},
		{"JOBPILOT_WRITER", cfg.Apply.Writer, ""},
		{"SMTP_PORT", cfg.SMTP.Port, 587},
		{"SMTP_TLS", cfg.SMTP.TLS, "starttls"},
		{"OPENAI_BASE_URL", cfg.OpenAI.BaseURL, llm.DefaultBaseURL},
		{"OPENAI_MODEL", cfg.OpenAI.Model, "gpt-4o-mini"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if cfg.NodeID == "" {
		t.Error("JOBPILOT_NODE_ID: no default derived")
	}
	again, _ := config.Load(envOf(nil), "")
	if again.NodeID != cfg.NodeID {
		t.Errorf("default node id is not stable: %q then %q", cfg.NodeID, again.NodeID)
	}
	other, _ := config.Load(envOf(map[string]string{"JOBPILOT_DATA_DIR": "/tmp/elsewhere"}), "")
	if other.NodeID == cfg.NodeID {
		t.Errorf("two data dirs share node id %q", cfg.NodeID)
	}
	if other.DatabaseURL != "sqlite:///tmp/elsewhere/jobpilot.db" || other.SQLitePath() != "/tmp/elsewhere/jobpilot.db" {
		t.Errorf("database does not follow the data dir: %q (%q)", other.DatabaseURL, other.SQLitePath())
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
environment: staging
retry:
  max_retries: 5
  initial_delay: 2.5
timeouts:
  email: 45s
smtp:
  host: mail.example.com
  tls: tls
`)
	tests := []struct {
		name string
		env  map[string]string
		file string
		// expected
		retries int
		initial time.Duration
		email   time.Duration
		tls     string
		port    int
		envName string
	}{
		{"defaults only", nil, "", 3, time.Second, 30 * time.Second, "starttls", 587, "development"},
		{"file over defaults", nil, file, 5, 2500 * time.Millisecond, 45 * time.Second, "tls", 465, "staging"},
		{"file named by JOBPILOT_CONFIG", map[string]string{"JOBPILOT_CONFIG": file}, "", 5, 2500 * time.Millisecond, 45 * time.Second, "tls", 465, "staging"},
		{"env over file", map[string]string{"MAX_RETRIES": "7", "EMAIL_TIMEOUT": "10", "SMTP_TLS": "none"}, file, 7, 2500 * time.Millisecond, 10 * time.Second, "none", 25, "staging"},
		{"env over defaults", map[string]string{"MAX_RETRIES": "0", "INITIAL_DELAY": "500ms"}, "", 0, 500 * time.Millisecond, 30 * time.Second, "starttls", 587, "development"},
		{"empty variable counts as unset", map[string]string{"MAX_RETRIES": ""}, file, 5, 2500 * time.Millisecond, 45 * time.Second, "tls", 465, "staging"},
		{"explicit port wins over TLS default", map[string]string{"SMTP_PORT": "2525"}, file, 5, 2500 * time.Millisecond, 45 * time.Second, "tls", 2525, "staging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(envOf(tt.env), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Retry.MaxRetries != tt.retries || cfg.Retry.InitialDelay != tt.initial ||
				cfg.Timeouts.Email != tt.email || cfg.SMTP.TLS != tt.tls || cfg.SMTP.Port != tt.port ||
				cfg.Environment != tt.envName {
				t.Errorf("got retries=%d initial=%s email=%s tls=%s port=%d env=%s",
					cfg.Retry.MaxRetries, cfg.Retry.InitialDelay, cfg.Timeouts.Email, cfg.SMTP.TLS, cfg.SMTP.Port, cfg.Environment)
			}
			// Untouched by both layers: the default survives.
			if cfg.Retry.MaxDelay != time.Minute {
				t.Errorf("MAX_DELAY = %s, want the default 1m0s", cfg.Retry.MaxDelay)
			}
		})
	}
}

func TestDurationForms(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1.0", time.Second},
		{"600", 600 * time.Second},
		{"0.05", 50 * time.Millisecond},
		{"1.5", 1500 * time.Millisecond},
		{"90s", 90 * time.Second},
		{"5m", 5 * time.Minute},
		{"250ms", 250 * time.Millisecond},
		{"1h30m", 90 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := config.ParseDuration(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
			cfg, err := config.Load(envOf(map[string]string{"JOB_TIMEOUT": tt.in}), "")
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Timeouts.Job != tt.want {
				t.Errorf("env JOB_TIMEOUT=%s → %s, want %s", tt.in, cfg.Timeouts.Job, tt.want)
			}
			// The same text in YAML, bare and quoted.
			for _, yamlValue := range []string{tt.in, `"` + tt.in + `"`} {
				cfg, err = config.Load(envOf(nil), writeFile(t, "timeouts:\n  job: "+yamlValue+"\n"))
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Timeouts.Job != tt.want {
					t.Errorf("yaml job: %s → %s, want %s", yamlValue, cfg.Timeouts.Job, tt.want)
				}
			}
		})
	}
	for _, bad := range []string{"soon", "NaN", "Inf", "1e300", "5 minutes"} {
		if d, err := config.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %s, want an error", bad, d)
		}
	}
}

func TestValidationRules(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantVar string
		wantMsg string
	}{
		{map[string]string{"MAX_RETRIES": "-1"}, "MAX_RETRIES", "must be >= 0"},
		{map[string]string{"MAX_RETRIES": "three"}, "MAX_RETRIES", "is not a valid integer"},
		{map[string]string{"INITIAL_DELAY": "0"}, "INITIAL_DELAY", "must be > 0"},
		{map[string]string{"INITIAL_DELAY": "soon"}, "INITIAL_DELAY", "is not a valid duration"},
		{map[string]string{"MAX_DELAY": "-5"}, "MAX_DELAY", "must be > 0"},
		{map[string]string{"MAX_DELAY": "0.5"}, "MAX_DELAY", "must be >= INITIAL_DELAY"},
		{map[string]string{"RETRY_BASE": "0.5"}, "RETRY_BASE", "must be >= 1"},
		{map[string]string{"RETRY_JITTER": "1.5"}, "RETRY_JITTER", "between 0 and 1"},
		{map[string]string{"RETRY_JITTER": "-0.1"}, "RETRY_JITTER", "between 0 and 1"},
		{map[string]string{"EMAIL_MAX_RETRIES": "-1"}, "EMAIL_MAX_RETRIES", "must be >= 0"},
		{map[string]string{"RESUME_INITIAL_DELAY": "0"}, "RESUME_INITIAL_DELAY", "must be > 0"},
		{map[string]string{"COVER_LETTER_MAX_DELAY": "0.5"}, "COVER_LETTER_MAX_DELAY", "must be >= COVER_LETTER_INITIAL_DELAY"},
		{map[string]string{"EMAIL_INITIAL_DELAY": "45"}, "EMAIL_MAX_DELAY", "must be >= EMAIL_INITIAL_DELAY"},
		{map[string]string{"JOB_TIMEOUT": "0", "RESCUE_STUCK_JOBS_AFTER": "60"}, "JOB_TIMEOUT", "must be > 0"},
		{map[string]string{"AUTOMATION_TIMEOUT": "-1"}, "AUTOMATION_TIMEOUT", "must be > 0"},
		{map[string]string{"RESUME_TIMEOUT": "0"}, "RESUME_TIMEOUT", "must be > 0"},
		{map[string]string{"COVER_LETTER_TIMEOUT": "0s"}, "COVER_LETTER_TIMEOUT", "must be > 0"},
		{map[string]string{"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT", "must be > 0"},
		{map[string]string{"SOURCE_TIMEOUT": "0"}, "SOURCE_TIMEOUT", "must be > 0"},
		{map[string]string{"SOURCE_IDLE_TIMEOUT": "0"}, "SOURCE_IDLE_TIMEOUT", "must be > 0"},
		{map[string]string{"SOURCE_MAX_BYTES": "1000"}, "SOURCE_MAX_BYTES", "must be >= 1048576"},
		{map[string]string{"SOURCE_MAX_BYTES": "1GB"}, "SOURCE_MAX_BYTES", "is not a valid integer"},
		{map[string]string{"SOURCE_HOST_CONCURRENCY": "0"}, "SOURCE_HOST_CONCURRENCY", "must be >= 1"},
		{map[string]string{"SOURCE_HOST_DELAY": "-1"}, "SOURCE_HOST_DELAY", "must be >= 0"},
		{map[string]string{"SOURCE_REDIRECT_HOSTS": "acme.com,http://x.y/z"}, "SOURCE_REDIRECT_HOSTS", "host names"},
		{map[string]string{"SHUTDOWN_GRACE": "0"}, "SHUTDOWN_GRACE", "must be > 0"},
		{map[string]string{"EMAIL_FAILURE_THRESHOLD": "0"}, "EMAIL_FAILURE_THRESHOLD", "must be >= 1"},
		{map[string]string{"EMAIL_RECOVERY_TIMEOUT": "0"}, "EMAIL_RECOVERY_TIMEOUT", "must be > 0"},
		{map[string]string{"OPENAI_FAILURE_THRESHOLD": "0"}, "OPENAI_FAILURE_THRESHOLD", "must be >= 1"},
		{map[string]string{"OPENAI_RECOVERY_TIMEOUT": "-3m"}, "OPENAI_RECOVERY_TIMEOUT", "must be > 0"},
		{map[string]string{"SCHEDULER_TIMEZONE": "Mars/Olympus"}, "SCHEDULER_TIMEZONE", "IANA time zone"},
		{map[string]string{"HEALTH_CHECK_INTERVAL": "0"}, "HEALTH_CHECK_INTERVAL", "must be > 0"},
		{map[string]string{"SCHEDULER_RESTART_DELAY": "0"}, "SCHEDULER_RESTART_DELAY", "must be > 0"},
		{map[string]string{"FETCH_INTERVAL": "0"}, "FETCH_INTERVAL", "must be > 0"},
		{map[string]string{"AUTOMATION_INTERVAL": "0"}, "AUTOMATION_INTERVAL", "must be > 0"},
		{map[string]string{"FOLLOW_UP_CRON": "every day"}, "FOLLOW_UP_CRON", "cron expression"},
		{map[string]string{"CLEANUP_CRON": "0 2 * *"}, "CLEANUP_CRON", "cron expression"},
		{map[string]string{"RESCUE_STUCK_JOBS_AFTER": "300"}, "RESCUE_STUCK_JOBS_AFTER", "must be >= JOB_TIMEOUT"},
		{map[string]string{"WORKERS": "0"}, "WORKERS", "must be >= 1"},
		{map[string]string{"DRAFT_MAX_ATTEMPTS": "0"}, "DRAFT_MAX_ATTEMPTS", "must be >= 1"},
		{map[string]string{"SEND_MAX_ATTEMPTS": "0"}, "SEND_MAX_ATTEMPTS", "must be >= 1"},
		{map[string]string{"SCHEDULED_MAX_ATTEMPTS": "-2"}, "SCHEDULED_MAX_ATTEMPTS", "must be >= 1"},
		{map[string]string{"REQUEUE_STUCK_AFTER": "300"}, "REQUEUE_STUCK_AFTER", "must be >= JOB_TIMEOUT"},
		{map[string]string{"APPLY_MODE": "auto"}, "APPLY_MODE", "must be one of review, direct"},
		{map[string]string{"FOLLOW_UP_DAYS": "0"}, "FOLLOW_UP_DAYS", "must be >= 1"},
		{map[string]string{"JOBPILOT_WRITER": "gpt"}, "JOBPILOT_WRITER", "must be one of"},
		{map[string]string{"SMTP_TLS": "ssl"}, "SMTP_TLS", "must be one of starttls, tls, none"},
		{map[string]string{"SMTP_PORT": "70000"}, "SMTP_PORT", "between 1 and 65535"},
		{map[string]string{"SMTP_PORT": "-1"}, "SMTP_PORT", "between 1 and 65535"},
		{map[string]string{"SMTP_FROM": "not an address"}, "SMTP_FROM", "email address"},
		{map[string]string{"SMTP_PASSWORD": "pw"}, "SMTP_USERNAME", "must be set when SMTP_PASSWORD is"},
		{map[string]string{"IMAP_HOST": "imap.example.com"}, "IMAP_USERNAME", "must be set when IMAP_HOST is"},
		{map[string]string{"IMAP_PASSWORD": "pw"}, "IMAP_USERNAME", "must be set when IMAP_PASSWORD is"},
		{map[string]string{"IMAP_TLS": "ssl"}, "IMAP_TLS", "must be one of tls, starttls, none"},
		{map[string]string{"IMAP_PORT": "70000"}, "IMAP_PORT", "must be between 1 and 65535"},
		{map[string]string{"BCC_SELF": "yes"}, "BCC_SELF", "must be one of auto, on, off"},
		{map[string]string{"MAILBOX_INTERVAL": "-1"}, "MAILBOX_INTERVAL", "must be > 0"},
		{map[string]string{"UNCERTAIN_GRACE": "-5m"}, "UNCERTAIN_GRACE", "must be > 0"},
		{map[string]string{"NOTIFY_CRON": "daily"}, "NOTIFY_CRON", "cron expression"},
		{map[string]string{"NOTIFY_WEBHOOK_URL": "ftp://hooks.example.com/x"}, "NOTIFY_WEBHOOK_URL", "must be an http(s) URL"},
		{map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL", "http(s) URL"},
		{map[string]string{"HTTP_ADDR": "8000"}, "HTTP_ADDR", "host:port"},
		{map[string]string{"DATABASE_URL": "postgres://"}, "DATABASE_URL", "must be a URL"},
		{map[string]string{"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL", "SQLite file"},
		{map[string]string{"JOBPILOT_TIME_SCALE": "0"}, "JOBPILOT_TIME_SCALE", "must be > 0"},
		{map[string]string{"JOBPILOT_EXAMPLES": "maybe"}, "JOBPILOT_EXAMPLES", "boolean"},
		{map[string]string{"HTTP_MAX_CONNECTIONS": "2"}, "HTTP_MAX_CONNECTIONS", "must be >= 8"},
		{map[string]string{"HTTP_MAX_CONNECTIONS_PER_ADDRESS": "0"}, "HTTP_MAX_CONNECTIONS_PER_ADDRESS", "must be >= 1"},
		{map[string]string{"HTTP_READ_HEADER_TIMEOUT": "0"}, "HTTP_READ_HEADER_TIMEOUT", "must be > 0"},
		{map[string]string{"HTTP_READ_TIMEOUT": "0"}, "HTTP_READ_TIMEOUT", "must be > 0"},
		{map[string]string{"HTTP_LOGIN_READ_TIMEOUT": "0"}, "HTTP_LOGIN_READ_TIMEOUT", "must be > 0"},
		{map[string]string{"HTTP_AUTH_FAILURES_PER_MINUTE": "0"}, "HTTP_AUTH_FAILURES_PER_MINUTE", "must be >= 1"},
		{map[string]string{"SESSION_TTL": "0"}, "SESSION_TTL", "must be > 0"},
		{map[string]string{"JOBPILOT_API_TOKEN": "x"}, "JOBPILOT_API_TOKEN", "at least 32 characters (got 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.wantVar+"="+strings.Join(mapValues(tt.env), ","), func(t *testing.T) {
			_, err := config.Load(envOf(tt.env), "")
			if err == nil {
				t.Fatal("Load accepted an invalid value")
			}
			if jobpilot.ErrorCode(err) != jobpilot.EINVALID {
				t.Errorf("error code %q, want %q", jobpilot.ErrorCode(err), jobpilot.EINVALID)
			}
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("want exactly one problem, got %d: %v", len(ps), err)
			}
			if ps[0].Var != tt.wantVar || !strings.Contains(ps[0].Message, tt.wantMsg) {
				t.Errorf("got %q, want %s ... %s", ps[0].Error(), tt.wantVar, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantVar+" ") {
				t.Errorf("message %q does not name %s", err, tt.wantVar)
			}
		})
	}
}

// A guessable API token stops config check and start-up with a message that
// gives the rule and the length, never the token.
func TestShortAPITokenRefused(t *testing.T) {
	short := "tok-31-characters-long-abcdefgh"
	_, err := config.Load(envOf(map[string]string{"JOBPILOT_API_TOKEN": short}), "")
	if err == nil || !strings.Contains(err.Error(), "JOBPILOT_API_TOKEN must be at least 32 characters (got 31)") {
		t.Fatalf("a 31-character token: %v", err)
	}
	if strings.Contains(err.Error(), short) {
		t.Fatalf("the message echoes the token: %v", err)
	}
	if _, err := config.Load(envOf(map[string]string{"JOBPILOT_API_TOKEN": short + "i"}), ""); err != nil {
		t.Fatalf("a 32-character token: %v", err)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// A per-service retry setting left unset takes the global one when that was
// set, in the environment or in the file, and the guide's value otherwise;
// its own setting wins over both.
func TestRetryFallbacks(t *testing.T) {
	file := writeFile(t, "retry:\n  initial_delay: 3\n  resume_initial_delay: 4\n")
	cfg, err := config.Load(envOf(map[string]string{"MAX_RETRIES": "5", "EMAIL_MAX_RETRIES": "1"}), file)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Retry
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"EMAIL_MAX_RETRIES", r.EmailMaxRetries, 1},   // its own
		{"RESUME_MAX_RETRIES", r.ResumeMaxRetries, 5}, // MAX_RETRIES
		{"COVER_LETTER_MAX_RETRIES", r.CoverLetterMaxRetries, 5},
		{"EMAIL_INITIAL_DELAY", r.EmailInitialDelay, 3 * time.Second}, // the file's initial_delay
		{"RESUME_INITIAL_DELAY", r.ResumeInitialDelay, 4 * time.Second},
		{"EMAIL_MAX_DELAY", r.EmailMaxDelay, 30 * time.Second}, // MAX_DELAY unset: the guide's
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// MAX_DELAY caps the services that have no cap of their own.
	cfg, err = config.Load(envOf(map[string]string{"MAX_DELAY": "5", "INITIAL_DELAY": "0.5", "EMAIL_MAX_DELAY": "20"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Retry; r.ResumeMaxDelay != 5*time.Second || r.CoverLetterMaxDelay != 5*time.Second || r.EmailMaxDelay != 20*time.Second {
		t.Errorf("max delays: resume %s, cover letter %s, email %s; want 5s, 5s, 20s", r.ResumeMaxDelay, r.CoverLetterMaxDelay, r.EmailMaxDelay)
	}
}

func TestMaxRetriesMessage(t *testing.T) {
	_, err := config.Load(envOf(map[string]string{"MAX_RETRIES": "-1"}), "")
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%v is not a *config.Error", err)
	}
	if got := ce.Error(); got != "MAX_RETRIES must be >= 0 (got -1)" {
		t.Errorf("message %q", got)
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	_, err := config.Load(envOf(map[string]string{
		"MAX_RETRIES": "-1", "APPLY_MODE": "yolo", "SMTP_TLS": "ssl", "WORKERS": "x",
	}), "")
	got := map[string]bool{}
	for _, p := range problems(t, err) {
		got[p.Var] = true
	}
	// WORKERS fails to parse, so validation is not reached: parse errors come
	// first, all of them.
	if !got["WORKERS"] || len(got) != 1 {
		t.Errorf("parse stage: got %v", got)
	}
	_, err = config.Load(envOf(map[string]string{"MAX_RETRIES": "-1", "APPLY_MODE": "yolo", "SMTP_TLS": "ssl"}), "")
	got = map[string]bool{}
	for _, p := range problems(t, err) {
		got[p.Var] = true
	}
	for _, v := range []string{"MAX_RETRIES", "APPLY_MODE", "SMTP_TLS"} {
		if !got[v] {
			t.Errorf("%s missing from %v", v, err)
		}
	}
}

// config keeps each source as written and checks nothing about board
// types: their rules are the source registry's (see internal/system's
// TestSourceRules), passed to Load as a Rule.
func TestSourcesKeptAsWritten(t *testing.T) {
	cfg, err := config.Load(envOf(nil), writeFile(t, `
sources:
  - type: greenhouse
    name: acme
    token: acme
    filter:
      title_keywords: [go, backend]
      remote_only: true
  - {type: lever, name: globex, site: globex}
  - {type: indeed, name: x}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := config.SourceConfig{"type": "greenhouse", "name": "acme", "token": "acme",
		"filter": map[string]any{"title_keywords": []any{"go", "backend"}, "remote_only": true}}
	if len(cfg.Sources) != 3 || !reflect.DeepEqual(cfg.Sources[0], want) || cfg.Sources[2].Type() != "indeed" || cfg.Sources[1].Name() != "globex" {
		t.Errorf("sources decoded wrongly: %#v", cfg.Sources)
	}

	rule := func(c *config.Config) []error {
		return []error{&config.Error{Var: "sources[2].type", Message: "is not a board"}}
	}
	_, err = config.Load(envOf(map[string]string{"MAX_RETRIES": "-1"}), writeFile(t, "sources:\n  - {type: indeed, name: x}\n"), rule)
	ps := problems(t, err)
	if len(ps) != 2 || ps[0].Var != "MAX_RETRIES" || ps[1].Var != "sources[2].type" {
		t.Fatalf("rule problems not joined with the others: %v", err)
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown key", "retry:\n  max_retry: 5\n", "max_retry"},
		{"wrong type", "retry:\n  max_retries: many\n", "max_retries"},
		{"bad duration", "timeouts:\n  job: forever\n", "forever"},
		{"not yaml", "retry: [\n", "configuration file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(envOf(nil), writeFile(t, tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
			if jobpilot.ErrorCode(err) != jobpilot.EINVALID {
				t.Errorf("code %q", jobpilot.ErrorCode(err))
			}
		})
	}
	_, err := config.Load(envOf(nil), filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "JOBPILOT_CONFIG cannot be read") {
		t.Errorf("missing file: %v", err)
	}
	cfg, err := config.Load(envOf(nil), writeFile(t, "# only a comment\n"))
	if err != nil || cfg.Retry.MaxRetries != 3 {
		t.Errorf("empty file: %v", err)
	}
	// Keys with no value keep their defaults instead of becoming zero
	// (goccy/go-yaml keeps the destination's value for a null node).
	cfg, err = config.Load(envOf(nil), writeFile(t, "smtp:\nretry:\n  max_retries:\n  max_delay: 30\n"))
	if err != nil {
		t.Fatalf("null keys: %v", err)
	}
	if cfg.SMTP.TLS != "starttls" || cfg.Retry.MaxRetries != 3 || cfg.Retry.MaxDelay != 30*time.Second {
		t.Errorf("null keys: tls=%q retries=%d max_delay=%s", cfg.SMTP.TLS, cfg.Retry.MaxRetries, cfg.Retry.MaxDelay)
	}
}

func TestRedaction(t *testing.T) {
	const (
		smtpPW = "smtp-pa55-word"
		apiKey = "sk-test-0123456789"
		token  = "api-token-xyz-0123456789-abcdefghij"
		dbPW   = "db-s3cret"
		imapPW = "imap-pa55-word"
		ntfy   = "https://ntfy.sh/secret-topic-4711"
	)
	cfg, err := config.Load(envOf(map[string]string{
		"SMTP_HOST": "mail.example.com", "SMTP_USERNAME": "me", "SMTP_PASSWORD": smtpPW,
		"IMAP_HOST": "imap.example.com", "IMAP_USERNAME": "me", "IMAP_PASSWORD": imapPW, "NOTIFY_NTFY_URL": ntfy,
		"OPENAI_API_KEY": apiKey, "JOBPILOT_API_TOKEN": token,
		"DATABASE_URL": "postgres://jobpilot:" + dbPW + "@db.internal:5432/jobs?sslmode=disable",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := cfg.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{smtpPW, apiKey, token, dbPW, imapPW, "secret-topic-4711"} {
		if strings.Contains(out.String(), s) {
			t.Errorf("secret %q printed:\n%s", s, out.String())
		}
	}
	r := cfg.Redacted()
	for _, v := range []string{"SMTP_PASSWORD", "OPENAI_API_KEY", "JOBPILOT_API_TOKEN", "IMAP_PASSWORD", "NOTIFY_NTFY_URL"} {
		if r[v] != config.Redacted {
			t.Errorf("%s = %q, want %q", v, r[v], config.Redacted)
		}
	}
	if want := "postgres://jobpilot:[redacted]@db.internal:5432/jobs?sslmode=disable"; r["DATABASE_URL"] != want {
		t.Errorf("DATABASE_URL = %q, want %q", r["DATABASE_URL"], want)
	}
	if r["SMTP_HOST"] != "mail.example.com" || r["MAX_RETRIES"] != "3" || r["INITIAL_DELAY"] != "1s" {
		t.Errorf("non-secrets must print as they are: %v", r)
	}
	if r["IMAP_HOST"] != "imap.example.com" || r["IMAP_USERNAME"] != "me" || r["IMAP_FOLDERS"] != "INBOX" || r["IMAP_PORT"] != "993" {
		t.Errorf("the mailbox settings must print as they are: %v", r)
	}
	if got := cfg.Secrets(); !reflect.DeepEqual(got, []string{smtpPW, apiKey, token, imapPW, ntfy, dbPW}) {
		t.Errorf("Secrets() = %q", got)
	}

	// Unset secrets say so; a password in the query string is found too.
	cfg, err = config.Load(envOf(map[string]string{
		"DATABASE_URL": "postgres://db.internal/jobs?user=jp&password=" + dbPW,
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	r = cfg.Redacted()
	for _, v := range []string{"SMTP_PASSWORD", "OPENAI_API_KEY", "JOBPILOT_API_TOKEN", "IMAP_PASSWORD"} {
		if r[v] != config.Unset {
			t.Errorf("%s = %q, want %q", v, r[v], config.Unset)
		}
	}
	if strings.Contains(r["DATABASE_URL"], dbPW) || !strings.Contains(r["DATABASE_URL"], "password="+config.Redacted) {
		t.Errorf("DATABASE_URL = %q", r["DATABASE_URL"])
	}
	if got := cfg.Secrets(); !reflect.DeepEqual(got, []string{dbPW}) {
		t.Errorf("Secrets() = %q", got)
	}
}

func TestDatabaseHelpers(t *testing.T) {
	tests := []struct {
		url      string
		postgres bool
		path     string
	}{
		{"postgres://u:p@h:5432/db", true, ""},
		{"postgresql://h/db", true, ""},
		{"sqlite://data/jobpilot.db", false, "data/jobpilot.db"},
		{"sqlite:///var/lib/jobpilot.db", false, "/var/lib/jobpilot.db"},
		{"sqlite:x.db?_pragma=busy_timeout(5000)", false, "x.db"},
		{"file:y.db", false, "y.db"},
		{"plain.db", false, "plain.db"},
	}
	for _, tt := range tests {
		cfg, err := config.Load(envOf(map[string]string{"DATABASE_URL": tt.url}), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		if cfg.IsPostgres() != tt.postgres || cfg.SQLitePath() != tt.path {
			t.Errorf("%s: IsPostgres=%v SQLitePath=%q", tt.url, cfg.IsPostgres(), cfg.SQLitePath())
		}
	}
}

func TestUsesTemplateWriter(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"OPENAI_API_KEY": "sk-1"}, false},
		{map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, false}, // Ollama, no key
		{map[string]string{"OPENAI_BASE_URL": llm.DefaultBaseURL + "/"}, true},
		{map[string]string{"OPENAI_API_KEY": "sk-1", "JOBPILOT_WRITER": "template"}, true},
		{map[string]string{"JOBPILOT_WRITER": "llm"}, false},
	}
	for _, tt := range tests {
		cfg, err := config.Load(envOf(tt.env), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.UsesTemplateWriter(); got != tt.want {
			t.Errorf("%v: UsesTemplateWriter() = %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestLocation(t *testing.T) {
	cfg, err := config.Load(envOf(map[string]string{"SCHEDULER_TIMEZONE": "Europe/Paris"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Location().String() != "Europe/Paris" {
		t.Errorf("Location() = %s", cfg.Location())
	}
	// A hand-built Config still answers.
	c := config.Default()
	c.Scheduler.Timezone = "Asia/Tokyo"
	if c.Location().String() != "Asia/Tokyo" {
		t.Errorf("Location() = %s", c.Location())
	}
	c.Scheduler.Timezone = "Nowhere/Else"
	if c.Location() != time.UTC {
		t.Errorf("bad zone: Location() = %s, want UTC", c.Location())
	}
}

// TestEveryVariableIsDocumented keeps the README's table true: every
// variable the loader reads appears there, and each appears in Settings.
func TestEveryVariableIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	seen := map[string]bool{}
	for _, s := range cfg.Settings() {
		if seen[s.Var] {
			t.Errorf("%s appears twice", s.Var)
		}
		seen[s.Var] = true
		if !strings.Contains(string(readme), "`"+s.Var+"`") {
			t.Errorf("README.md does not document %s", s.Var)
		}
		if !strings.Contains(string(readme), "`"+s.YAMLKey+"`") {
			t.Errorf("README.md does not document the YAML key %s", s.YAMLKey)
		}
	}
	if len(seen) < 40 {
		t.Errorf("only %d variables found", len(seen))
	}
}

// A list variable prints as it is written, comma-separated, and as (unset)
// when empty.
func TestListSettingPrintsAsWritten(t *testing.T) {
	vars := map[string]string{"SOURCE_REDIRECT_HOSTS": "careers.acme.com,.acme.io"}
	cfg, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Redacted()["SOURCE_REDIRECT_HOSTS"]; got != "careers.acme.com,.acme.io" {
		t.Errorf("SOURCE_REDIRECT_HOSTS prints %q", got)
	}
	var out strings.Builder
	if err := config.Default().Print(&out); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^SOURCE_REDIRECT_HOSTS\s+\(unset\)\s+fetch\.redirect_hosts$`).MatchString(out.String()) {
		t.Errorf("unset list:\n%s", out.String())
	}
}
