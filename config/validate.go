package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// SourceTypes are the job boards jobpilot knows, with the key each one needs.
var SourceTypes = map[string]string{
	"greenhouse": "token",
	"lever":      "site",
	"ashby":      "org",
	"hn":         "",
	"json":       "url",
}

// Validate checks every rule and returns all problems at once (see Load for
// the error's shape), or nil. Load calls it; callers that build a Config by
// hand (tests) may call it too. On success it also caches the scheduler's
// time zone for Location.
func (c *Config) Validate() error {
	var errs []error
	add := func(e *Error) { errs = append(errs, e) }
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			add(problem(name, "must be > 0 (got %s)", d))
		}
	}
	atLeast := func(name string, v, minimum int) {
		if v < minimum {
			add(problem(name, "must be >= %d (got %d)", minimum, v))
		}
	}
	oneOf := func(name, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		add(problem(name, "must be one of %s (got %q)", strings.Join(allowed, ", "), v))
	}

	if c.HTTPAddr == "" {
		add(problem("HTTP_ADDR", "must not be empty"))
	} else if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		add(problem("HTTP_ADDR", "must be host:port or :port (got %q)", c.HTTPAddr))
	}
	if c.DataDir == "" {
		add(problem("JOBPILOT_DATA_DIR", "must not be empty"))
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		add(problem("DATABASE_URL", "%v", err))
	}
	if !(c.TimeScale > 0) {
		add(problem("JOBPILOT_TIME_SCALE", "must be > 0 (got %g)", c.TimeScale))
	}

	r := c.Retry
	atLeast("MAX_RETRIES", r.MaxRetries, 0)
	positive("INITIAL_DELAY", r.InitialDelay)
	positive("MAX_DELAY", r.MaxDelay)
	if r.InitialDelay > 0 && r.MaxDelay > 0 && r.MaxDelay < r.InitialDelay {
		add(problem("MAX_DELAY", "must be >= INITIAL_DELAY (got %s < %s)", r.MaxDelay, r.InitialDelay))
	}
	if !(r.Base >= 1) {
		add(problem("RETRY_BASE", "must be >= 1 (got %g)", r.Base))
	}
	if !(r.Jitter >= 0 && r.Jitter <= 1) {
		add(problem("RETRY_JITTER", "must be between 0 and 1 (got %g)", r.Jitter))
	}

	t := c.Timeouts
	positive("JOB_TIMEOUT", t.Job)
	positive("AUTOMATION_TIMEOUT", t.Automation)
	positive("RESUME_TIMEOUT", t.Resume)
	positive("COVER_LETTER_TIMEOUT", t.CoverLetter)
	positive("EMAIL_TIMEOUT", t.Email)
	positive("SOURCE_TIMEOUT", t.Source)
	positive("SOURCE_IDLE_TIMEOUT", t.SourceIdle)
	positive("SHUTDOWN_GRACE", t.Shutdown)

	if c.Fetch.MaxBytes < 1<<20 {
		add(problem("SOURCE_MAX_BYTES", "must be >= 1048576 (1 MiB; got %d)", c.Fetch.MaxBytes))
	}
	atLeast("SOURCE_HOST_CONCURRENCY", c.Fetch.HostConcurrency, 1)
	if c.Fetch.HostDelay < 0 {
		add(problem("SOURCE_HOST_DELAY", "must be >= 0 (got %s)", c.Fetch.HostDelay))
	}
	for _, h := range c.Fetch.RedirectHosts {
		if h = strings.TrimPrefix(strings.TrimSpace(h), "."); h == "" || strings.ContainsAny(h, "/:@ ") {
			add(problem("SOURCE_REDIRECT_HOSTS", "must list host names such as careers.acme.com or .acme.com (got %q)", h))
		}
	}

	b := c.Breakers
	atLeast("EMAIL_FAILURE_THRESHOLD", b.EmailFailureThreshold, 1)
	positive("EMAIL_RECOVERY_TIMEOUT", b.EmailRecoveryTimeout)
	atLeast("OPENAI_FAILURE_THRESHOLD", b.OpenAIFailureThreshold, 1)
	positive("OPENAI_RECOVERY_TIMEOUT", b.OpenAIRecoveryTimeout)

	s := c.Scheduler
	if loc, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" {
		add(problem("SCHEDULER_TIMEZONE", "must be an IANA time zone such as UTC or Europe/Paris (got %q)", s.Timezone))
	} else {
		c.location = loc
	}
	positive("HEALTH_CHECK_INTERVAL", s.HealthCheckInterval)
	positive("SCHEDULER_RESTART_DELAY", s.RestartDelay)
	positive("FETCH_INTERVAL", s.FetchInterval)
	positive("AUTOMATION_INTERVAL", s.AutomationInterval)
	for name, spec := range map[string]string{"FOLLOW_UP_CRON": s.FollowUpCron, "CLEANUP_CRON": s.CleanupCron} {
		if _, err := cron.ParseStandard(spec); err != nil {
			add(problem(name, "must be a 5-field cron expression such as \"0 10 * * *\" (got %q: %v)", spec, err))
		}
	}
	// River rescues a job only after RescueAfter; shorter than a job's own
	// timeout, a slow but healthy job would be run twice.
	if s.RescueAfter < t.Job {
		add(problem("RESCUE_STUCK_JOBS_AFTER", "must be >= JOB_TIMEOUT (got %s < %s)", s.RescueAfter, t.Job))
	}
	atLeast("WORKERS", s.Workers, 1)

	oneOf("APPLY_MODE", c.Apply.Mode, "review", "direct")
	atLeast("FOLLOW_UP_DAYS", c.Apply.FollowUpDays, 1)
	oneOf("JOBPILOT_WRITER", c.Apply.Writer, "", "template", "llm")

	oneOf("SMTP_TLS", c.SMTP.TLS, "starttls", "tls", "none")
	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		add(problem("SMTP_PORT", "must be between 1 and 65535 (got %d)", c.SMTP.Port))
	}
	if c.SMTP.From != "" {
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			add(problem("SMTP_FROM", "must be an email address (got %q)", c.SMTP.From))
		}
	}
	if c.SMTP.Password != "" && c.SMTP.Username == "" {
		add(problem("SMTP_USERNAME", "must be set when SMTP_PASSWORD is"))
	}

	if err := checkHTTPURL(c.OpenAI.BaseURL); err != nil {
		add(problem("OPENAI_BASE_URL", "%v", err))
	}
	if c.OpenAI.Model == "" {
		add(problem("OPENAI_MODEL", "must not be empty"))
	}

	errs = append(errs, c.validateSources()...)
	if len(errs) > 0 {
		return invalid(errors.Join(errs...))
	}
	return nil
}

func (c *Config) validateSources() []error {
	var errs []error
	seen := map[string]int{}
	for i, src := range c.Sources {
		key := func(k string) string { return fmt.Sprintf("sources[%d].%s", i, k) }
		need, known := SourceTypes[src.Type]
		if !known {
			errs = append(errs, problem(key("type"), "must be one of greenhouse, lever, ashby, hn, json (got %q)", src.Type))
		}
		switch {
		case src.Name == "":
			errs = append(errs, problem(key("name"), "is required"))
		case seen[src.Name] > 0:
			errs = append(errs, problem(key("name"), "must be unique: %q is also sources[%d]", src.Name, seen[src.Name]-1))
		default:
			seen[src.Name] = i + 1
		}
		values := map[string]string{"token": src.Token, "site": src.Site, "org": src.Org, "url": src.URL}
		if need != "" && values[need] == "" {
			errs = append(errs, problem(key(need), "is required for a %s source", src.Type))
		}
		if src.BaseURL != "" {
			if err := checkHTTPURL(src.BaseURL); err != nil {
				errs = append(errs, problem(key("base_url"), "%v", err))
			}
		}
	}
	return errs
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
