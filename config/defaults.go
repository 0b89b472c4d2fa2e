package config

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/mail"
	"github.com/jobpilot/jobpilot/mail/mailbox"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/source"
)

// Default returns the configuration with every default applied and nothing
// read from the environment or a file. The defaults that depend on other
// values (DATABASE_URL, SMTP_PORT, RESCUE_STUCK_JOBS_AFTER, REQUEUE_STUCK_AFTER, JOBPILOT_NODE_ID)
// are filled in by Load after all layers are merged, so Default leaves them
// empty. Tests of other packages start from Default and change what they need.
func Default() *Config {
	// The stability guide's table is written once, in the resilience
	// package; the variables that override its cells default to it.
	table := resilience.Defaults()
	return &Config{
		Environment: "development",
		HTTPAddr:    ":8000",
		DataDir:     "./data",
		Examples:    true,
		TimeScale:   1,
		HTTP: HTTP{
			MaxConnections:        256,
			MaxConnectionsPerAddr: 64,
			ReadHeaderTimeout:     5 * time.Second,
			ReadTimeout:           30 * time.Second,
			LoginReadTimeout:      5 * time.Second,
			AuthFailuresPerMinute: 10,
			SessionTTL:            12 * time.Hour,
		},
		Retry:    retryDefaults(table),
		Timeouts: timeoutDefaults(table),
		// How every board is read is the source client's; its defaults are
		// written there.
		Fetch: Fetch{
			MaxBytes:        source.DefaultMaxBody,
			HostConcurrency: source.DefaultHostConcurrency,
			HostDelay:       source.DefaultHostDelay,
		},
		Breakers: breakerDefaults(table),
		Scheduler: Scheduler{
			Timezone:            "UTC",
			HealthCheckInterval: 300 * time.Second,
			RestartDelay:        60 * time.Second,
			FetchInterval:       6 * time.Hour,
			AutomationInterval:  time.Hour,
			FollowUpCron:        "0 10 * * *",
			CleanupCron:         "0 2 * * *",
			Workers:             10,
			// A send gets the most: its failures are mostly a mail server
			// away for a while, and a repeated attempt is safe.
			DraftMaxAttempts:     5,
			SendMaxAttempts:      10,
			ScheduledMaxAttempts: 3,
		},
		Apply: Apply{
			Mode:           string(jobpilot.ApplyReview),
			FollowUpDays:   jobpilot.DefaultFollowUpDays,
			SendDelay:      jobpilot.DefaultSendDelay,
			LLMUnavailable: "template",
		},
		SMTP: SMTP{
			TLS: mail.TLSStartTLS,
		},
		Mailbox: Mailbox{
			IMAPTLS:         mailbox.TLSImplicit,
			Folders:         mailbox.DefaultFolders,
			MailboxInterval: 10 * time.Minute,
			UncertainGrace:  30 * time.Minute,
			BCCSelf:         "auto",
		},
		Notify: Notify{
			NotifyCron:  "0 9 * * *",
			NotifyEmail: true,
		},
		OpenAI: OpenAI{
			BaseURL: llm.DefaultBaseURL,
			Model:   llm.DefaultModel,
		},
	}
}

// retryDefaults are the retry variables' defaults: the resilience table's
// default row for the global ones, each service's own row for its variables.
func retryDefaults(table resilience.Config) Retry {
	global := table.Services[resilience.ServiceDefault]
	email := table.Services[resilience.ServiceEmail]
	resume := table.Services[resilience.ServiceResume]
	letter := table.Services[resilience.ServiceCoverLetter]
	return Retry{
		MaxRetries:   global.MaxRetries,
		InitialDelay: global.InitialDelay,
		MaxDelay:     global.MaxDelay,
		Base:         global.Base,
		Jitter:       global.Jitter,

		EmailMaxRetries:         email.MaxRetries,
		EmailInitialDelay:       email.InitialDelay,
		EmailMaxDelay:           email.MaxDelay,
		ResumeMaxRetries:        resume.MaxRetries,
		ResumeInitialDelay:      resume.InitialDelay,
		ResumeMaxDelay:          resume.MaxDelay,
		CoverLetterMaxRetries:   letter.MaxRetries,
		CoverLetterInitialDelay: letter.InitialDelay,
		CoverLetterMaxDelay:     letter.MaxDelay,
	}
}

// timeoutDefaults are the per-attempt timeouts of the resilience table's
// services, the source client's own timeouts and the shutdown grace.
func timeoutDefaults(table resilience.Config) Timeouts {
	return Timeouts{
		Job:         table.Services[resilience.ServiceJob].Timeout,
		Automation:  table.Services[resilience.ServiceAutomation].Timeout,
		Resume:      table.Services[resilience.ServiceResume].Timeout,
		CoverLetter: table.Services[resilience.ServiceCoverLetter].Timeout,
		Email:       table.Services[resilience.ServiceEmail].Timeout,
		Notify:      table.Services[resilience.ServiceNotify].Timeout,
		Mailbox:     table.Services[resilience.ServiceMailbox].Timeout,
		Source:      source.DefaultConnectTimeout,
		SourceIdle:  source.DefaultIdleTimeout,
		Shutdown:    30 * time.Second,
	}
}

// breakerDefaults are the resilience table's email and OpenAI breakers.
func breakerDefaults(table resilience.Config) Breakers {
	return Breakers{
		EmailFailureThreshold:  table.Breakers[resilience.BreakerEmail].FailureThreshold,
		EmailRecoveryTimeout:   table.Breakers[resilience.BreakerEmail].RecoveryTimeout,
		OpenAIFailureThreshold: table.Breakers[resilience.BreakerOpenAI].FailureThreshold,
		OpenAIRecoveryTimeout:  table.Breakers[resilience.BreakerOpenAI].RecoveryTimeout,
	}
}

// fillDerived computes the defaults that depend on other settings, once all
// layers are merged, so that e.g. JOBPILOT_DATA_DIR from the file moves the
// default database with it.
func (c *Config) fillDerived() {
	if c.DatabaseURL == "" && c.DataDir != "" {
		c.DatabaseURL = "sqlite://" + filepath.ToSlash(filepath.Join(c.DataDir, "jobpilot.db"))
	}
	if c.SMTP.Port == 0 {
		c.SMTP.Port = mail.DefaultPort(c.SMTP.TLS)
	}
	if c.Mailbox.IMAPPort == 0 {
		c.Mailbox.IMAPPort = mailbox.DefaultPort(c.Mailbox.IMAPTLS)
	}
	if c.Scheduler.RescueAfter == 0 && c.Timeouts.Job > 0 {
		c.Scheduler.RescueAfter = c.Timeouts.Job + 60*time.Second
	}
	if c.Scheduler.RequeueStuckAfter == 0 && c.Timeouts.Job > 0 {
		c.Scheduler.RequeueStuckAfter = c.Timeouts.Job + time.Hour
	}
	if c.NodeID == "" {
		c.NodeID = defaultNodeID(c.DataDir)
	}
	c.fillRetryFallbacks()
}

// retryFallbacks pairs each per-service retry variable with the global one
// it falls back to, and the fields they fill.
func (c *Config) retryFallbacks() []retryFallback {
	r := &c.Retry
	retries := func(own string, f *int) retryFallback {
		return retryFallback{own, "MAX_RETRIES", func() { *f = r.MaxRetries }}
	}
	initial := func(own string, f *time.Duration) retryFallback {
		return retryFallback{own, "INITIAL_DELAY", func() { *f = r.InitialDelay }}
	}
	maxDelay := func(own string, f *time.Duration) retryFallback {
		return retryFallback{own, "MAX_DELAY", func() { *f = r.MaxDelay }}
	}
	return []retryFallback{
		retries("EMAIL_MAX_RETRIES", &r.EmailMaxRetries),
		initial("EMAIL_INITIAL_DELAY", &r.EmailInitialDelay),
		maxDelay("EMAIL_MAX_DELAY", &r.EmailMaxDelay),
		retries("RESUME_MAX_RETRIES", &r.ResumeMaxRetries),
		initial("RESUME_INITIAL_DELAY", &r.ResumeInitialDelay),
		maxDelay("RESUME_MAX_DELAY", &r.ResumeMaxDelay),
		retries("COVER_LETTER_MAX_RETRIES", &r.CoverLetterMaxRetries),
		initial("COVER_LETTER_INITIAL_DELAY", &r.CoverLetterInitialDelay),
		maxDelay("COVER_LETTER_MAX_DELAY", &r.CoverLetterMaxDelay),
	}
}

type retryFallback struct {
	own, global string
	copyGlobal  func()
}

// fillRetryFallbacks gives every per-service retry setting that was not set
// the global one, when that was: MAX_RETRIES=5 alone gives email, resume and
// cover letter 5 retries, EMAIL_MAX_RETRIES=1 beside it gives email 1.
func (c *Config) fillRetryFallbacks() {
	for _, f := range c.retryFallbacks() {
		if !c.explicit[f.own] && c.explicit[f.global] {
			f.copyGlobal()
		}
	}
}

// defaultNodeID is stable across restarts of the same installation (same
// host, same data directory), which is what crash rescue needs: a restarted
// process recognises the jobs its previous life left running.
func defaultNodeID(dataDir string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	dir := dataDir
	if abs, err := filepath.Abs(dataDir); err == nil {
		dir = abs
	}
	h := fnv.New32a()
	h.Write([]byte(dir))
	return fmt.Sprintf("%s-%08x", host, h.Sum32())
}
