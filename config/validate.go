package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"github.com/jobpilot/jobpilot"
)

// Rule is a check that config cannot make itself, passed to Load or
// Validate by the code that knows the rule (internal/system checks the
// sources against the source registry). It returns one *Error per problem.
type Rule func(c *Config) []error

// Validate checks every rule, then the given extra rules (see Rule), and
// returns all problems at once (see Load for the error's shape), or nil.
// Load calls it; callers that build a Config by hand (tests) may call it
// too. On success it also caches the scheduler's time zone for Location.
func (c *Config) Validate(rules ...Rule) error {
	v := &validator{}
	c.validateService(v)
	c.validateHTTP(v)
	c.validateRetry(v)
	c.validateTimeouts(v)
	c.validateFetch(v)
	c.validateBreakers(v)
	c.validateScheduler(v)
	c.validateApply(v)
	c.validateSMTP(v)
	c.validateMailbox(v)
	c.validateNotify(v)
	c.validateOpenAI(v)
	for _, rule := range rules {
		v.errs = append(v.errs, rule(c)...)
	}
	if len(v.errs) > 0 {
		return invalid(errors.Join(v.errs...))
	}
	return nil
}

// validator collects the problems of one Validate.
type validator struct{ errs []error }

func (v *validator) add(name, format string, args ...any) {
	v.errs = append(v.errs, problem(name, format, args...))
}

func (v *validator) positive(name string, d time.Duration) {
	if d <= 0 {
		v.add(name, "must be > 0 (got %s)", d)
	}
}

func (v *validator) atLeast(name string, n, minimum int) {
	if n < minimum {
		v.add(name, "must be >= %d (got %d)", minimum, n)
	}
}

func (v *validator) oneOf(name, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.add(name, "must be one of %s (got %q)", strings.Join(allowed, ", "), value)
	}
}

func (c *Config) validateService(v *validator) {
	if c.HTTPAddr == "" {
		v.add("HTTP_ADDR", "must not be empty")
	} else if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		v.add("HTTP_ADDR", "must be host:port or :port (got %q)", c.HTTPAddr)
	}
	if c.DataDir == "" {
		v.add("JOBPILOT_DATA_DIR", "must not be empty")
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		v.add("DATABASE_URL", "%v", err)
	}
	if !(c.TimeScale > 0) {
		v.add("JOBPILOT_TIME_SCALE", "must be > 0 (got %g)", c.TimeScale)
	}
	// The token is never echoed, only its length.
	if n := utf8.RuneCountInString(c.APIToken); n > 0 && n < jobpilot.MinAPITokenLength {
		v.add("JOBPILOT_API_TOKEN", "must be at least %d characters (got %d); generate one with `openssl rand -base64 32`, or leave it unset to have serve generate one",
			jobpilot.MinAPITokenLength, n)
	}
}

func (c *Config) validateHTTP(v *validator) {
	h := c.HTTP
	v.atLeast("HTTP_MAX_CONNECTIONS", h.MaxConnections, 8)
	v.atLeast("HTTP_MAX_CONNECTIONS_PER_ADDRESS", h.MaxConnectionsPerAddr, 1)
	v.positive("HTTP_READ_HEADER_TIMEOUT", h.ReadHeaderTimeout)
	v.positive("HTTP_READ_TIMEOUT", h.ReadTimeout)
	v.positive("HTTP_LOGIN_READ_TIMEOUT", h.LoginReadTimeout)
	v.atLeast("HTTP_AUTH_FAILURES_PER_MINUTE", h.AuthFailuresPerMinute, 1)
	v.positive("SESSION_TTL", h.SessionTTL)
}

func (c *Config) validateRetry(v *validator) {
	r := c.Retry
	v.atLeast("MAX_RETRIES", r.MaxRetries, 0)
	v.positive("INITIAL_DELAY", r.InitialDelay)
	v.positive("MAX_DELAY", r.MaxDelay)
	if r.InitialDelay > 0 && r.MaxDelay > 0 && r.MaxDelay < r.InitialDelay {
		v.add("MAX_DELAY", "must be >= INITIAL_DELAY (got %s < %s)", r.MaxDelay, r.InitialDelay)
	}
	if !(r.Base >= 1) {
		v.add("RETRY_BASE", "must be >= 1 (got %g)", r.Base)
	}
	if !(r.Jitter >= 0 && r.Jitter <= 1) {
		v.add("RETRY_JITTER", "must be between 0 and 1 (got %g)", r.Jitter)
	}
	// A per-service setting is checked when it was given: otherwise it is
	// the guide's, or a global one already checked above.
	for _, s := range []struct {
		prefix            string
		retries           int
		initial, maxDelay time.Duration
	}{
		{"EMAIL_", r.EmailMaxRetries, r.EmailInitialDelay, r.EmailMaxDelay},
		{"RESUME_", r.ResumeMaxRetries, r.ResumeInitialDelay, r.ResumeMaxDelay},
		{"COVER_LETTER_", r.CoverLetterMaxRetries, r.CoverLetterInitialDelay, r.CoverLetterMaxDelay},
	} {
		retries, initial, maxDelay := s.prefix+"MAX_RETRIES", s.prefix+"INITIAL_DELAY", s.prefix+"MAX_DELAY"
		if c.explicit[retries] {
			v.atLeast(retries, s.retries, 0)
		}
		if c.explicit[initial] {
			v.positive(initial, s.initial)
		}
		if c.explicit[maxDelay] {
			v.positive(maxDelay, s.maxDelay)
		}
		if (c.explicit[initial] || c.explicit[maxDelay]) && s.initial > 0 && s.maxDelay > 0 && s.maxDelay < s.initial {
			v.add(maxDelay, "must be >= %s (got %s < %s)", initial, s.maxDelay, s.initial)
		}
	}
}

func (c *Config) validateTimeouts(v *validator) {
	t := c.Timeouts
	v.positive("JOB_TIMEOUT", t.Job)
	v.positive("AUTOMATION_TIMEOUT", t.Automation)
	v.positive("RESUME_TIMEOUT", t.Resume)
	v.positive("COVER_LETTER_TIMEOUT", t.CoverLetter)
	v.positive("EMAIL_TIMEOUT", t.Email)
	v.positive("NOTIFY_TIMEOUT", t.Notify)
	v.positive("MAILBOX_TIMEOUT", t.Mailbox)
	v.positive("SOURCE_TIMEOUT", t.Source)
	v.positive("SOURCE_IDLE_TIMEOUT", t.SourceIdle)
	v.positive("SHUTDOWN_GRACE", t.Shutdown)
}

func (c *Config) validateFetch(v *validator) {
	f := c.Fetch
	if f.MaxBytes < 1<<20 {
		v.add("SOURCE_MAX_BYTES", "must be >= 1048576 (1 MiB; got %d)", f.MaxBytes)
	}
	v.atLeast("SOURCE_HOST_CONCURRENCY", f.HostConcurrency, 1)
	if f.HostDelay < 0 {
		v.add("SOURCE_HOST_DELAY", "must be >= 0 (got %s)", f.HostDelay)
	}
	for _, h := range f.RedirectHosts {
		if h = strings.TrimPrefix(strings.TrimSpace(h), "."); h == "" || strings.ContainsAny(h, "/:@ ") {
			v.add("SOURCE_REDIRECT_HOSTS", "must list host names such as careers.acme.com or .acme.com (got %q)", h)
		}
	}
}

func (c *Config) validateBreakers(v *validator) {
	b := c.Breakers
	v.atLeast("EMAIL_FAILURE_THRESHOLD", b.EmailFailureThreshold, 1)
	v.positive("EMAIL_RECOVERY_TIMEOUT", b.EmailRecoveryTimeout)
	v.atLeast("OPENAI_FAILURE_THRESHOLD", b.OpenAIFailureThreshold, 1)
	v.positive("OPENAI_RECOVERY_TIMEOUT", b.OpenAIRecoveryTimeout)
}

func (c *Config) validateScheduler(v *validator) {
	s := c.Scheduler
	if loc, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" {
		v.add("SCHEDULER_TIMEZONE", "must be an IANA time zone such as UTC or Europe/Paris (got %q)", s.Timezone)
	} else {
		c.location = loc
	}
	v.positive("HEALTH_CHECK_INTERVAL", s.HealthCheckInterval)
	v.positive("SCHEDULER_RESTART_DELAY", s.RestartDelay)
	v.positive("FETCH_INTERVAL", s.FetchInterval)
	v.positive("AUTOMATION_INTERVAL", s.AutomationInterval)
	for _, spec := range []struct{ name, value string }{{"FOLLOW_UP_CRON", s.FollowUpCron}, {"CLEANUP_CRON", s.CleanupCron}} {
		if _, err := cron.ParseStandard(spec.value); err != nil {
			v.add(spec.name, "must be a 5-field cron expression such as \"0 10 * * *\" (got %q: %v)", spec.value, err)
		}
	}
	// River rescues a job only after RescueAfter; shorter than a job's own
	// timeout, a slow but healthy job would be run twice.
	if s.RescueAfter < c.Timeouts.Job {
		v.add("RESCUE_STUCK_JOBS_AFTER", "must be >= JOB_TIMEOUT (got %s < %s)", s.RescueAfter, c.Timeouts.Job)
	}
	v.atLeast("WORKERS", s.Workers, 1)
	v.atLeast("DRAFT_MAX_ATTEMPTS", s.DraftMaxAttempts, 1)
	v.atLeast("SEND_MAX_ATTEMPTS", s.SendMaxAttempts, 1)
	v.atLeast("SCHEDULED_MAX_ATTEMPTS", s.ScheduledMaxAttempts, 1)
	// Shorter than a job's own timeout, a draft still being written would
	// be counted as stuck.
	if s.RequeueStuckAfter < c.Timeouts.Job {
		v.add("REQUEUE_STUCK_AFTER", "must be >= JOB_TIMEOUT (got %s < %s)", s.RequeueStuckAfter, c.Timeouts.Job)
	}
}

func (c *Config) validateApply(v *validator) {
	v.oneOf("APPLY_MODE", c.Apply.Mode, "review", "direct")
	v.atLeast("FOLLOW_UP_DAYS", c.Apply.FollowUpDays, 1)
	v.oneOf("JOBPILOT_WRITER", c.Apply.Writer, "", "template", "llm")
	if c.Apply.SendDelay < 0 {
		v.add("SEND_DELAY", "must be >= 0 (got %s)", c.Apply.SendDelay)
	}
	v.oneOf("LLM_UNAVAILABLE", c.Apply.LLMUnavailable, "template", "stop")
}

func (c *Config) validateSMTP(v *validator) {
	s := c.SMTP
	v.oneOf("SMTP_TLS", s.TLS, "starttls", "tls", "none")
	if s.Port < 1 || s.Port > 65535 {
		v.add("SMTP_PORT", "must be between 1 and 65535 (got %d)", s.Port)
	}
	if s.From != "" {
		if _, err := mail.ParseAddress(s.From); err != nil {
			v.add("SMTP_FROM", "must be an email address (got %q)", s.From)
		}
	}
	if s.Password != "" && s.Username == "" {
		v.add("SMTP_USERNAME", "must be set when SMTP_PASSWORD is")
	}
}

func (c *Config) validateMailbox(v *validator) {
	m := c.Mailbox
	v.oneOf("IMAP_TLS", m.IMAPTLS, "tls", "starttls", "none")
	v.oneOf("BCC_SELF", m.BCCSelf, "auto", "on", "off")
	if m.IMAPPort < 1 || m.IMAPPort > 65535 {
		v.add("IMAP_PORT", "must be between 1 and 65535 (got %d)", m.IMAPPort)
	}
	if m.IMAPHost != "" && m.IMAPUsername == "" {
		v.add("IMAP_USERNAME", "must be set when IMAP_HOST is")
	}
	if m.IMAPPassword != "" && m.IMAPUsername == "" {
		v.add("IMAP_USERNAME", "must be set when IMAP_PASSWORD is")
	}
	if len(m.Folders) == 0 {
		v.add("IMAP_FOLDERS", "must name at least one folder")
	}
	for _, f := range m.Folders {
		if strings.TrimSpace(f) == "" || hasControlChar(f) {
			v.add("IMAP_FOLDERS", "must list folder names such as INBOX,Archive (got %q)", f)
		}
	}
	v.positive("MAILBOX_INTERVAL", m.MailboxInterval)
	v.positive("UNCERTAIN_GRACE", m.UncertainGrace)
}

func (c *Config) validateNotify(v *validator) {
	n := c.Notify
	if _, err := cron.ParseStandard(n.NotifyCron); err != nil {
		v.add("NOTIFY_CRON", "must be a 5-field cron expression such as \"0 9 * * *\" (got %q: %v)", n.NotifyCron, err)
	}
	// The URLs are secrets: the message does not repeat them.
	for _, u := range []struct{ name, value string }{{"NOTIFY_WEBHOOK_URL", n.WebhookURL}, {"NOTIFY_NTFY_URL", n.NtfyURL}} {
		if u.value != "" && checkHTTPURL(u.value) != nil {
			v.add(u.name, "must be an http(s) URL")
		}
	}
}

func hasControlChar(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func (c *Config) validateOpenAI(v *validator) {
	if err := checkHTTPURL(c.OpenAI.BaseURL); err != nil {
		v.add("OPENAI_BASE_URL", "%v", err)
	}
	if c.OpenAI.Model == "" {
		v.add("OPENAI_MODEL", "must not be empty")
	}
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an http(s) URL (got %q)", s)
	}
	return nil
}

func checkDatabaseURL(s string) error {
	switch {
	case s == "":
		return errors.New("must not be empty")
	case isPostgres(s):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return errors.New("must be a URL such as postgres://user:pass@host:5432/db")
		}
	case sqlitePath(s) == "":
		// The value is not echoed: a URL of another database may hold a password.
		return errors.New("must be postgres://… or an SQLite file path")
	}
	return nil
}
