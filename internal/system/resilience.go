package system

import (
	"time"

	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/resilience"
)

// ResilienceConfig is the resilience table (resilience.Defaults, the
// stability guide's) with the configuration's variables written over its
// cells:
//
//   - RETRY_BASE and RETRY_JITTER shape every row's backoff;
//   - MAX_RETRIES, INITIAL_DELAY and MAX_DELAY are the "default" row and the
//     job boards' ("source");
//   - EMAIL_, RESUME_ and COVER_LETTER_ MAX_RETRIES, INITIAL_DELAY and
//     MAX_DELAY are those rows' (the embeddings row takes the cover
//     letter's); config has already put the global value in those left
//     unset when the global one was set;
//   - EMAIL_TIMEOUT, NOTIFY_TIMEOUT (every notification channel),
//     MAILBOX_TIMEOUT, RESUME_TIMEOUT, COVER_LETTER_TIMEOUT, JOB_TIMEOUT and
//     AUTOMATION_TIMEOUT are their rows' per-attempt timeouts (the job
//     boards have none: SOURCE_TIMEOUT and SOURCE_IDLE_TIMEOUT are the
//     source client's, see SourceClientOptions);
//   - EMAIL_* and OPENAI_FAILURE_THRESHOLD / RECOVERY_TIMEOUT are the
//     "email" and "openai" breakers;
//   - JOBPILOT_TIME_SCALE scales it all.
//
// A zero duration or threshold (a Config built by hand rather than by
// config.Load) leaves the table's value.
func ResilienceConfig(cfg *config.Config) resilience.Config {
	rc := resilience.Defaults().Clone()
	rc.TimeScale = cfg.TimeScale
	for name := range rc.Services {
		rc.Update(name, func(s *resilience.Settings) {
			s.Base = orTable(cfg.Retry.Base, s.Base)
			s.Jitter = cfg.Retry.Jitter
		})
	}
	for _, name := range []string{resilience.ServiceDefault, resilience.ServiceSource} {
		rc.Update(name, func(s *resilience.Settings) {
			s.MaxRetries = cfg.Retry.MaxRetries
			s.InitialDelay = orTable(cfg.Retry.InitialDelay, s.InitialDelay)
			s.MaxDelay = orTable(cfg.Retry.MaxDelay, s.MaxDelay)
		})
	}
	r := cfg.Retry
	for name, own := range map[string]struct {
		retries         int
		initial, maxDur time.Duration
	}{
		resilience.ServiceEmail:       {r.EmailMaxRetries, r.EmailInitialDelay, r.EmailMaxDelay},
		resilience.ServiceResume:      {r.ResumeMaxRetries, r.ResumeInitialDelay, r.ResumeMaxDelay},
		resilience.ServiceCoverLetter: {r.CoverLetterMaxRetries, r.CoverLetterInitialDelay, r.CoverLetterMaxDelay},
		resilience.ServiceEmbeddings:  {r.CoverLetterMaxRetries, r.CoverLetterInitialDelay, r.CoverLetterMaxDelay},
	} {
		rc.Update(name, func(s *resilience.Settings) {
			s.MaxRetries = own.retries
			s.InitialDelay = orTable(own.initial, s.InitialDelay)
			s.MaxDelay = orTable(own.maxDur, s.MaxDelay)
		})
	}
	t := cfg.Timeouts
	for name, d := range map[string]time.Duration{
		resilience.ServiceEmail:       t.Email,
		resilience.ServiceNotify:      t.Notify,
		resilience.ServiceMailbox:     t.Mailbox,
		resilience.ServiceResume:      t.Resume,
		resilience.ServiceCoverLetter: t.CoverLetter,
		resilience.ServiceJob:         t.Job,
		resilience.ServiceAutomation:  t.Automation,
	} {
		rc.Update(name, func(s *resilience.Settings) { s.Timeout = orTable(d, s.Timeout) })
	}
	b := cfg.Breakers
	breaker := func(name string, threshold int, recovery time.Duration) {
		bs := rc.Breakers[name]
		bs.FailureThreshold = orTable(threshold, bs.FailureThreshold)
		bs.RecoveryTimeout = orTable(recovery, bs.RecoveryTimeout)
		rc.Breakers[name] = bs
	}
	breaker(resilience.BreakerEmail, b.EmailFailureThreshold, b.EmailRecoveryTimeout)
	breaker(resilience.BreakerOpenAI, b.OpenAIFailureThreshold, b.OpenAIRecoveryTimeout)
	return rc
}

// orTable is the configured value v, or the table's when v is unset (0).
func orTable[T int | time.Duration | float64](v, table T) T {
	if v > 0 {
		return v
	}
	return table
}
