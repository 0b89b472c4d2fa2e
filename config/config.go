// Package config reads jobpilot's configuration once at start-up: from
// environment variables (the stability guide's names) and an optional YAML
// file, the environment winning, into a typed and validated Config that is
// passed down. No other package reads the environment.
package config

import "time"

// Config is the whole configuration. Durations accept plain seconds as the
// stability guide writes them ("1.0", "600") and Go durations ("90s", "5m").
type Config struct {
	Environment string `env:"ENVIRONMENT" yaml:"environment"`    // ENVIRONMENT, default "development"
	HTTPAddr    string `env:"HTTP_ADDR" yaml:"http_addr"`        // HTTP_ADDR, default ":8000"
	DataDir     string `env:"JOBPILOT_DATA_DIR" yaml:"data_dir"` // JOBPILOT_DATA_DIR, default "./data"
	// DatabaseURL is DATABASE_URL: "postgres://…" for PostgreSQL, otherwise
	// an SQLite file (default "sqlite://<DataDir>/jobpilot.db").
	DatabaseURL string `env:"DATABASE_URL" yaml:"database_url"`
	APIToken    string `env:"JOBPILOT_API_TOKEN" yaml:"api_token"` // JOBPILOT_API_TOKEN (secret)
	Examples    bool   `env:"JOBPILOT_EXAMPLES" yaml:"examples"`   // JOBPILOT_EXAMPLES, default on: load the example profile and postings on an empty database
	NodeID      string `env:"JOBPILOT_NODE_ID" yaml:"node_id"`     // JOBPILOT_NODE_ID: stable identity of this process for crash rescue; default derived from host name and data dir
	// TimeScale multiplies every resilience delay, timeout and recovery time,
	// the supervisor's health-check interval and restart delay included
	// (JOBPILOT_TIME_SCALE, default 1). Tests and the fault lab set it below 1
	// to run the guide's scenarios in milliseconds; production leaves it alone.
	TimeScale float64 `env:"JOBPILOT_TIME_SCALE" yaml:"time_scale"`

	HTTP      HTTP           `yaml:"http"`
	Retry     Retry          `yaml:"retry"`
	Timeouts  Timeouts       `yaml:"timeouts"`
	Breakers  Breakers       `yaml:"breakers"`
	Scheduler Scheduler      `yaml:"scheduler"`
	Apply     Apply          `yaml:"apply"`
	SMTP      SMTP           `yaml:"smtp"`
	Mailbox   Mailbox        `yaml:"mailbox"`
	Notify    Notify         `yaml:"notify"`
	OpenAI    OpenAI         `yaml:"openai"`
	Fetch     Fetch          `yaml:"fetch"`
	Sources   []SourceConfig `env:"-" yaml:"sources"` // YAML only: the job boards to poll

	location *time.Location // SCHEDULER_TIMEZONE, loaded once by Load
	// explicit holds the variables the environment or the file set, so a
	// per-service setting can fall back to a global one only when that
	// was given.
	explicit map[string]bool
}

// HTTP bounds what clients of the HTTP server may hold or try.
type HTTP struct {
	MaxConnections        int           `env:"HTTP_MAX_CONNECTIONS" yaml:"max_connections"`                         // HTTP_MAX_CONNECTIONS, default 256: connections served at once; more wait to be accepted
	MaxConnectionsPerAddr int           `env:"HTTP_MAX_CONNECTIONS_PER_ADDRESS" yaml:"max_connections_per_address"` // HTTP_MAX_CONNECTIONS_PER_ADDRESS, default 64: connections one client address may hold; more are closed at once
	ReadHeaderTimeout     time.Duration `env:"HTTP_READ_HEADER_TIMEOUT" yaml:"read_header_timeout"`                 // HTTP_READ_HEADER_TIMEOUT, default 5s: time to send a request's headers
	ReadTimeout           time.Duration `env:"HTTP_READ_TIMEOUT" yaml:"read_timeout"`                               // HTTP_READ_TIMEOUT, default 30s: time to send a whole request, body included
	LoginReadTimeout      time.Duration `env:"HTTP_LOGIN_READ_TIMEOUT" yaml:"login_read_timeout"`                   // HTTP_LOGIN_READ_TIMEOUT, default 5s: time to send the dashboard's sign-in form
	AuthFailuresPerMinute int           `env:"HTTP_AUTH_FAILURES_PER_MINUTE" yaml:"auth_failures_per_minute"`       // HTTP_AUTH_FAILURES_PER_MINUTE, default 10: wrong tokens one address may send before it gets 429
	SessionTTL            time.Duration `env:"SESSION_TTL" yaml:"session_ttl"`                                      // SESSION_TTL, default 12h: how long a dashboard sign-in lasts
}

// Retry is the default retry policy (the guide's retry_with_backoff) and
// each dependency's own. A per-service variable left unset takes the
// global one (MAX_RETRIES, INITIAL_DELAY, MAX_DELAY) when that is set, and
// otherwise the stability guide's value for the service; RETRY_BASE and
// RETRY_JITTER shape every service's backoff.
type Retry struct {
	MaxRetries   int           `env:"MAX_RETRIES" yaml:"max_retries"`     // MAX_RETRIES, default 3: retries after the first attempt
	InitialDelay time.Duration `env:"INITIAL_DELAY" yaml:"initial_delay"` // INITIAL_DELAY, default 1s
	MaxDelay     time.Duration `env:"MAX_DELAY" yaml:"max_delay"`         // MAX_DELAY, default 60s
	Base         float64       `env:"RETRY_BASE" yaml:"base"`             // RETRY_BASE, default 2.0
	Jitter       float64       `env:"RETRY_JITTER" yaml:"jitter"`         // RETRY_JITTER, default 0 (fraction of each delay, 0–1)

	EmailMaxRetries         int           `env:"EMAIL_MAX_RETRIES" yaml:"email_max_retries"`                   // EMAIL_MAX_RETRIES, default 3
	EmailInitialDelay       time.Duration `env:"EMAIL_INITIAL_DELAY" yaml:"email_initial_delay"`               // EMAIL_INITIAL_DELAY, default 2s (2, 4, 8 s)
	EmailMaxDelay           time.Duration `env:"EMAIL_MAX_DELAY" yaml:"email_max_delay"`                       // EMAIL_MAX_DELAY, default 30s
	ResumeMaxRetries        int           `env:"RESUME_MAX_RETRIES" yaml:"resume_max_retries"`                 // RESUME_MAX_RETRIES, default 3
	ResumeInitialDelay      time.Duration `env:"RESUME_INITIAL_DELAY" yaml:"resume_initial_delay"`             // RESUME_INITIAL_DELAY, default 2s (2, 4, 8 s)
	ResumeMaxDelay          time.Duration `env:"RESUME_MAX_DELAY" yaml:"resume_max_delay"`                     // RESUME_MAX_DELAY, default 30s
	CoverLetterMaxRetries   int           `env:"COVER_LETTER_MAX_RETRIES" yaml:"cover_letter_max_retries"`     // COVER_LETTER_MAX_RETRIES, default 2 (also embeddings)
	CoverLetterInitialDelay time.Duration `env:"COVER_LETTER_INITIAL_DELAY" yaml:"cover_letter_initial_delay"` // COVER_LETTER_INITIAL_DELAY, default 1s (1, 2 s)
	CoverLetterMaxDelay     time.Duration `env:"COVER_LETTER_MAX_DELAY" yaml:"cover_letter_max_delay"`         // COVER_LETTER_MAX_DELAY, default 30s
}

// Timeouts bound each kind of work.
type Timeouts struct {
	Job         time.Duration `env:"JOB_TIMEOUT" yaml:"job"`                   // JOB_TIMEOUT, default 600s: one posting
	Automation  time.Duration `env:"AUTOMATION_TIMEOUT" yaml:"automation"`     // AUTOMATION_TIMEOUT, default 3600s: one full run
	Resume      time.Duration `env:"RESUME_TIMEOUT" yaml:"resume"`             // RESUME_TIMEOUT, default 120s: one resume attempt
	CoverLetter time.Duration `env:"COVER_LETTER_TIMEOUT" yaml:"cover_letter"` // COVER_LETTER_TIMEOUT, default 60s
	Email       time.Duration `env:"EMAIL_TIMEOUT" yaml:"email"`               // EMAIL_TIMEOUT, default 30s: one SMTP transaction
	Notify      time.Duration `env:"NOTIFY_TIMEOUT" yaml:"notify"`             // NOTIFY_TIMEOUT, default 10s: one notification on one channel (webhook, ntfy, email)
	Mailbox     time.Duration `env:"MAILBOX_TIMEOUT" yaml:"mailbox"`           // MAILBOX_TIMEOUT, default 60s: one read of one mailbox folder (IMAP)
	Source      time.Duration `env:"SOURCE_TIMEOUT" yaml:"source"`             // SOURCE_TIMEOUT, default 30s: a job-board request's connection and first byte
	SourceIdle  time.Duration `env:"SOURCE_IDLE_TIMEOUT" yaml:"source_idle"`   // SOURCE_IDLE_TIMEOUT, default 30s: the longest silence while a response is read
	Shutdown    time.Duration `env:"SHUTDOWN_GRACE" yaml:"shutdown"`           // SHUTDOWN_GRACE, default 30s
}

// Fetch is how every source reads its board, whatever its type.
type Fetch struct {
	MaxBytes        int64         `env:"SOURCE_MAX_BYTES" yaml:"max_bytes"`               // SOURCE_MAX_BYTES, default 1 GiB: the largest response one request may have
	HostConcurrency int           `env:"SOURCE_HOST_CONCURRENCY" yaml:"host_concurrency"` // SOURCE_HOST_CONCURRENCY, default 2: requests at once to one host
	HostDelay       time.Duration `env:"SOURCE_HOST_DELAY" yaml:"host_delay"`             // SOURCE_HOST_DELAY, default 0.25s: least time between two requests to one host
	RedirectHosts   []string      `env:"SOURCE_REDIRECT_HOSTS" yaml:"redirect_hosts"`     // SOURCE_REDIRECT_HOSTS: hosts a fetch may be redirected to besides its own ("careers.acme.com", ".acme.com" for every subdomain)
}

// Breakers are the shared circuit breakers' settings.
type Breakers struct {
	EmailFailureThreshold  int           `env:"EMAIL_FAILURE_THRESHOLD" yaml:"email_failure_threshold"`   // EMAIL_FAILURE_THRESHOLD, default 5
	EmailRecoveryTimeout   time.Duration `env:"EMAIL_RECOVERY_TIMEOUT" yaml:"email_recovery_timeout"`     // EMAIL_RECOVERY_TIMEOUT, default 300s
	OpenAIFailureThreshold int           `env:"OPENAI_FAILURE_THRESHOLD" yaml:"openai_failure_threshold"` // OPENAI_FAILURE_THRESHOLD, default 3
	OpenAIRecoveryTimeout  time.Duration `env:"OPENAI_RECOVERY_TIMEOUT" yaml:"openai_recovery_timeout"`   // OPENAI_RECOVERY_TIMEOUT, default 180s
}

// Scheduler is the engine's schedule and supervisor.
type Scheduler struct {
	Timezone            string        `env:"SCHEDULER_TIMEZONE" yaml:"timezone"`                 // SCHEDULER_TIMEZONE, default "UTC"
	HealthCheckInterval time.Duration `env:"HEALTH_CHECK_INTERVAL" yaml:"health_check_interval"` // HEALTH_CHECK_INTERVAL, default 300s
	RestartDelay        time.Duration `env:"SCHEDULER_RESTART_DELAY" yaml:"restart_delay"`       // SCHEDULER_RESTART_DELAY, default 60s
	FetchInterval       time.Duration `env:"FETCH_INTERVAL" yaml:"fetch_interval"`               // FETCH_INTERVAL, default 6h
	AutomationInterval  time.Duration `env:"AUTOMATION_INTERVAL" yaml:"automation_interval"`     // AUTOMATION_INTERVAL, default 1h
	FollowUpCron        string        `env:"FOLLOW_UP_CRON" yaml:"follow_up_cron"`               // FOLLOW_UP_CRON, default "0 10 * * *"
	CleanupCron         string        `env:"CLEANUP_CRON" yaml:"cleanup_cron"`                   // CLEANUP_CRON, default "0 2 * * *"
	RescueAfter         time.Duration `env:"RESCUE_STUCK_JOBS_AFTER" yaml:"rescue_after"`        // RESCUE_STUCK_JOBS_AFTER: other nodes' running jobs older than this are rescued; default JOB_TIMEOUT + 60s
	Workers             int           `env:"WORKERS" yaml:"workers"`                             // WORKERS, default 10
	// Job-level attempts: how many times a job runs (each run with its own
	// retries inside) before it is given up; an open breaker's wait does not
	// count. A given-up application is picked up again after RequeueStuckAfter.
	DraftMaxAttempts     int           `env:"DRAFT_MAX_ATTEMPTS" yaml:"draft_max_attempts"`         // DRAFT_MAX_ATTEMPTS, default 5: drafting one application
	SendMaxAttempts      int           `env:"SEND_MAX_ATTEMPTS" yaml:"send_max_attempts"`           // SEND_MAX_ATTEMPTS, default 10: sending one application
	ScheduledMaxAttempts int           `env:"SCHEDULED_MAX_ATTEMPTS" yaml:"scheduled_max_attempts"` // SCHEDULED_MAX_ATTEMPTS, default 3: a fetch, automation run, follow-ups, cleanup
	RequeueStuckAfter    time.Duration `env:"REQUEUE_STUCK_AFTER" yaml:"requeue_stuck_after"`       // REQUEUE_STUCK_AFTER: an application left matched, drafting or approved this long is queued again; default JOB_TIMEOUT + 1h
}

// Apply is how applications go out.
type Apply struct {
	Mode         string `env:"APPLY_MODE" yaml:"mode"`               // APPLY_MODE: "review" (default) or "direct"
	FollowUpDays int    `env:"FOLLOW_UP_DAYS" yaml:"follow_up_days"` // FOLLOW_UP_DAYS, default 3
	Writer       string `env:"JOBPILOT_WRITER" yaml:"writer"`        // JOBPILOT_WRITER: "" (auto), "template" or "llm"
	// SendDelay is the undo window (SEND_DELAY, default 60s): an email the
	// candidate approved waits this long, and can be cancelled meanwhile.
	// 0 sends at once.
	SendDelay time.Duration `env:"SEND_DELAY" yaml:"send_delay"`
	// LLMUnavailable is what `jobpilot run` does when the LLM endpoint does
	// not answer its check (LLM_UNAVAILABLE): "template" (default) writes
	// with the template writer, "stop" exits non-zero before any work.
	LLMUnavailable string `env:"LLM_UNAVAILABLE" yaml:"llm_unavailable"`
}

// SMTP is the mail server. With no Host, mail goes to <DataDir>/outbox as .eml files.
type SMTP struct {
	Host     string `env:"SMTP_HOST" yaml:"host"`         // SMTP_HOST
	Port     int    `env:"SMTP_PORT" yaml:"port"`         // SMTP_PORT, default 587 (465 when TLS is "tls", 25 when "none")
	Username string `env:"SMTP_USERNAME" yaml:"username"` // SMTP_USERNAME
	Password string `env:"SMTP_PASSWORD" yaml:"password"` // SMTP_PASSWORD (secret)
	From     string `env:"SMTP_FROM" yaml:"from"`         // SMTP_FROM; default the profile's email
	TLS      string `env:"SMTP_TLS" yaml:"tls"`           // SMTP_TLS: "starttls" (default), "tls" or "none"
}

// Mailbox is the candidate's mailbox, read over IMAP for replies, bounces
// and the blind copies that settle uncertain sends. With no IMAP_HOST it is
// not read. Field names carry IMAP because they must differ from SMTP's.
type Mailbox struct {
	IMAPHost     string   `env:"IMAP_HOST" yaml:"host"`         // IMAP_HOST; unset = the mailbox is not read
	IMAPPort     int      `env:"IMAP_PORT" yaml:"port"`         // IMAP_PORT, default 993 (143 when IMAP_TLS is starttls or none)
	IMAPUsername string   `env:"IMAP_USERNAME" yaml:"username"` // IMAP_USERNAME
	IMAPPassword string   `env:"IMAP_PASSWORD" yaml:"password"` // IMAP_PASSWORD (secret)
	IMAPTLS      string   `env:"IMAP_TLS" yaml:"tls"`           // IMAP_TLS: "tls" (default), "starttls" or "none"
	Folders      []string `env:"IMAP_FOLDERS" yaml:"folders"`   // IMAP_FOLDERS, default INBOX: comma-separated folders to read
	// MailboxInterval is how often the mailbox is read (MAILBOX_INTERVAL, default 10m).
	MailboxInterval time.Duration `env:"MAILBOX_INTERVAL" yaml:"interval"`
	// UncertainGrace is how long a needs_review application waits for its
	// blind copy before it is marked "no copy arrived" (UNCERTAIN_GRACE, default 30m).
	UncertainGrace time.Duration `env:"UNCERTAIN_GRACE" yaml:"uncertain_grace"`
	// BCCSelf sends every application email with a blind copy to the
	// candidate's own address (BCC_SELF): "auto" (default: on when IMAP_HOST
	// is set), "on" or "off".
	BCCSelf string `env:"BCC_SELF" yaml:"bcc_self"`
}

// Reads reports whether the mailbox is configured (IMAP_HOST).
func (m Mailbox) Reads() bool { return m.IMAPHost != "" }

// CopiesToSelf reports whether application emails carry a blind copy to the
// candidate (BCC_SELF, "auto" meaning when the mailbox is read).
func (m Mailbox) CopiesToSelf() bool {
	switch m.BCCSelf {
	case "on":
		return true
	case "off":
		return false
	}
	return m.Reads()
}

// Notify is how the candidate is told what needs them: a digest on
// NOTIFY_CRON (applications ready for review, replies, bounces, breakers
// open for long) and, at once, an interview invitation.
type Notify struct {
	NotifyCron  string `env:"NOTIFY_CRON" yaml:"cron"`               // NOTIFY_CRON, default "0 9 * * *" (in SCHEDULER_TIMEZONE)
	NotifyEmail bool   `env:"NOTIFY_EMAIL" yaml:"email"`             // NOTIFY_EMAIL, default on: by email to the candidate, through the mail service (or the outbox)
	WebhookURL  string `env:"NOTIFY_WEBHOOK_URL" yaml:"webhook_url"` // NOTIFY_WEBHOOK_URL (secret): POST each notice as JSON
	NtfyURL     string `env:"NOTIFY_NTFY_URL" yaml:"ntfy_url"`       // NOTIFY_NTFY_URL (secret): an ntfy topic URL, e.g. https://ntfy.sh/<topic>
}

// OpenAI is any OpenAI-compatible chat-completions endpoint.
type OpenAI struct {
	APIKey  string `env:"OPENAI_API_KEY" yaml:"api_key"`   // OPENAI_API_KEY (secret)
	BaseURL string `env:"OPENAI_BASE_URL" yaml:"base_url"` // OPENAI_BASE_URL, default llm.DefaultBaseURL (https://api.openai.com/v1)
	Model   string `env:"OPENAI_MODEL" yaml:"model"`       // OPENAI_MODEL, default llm.DefaultModel (gpt-4o-mini)
	// EmbeddingsModel turns on semantic similarity in matching: the model
	// of the same endpoint's /embeddings (OPENAI_EMBEDDINGS_MODEL, e.g.
	// "text-embedding-3-small" or Ollama's "nomic-embed-text"); empty = off.
	EmbeddingsModel string `env:"OPENAI_EMBEDDINGS_MODEL" yaml:"embeddings_model"`
}

// SourceConfig is one entry of the YAML file's "sources" list, kept as
// written: "type" names the kind of job board, "name" the source, and every
// other key belongs to the type. What the keys mean and which are required
// is the source registry's business (package source), checked by the Rule
// internal/system passes to Load; config knows no board type.
type SourceConfig map[string]any

// Type is the entry's "type", or "" when it is missing or not a string.
func (s SourceConfig) Type() string { v, _ := s["type"].(string); return v }

// Name is the entry's "name", or "" when it is missing or not a string.
func (s SourceConfig) Name() string { v, _ := s["name"].(string); return v }
