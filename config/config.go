// Package config reads jobpilot's configuration once at start-up: from
// environment variables (the stability guide's names) and an optional YAML
// file, the environment winning, into a typed and validated Config that is
// passed down. No other package reads the environment.
package config

import "time"

// Config is the whole configuration. Durations accept plain seconds as the
// stability guide writes them ("1.0", "600") and Go durations ("90s", "5m").
type Config struct {
	Environment string // ENVIRONMENT, default "development"
	HTTPAddr    string // HTTP_ADDR, default ":8000"
	DataDir     string // JOBPILOT_DATA_DIR, default "./data"
	// DatabaseURL is DATABASE_URL: "postgres://…" for PostgreSQL, otherwise
	// an SQLite file (default "sqlite://<DataDir>/jobpilot.db").
	DatabaseURL string
	APIToken    string // JOBPILOT_API_TOKEN (secret)
	Examples    bool   // JOBPILOT_EXAMPLES, default on: load the example profile and postings on an empty database
	NodeID      string // JOBPILOT_NODE_ID: stable identity of this process for crash rescue; default derived from host name and data dir
	// TimeScale multiplies every resilience delay, timeout and recovery time
	// (JOBPILOT_TIME_SCALE, default 1). Tests and the fault lab set it below 1
	// to run the guide's scenarios in milliseconds; production leaves it alone.
	TimeScale float64

	Retry     Retry
	Timeouts  Timeouts
	Breakers  Breakers
	Scheduler Scheduler
	Apply     Apply
	SMTP      SMTP
	OpenAI    OpenAI
	Sources   []SourceConfig // YAML only: the job boards to poll
}

// Retry is the default retry policy (the guide's retry_with_backoff).
type Retry struct {
	MaxRetries   int           // MAX_RETRIES, default 3: retries after the first attempt
	InitialDelay time.Duration // INITIAL_DELAY, default 1s
	MaxDelay     time.Duration // MAX_DELAY, default 60s
	Base         float64       // RETRY_BASE, default 2.0
	Jitter       float64       // RETRY_JITTER, default 0 (fraction of each delay, 0–1)
}

// Timeouts bound each kind of work.
type Timeouts struct {
	Job         time.Duration // JOB_TIMEOUT, default 600s: one posting
	Automation  time.Duration // AUTOMATION_TIMEOUT, default 3600s: one full run
	Resume      time.Duration // RESUME_TIMEOUT, default 120s: one resume attempt
	CoverLetter time.Duration // COVER_LETTER_TIMEOUT, default 60s
	Email       time.Duration // EMAIL_TIMEOUT, default 30s: one SMTP transaction
	Source      time.Duration // SOURCE_TIMEOUT, default 30s: one job-board request
	Shutdown    time.Duration // SHUTDOWN_GRACE, default 30s
}

// Breakers are the shared circuit breakers' settings.
type Breakers struct {
	EmailFailureThreshold  int           // EMAIL_FAILURE_THRESHOLD, default 5
	EmailRecoveryTimeout   time.Duration // EMAIL_RECOVERY_TIMEOUT, default 300s
	OpenAIFailureThreshold int           // OPENAI_FAILURE_THRESHOLD, default 3
	OpenAIRecoveryTimeout  time.Duration // OPENAI_RECOVERY_TIMEOUT, default 180s
}

// Scheduler is the engine's schedule and supervisor.
type Scheduler struct {
	Timezone            string        // SCHEDULER_TIMEZONE, default "UTC"
	HealthCheckInterval time.Duration // HEALTH_CHECK_INTERVAL, default 300s
	RestartDelay        time.Duration // SCHEDULER_RESTART_DELAY, default 60s
	FetchInterval       time.Duration // FETCH_INTERVAL, default 6h
	AutomationInterval  time.Duration // AUTOMATION_INTERVAL, default 1h
	FollowUpCron        string        // FOLLOW_UP_CRON, default "0 10 * * *"
	CleanupCron         string        // CLEANUP_CRON, default "0 2 * * *"
	RescueAfter         time.Duration // RESCUE_STUCK_JOBS_AFTER: other nodes' running jobs older than this are rescued; default JOB_TIMEOUT + 60s
	Workers             int           // WORKERS, default 10
}

// Apply is how applications go out.
type Apply struct {
	Mode         string // APPLY_MODE: "review" (default) or "direct"
	FollowUpDays int    // FOLLOW_UP_DAYS, default 3
	Writer       string // JOBPILOT_WRITER: "" (auto), "template" or "llm"
}

// SMTP is the mail server. With no Host, mail goes to <DataDir>/outbox as .eml files.
type SMTP struct {
	Host     string // SMTP_HOST
	Port     int    // SMTP_PORT, default 587 (465 when TLS is "tls", 25 when "none")
	Username string // SMTP_USERNAME
	Password string // SMTP_PASSWORD (secret)
	From     string // SMTP_FROM; default the profile's email
	TLS      string // SMTP_TLS: "starttls" (default), "tls" or "none"
}

// OpenAI is any OpenAI-compatible chat-completions endpoint.
type OpenAI struct {
	APIKey  string // OPENAI_API_KEY (secret)
	BaseURL string // OPENAI_BASE_URL, default "https://api.openai.com/v1"
	Model   string // OPENAI_MODEL, default "gpt-4o-mini"
}

// DefaultOpenAIBaseURL is OPENAI_BASE_URL's default.
const DefaultOpenAIBaseURL = "https://api.openai.com/v1"

// SourceConfig is one job board, from the YAML file's "sources" list.
type SourceConfig struct {
	Type    string       `yaml:"type"`               // greenhouse, lever, ashby, hn, json
	Name    string       `yaml:"name"`               // unique; postings carry "<type>:<name>"
	Token   string       `yaml:"token,omitempty"`    // Greenhouse board token
	Site    string       `yaml:"site,omitempty"`     // Lever site
	Org     string       `yaml:"org,omitempty"`      // Ashby organisation
	URL     string       `yaml:"url,omitempty"`      // json: file path or URL
	BaseURL string       `yaml:"base_url,omitempty"` // override the board's API base (tests, proxies)
	Filter  SourceFilter `yaml:"filter,omitempty"`
}

// SourceFilter keeps only the postings a source's owner cares about.
type SourceFilter struct {
	TitleKeywords []string `yaml:"title_keywords,omitempty"`
	Locations     []string `yaml:"locations,omitempty"`
	RemoteOnly    bool     `yaml:"remote_only,omitempty"`
}
