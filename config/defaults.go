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
// values (DATABASE_URL, SMTP_PORT, RESCUE_STUCK_JOBS_AFTER, JOBPILOT_NODE_ID)
// are filled in by Load after all layers are merged, so Default leaves them
// empty. Tests of other packages start from Default and change what they need.
func Default() *Config {
	// The stability guide's table is written once, in the resilience
	// package; the variables that override its cells default to it.
	table := resilience.Defaults()
	row := func(name string) resilience.Settings { return table.Services[name] }
	return &Config{
		Environment: "development",
		HTTPAddr:    ":8000",
		DataDir:     "./data",
		Examples:    true,
		TimeScale:   1,
		Retry: Retry{
			MaxRetries:   row(resilience.ServiceDefault).MaxRetries,
			InitialDelay: row(resilience.ServiceDefault).InitialDelay,
			MaxDelay:     row(resilience.ServiceDefault).MaxDelay,
			Base:         row(resilience.ServiceDefault).Base,
			Jitter:       row(resilience.ServiceDefault).Jitter,
		},
		Timeouts: Timeouts{
			Job:         row(resilience.ServiceJob).Timeout,
			Automation:  row(resilience.ServiceAutomation).Timeout,
			Resume:      row(resilience.ServiceResume).Timeout,
			CoverLetter: row(resilience.ServiceCoverLetter).Timeout,
			Email:       row(resilience.ServiceEmail).Timeout,
			Source:      source.DefaultConnectTimeout,
			SourceIdle:  source.DefaultIdleTimeout,
			Shutdown:    30 * time.Second,
		},
		// How every board is read is the source client's; its defaults are
		// written there.
		Fetch: Fetch{
			MaxBytes:        source.DefaultMaxBody,
			HostConcurrency: source.DefaultHostConcurrency,
			HostDelay:       source.DefaultHostDelay,
		},
		Breakers: Breakers{
			EmailFailureThreshold:  table.Breakers[resilience.BreakerEmail].FailureThreshold,
			EmailRecoveryTimeout:   table.Breakers[resilience.BreakerEmail].RecoveryTimeout,
			OpenAIFailureThreshold: table.Breakers[resilience.BreakerOpenAI].FailureThreshold,
			OpenAIRecoveryTimeout:  table.Breakers[resilience.BreakerOpenAI].RecoveryTimeout,
		},
		Scheduler: Scheduler{
			Timezone:            "UTC",
			HealthCheckInterval: 300 * time.Second,
			RestartDelay:        60 * time.Second,
			FetchInterval:       6 * time.Hour,
			AutomationInterval:  time.Hour,
			FollowUpCron:        "0 10 * * *",
			CleanupCron:         "0 2 * * *",
			Workers:             10,
		},
		Apply: Apply{
			Mode:         string(jobpilot.ApplyReview),
			FollowUpDays: jobpilot.DefaultFollowUpDays,
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
	if c.NodeID == "" {
		c.NodeID = defaultNodeID(c.DataDir)
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
