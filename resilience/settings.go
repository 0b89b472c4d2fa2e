package resilience

import (
	"time"

	"github.com/jobpilot/jobpilot/config"
)

// Settings of one service's policy (a row of DESIGN.md §2's matrix).
type Settings struct {
	Name         string        // "email", "resume", "cover_letter", "job", "automation", "source:<name>", "default"
	MaxRetries   int           // retries after the first attempt; 0 (or negative) = one attempt
	InitialDelay time.Duration // delay before retry n = min(InitialDelay × Base^(n−1), MaxDelay)
	MaxDelay     time.Duration // cap of every delay, Retry-After included; 0 = no cap
	Base         float64       // 2 by default (0 or less means 2)
	Jitter       float64       // 0..1 fraction; 0 = none (tests pin it off). Never applied to a Retry-After delay.
	Timeout      time.Duration // per attempt; 0 = none
	Breaker      string        // name of the shared breaker, "" = none
	// Operation names the call in log lines, after the stability guide's
	// function names ("send_email failed (attempt 1/3): …"); "" = Name.
	Operation string
}

// operation is the name log lines use.
func (s Settings) operation() string {
	if s.Operation != "" {
		return s.Operation
	}
	return s.Name
}

// BreakerSettings configure a circuit breaker: it opens after
// FailureThreshold consecutive counted failures and lets one probe through
// RecoveryTimeout later.
type BreakerSettings struct {
	FailureThreshold int
	RecoveryTimeout  time.Duration
}

// Breaker names shared by several services.
const (
	BreakerEmail  = "email"
	BreakerOpenAI = "openai"
	// SourceBreakerPrefix prefixes each job board's own breaker: "source:<name>".
	SourceBreakerPrefix = "source:"
)

// Matrix holds every row of the service matrix. Source is the template of
// the per-source services (Set.Source names them "source:<name>").
type Matrix struct {
	Default, Email, Resume, CoverLetter, Job, Automation, Source Settings
	EmailBreaker, OpenAIBreaker, SourceBreaker                   BreakerSettings
}

// MatrixFrom fills the matrix exactly as DESIGN.md §2 from cfg and scales it
// by cfg.TimeScale (every delay, timeout and recovery time multiplied; a
// scale of 0 or less is taken as 1). Unset (zero) bases and breaker settings
// fall back to the guide's defaults; zero timeouts mean none.
func MatrixFrom(cfg *config.Config) Matrix {
	base := cfg.Retry.Base
	if base <= 0 {
		base = 2
	}
	jitter := cfg.Retry.Jitter
	row := func(name string, retries int, initial, maxDelay, timeout time.Duration, breaker string) Settings {
		return Settings{Name: name, MaxRetries: retries, InitialDelay: initial, MaxDelay: maxDelay,
			Base: base, Jitter: jitter, Timeout: timeout, Breaker: breaker}
	}
	def := row("default", cfg.Retry.MaxRetries, cfg.Retry.InitialDelay, cfg.Retry.MaxDelay, 0, "")
	src := def
	// No per-attempt timeout for job boards: the source client bounds a
	// request's first byte (SOURCE_TIMEOUT) and each silence while reading
	// (SOURCE_IDLE_TIMEOUT), so a big board on a slow link still finishes.
	src.Name, src.Timeout, src.Breaker = "source", 0, "source"

	named := func(s Settings, op string) Settings { s.Operation = op; return s }
	m := Matrix{
		Default:     def,
		Email:       named(row("email", 3, 2*time.Second, 30*time.Second, cfg.Timeouts.Email, BreakerEmail), "send_email"),
		Resume:      named(row("resume", 3, 2*time.Second, 30*time.Second, cfg.Timeouts.Resume, BreakerOpenAI), "generate_resume"),
		CoverLetter: named(row("cover_letter", 2, time.Second, 30*time.Second, cfg.Timeouts.CoverLetter, BreakerOpenAI), "generate_cover_letter"),
		Job:         named(row("job", 0, 0, 0, cfg.Timeouts.Job, ""), "process_job"),
		Automation:  named(row("automation", 0, 0, 0, cfg.Timeouts.Automation, ""), "run_automation"),
		Source:      src,
		EmailBreaker: BreakerSettings{
			FailureThreshold: orInt(cfg.Breakers.EmailFailureThreshold, 5),
			RecoveryTimeout:  orDur(cfg.Breakers.EmailRecoveryTimeout, 5*time.Minute),
		},
		OpenAIBreaker: BreakerSettings{
			FailureThreshold: orInt(cfg.Breakers.OpenAIFailureThreshold, 3),
			RecoveryTimeout:  orDur(cfg.Breakers.OpenAIRecoveryTimeout, 3*time.Minute),
		},
		SourceBreaker: BreakerSettings{FailureThreshold: 5, RecoveryTimeout: time.Minute},
	}
	scale := cfg.TimeScale
	if scale <= 0 {
		scale = 1
	}
	return m.Scale(scale)
}

// Scale returns a copy of m with every delay, timeout and recovery time
// multiplied by f (tests use 0.001 to run the guide's seconds as
// milliseconds). A factor of 0 or less returns m unchanged.
func (m Matrix) Scale(f float64) Matrix {
	if f <= 0 || f == 1 {
		return m
	}
	for _, s := range []*Settings{&m.Default, &m.Email, &m.Resume, &m.CoverLetter, &m.Job, &m.Automation, &m.Source} {
		s.InitialDelay = scaleDur(s.InitialDelay, f)
		s.MaxDelay = scaleDur(s.MaxDelay, f)
		s.Timeout = scaleDur(s.Timeout, f)
	}
	for _, b := range []*BreakerSettings{&m.EmailBreaker, &m.OpenAIBreaker, &m.SourceBreaker} {
		b.RecoveryTimeout = scaleDur(b.RecoveryTimeout, f)
	}
	return m
}

func scaleDur(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDur(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
