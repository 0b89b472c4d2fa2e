package resilience

import (
	"maps"
	"time"
)

// Settings of one service's policy: a row of the resilience table.
type Settings struct {
	Name         string        // the service's name; in a Config it is the row's key
	MaxRetries   int           // retries after the first attempt; 0 (or negative) = one attempt
	InitialDelay time.Duration // delay before retry n = min(InitialDelay × Base^(n−1), MaxDelay)
	MaxDelay     time.Duration // cap of every delay, Retry-After included; 0 = no cap
	Base         float64       // 2 by default (0 or less means 2)
	Jitter       float64       // 0..1 fraction; 0 = none (tests pin it off). Never applied to a Retry-After delay.
	Timeout      time.Duration // per attempt; 0 = none
	Breaker      string        // name of the shared breaker (a key of Config.Breakers), "" = none
	// Operation names the call in log lines, after the stability guide's
	// function names ("send_email failed (attempt 1/4): …"); "" = Name.
	Operation string
	// PerInstance makes the row a template rather than a service: each
	// "<name>:<instance>" service (e.g. "source:greenhouse:acme") gets the
	// row's policy and a breaker of its own, named like the service, with
	// the settings of the row's Breaker. The row itself is never built.
	PerInstance bool
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

// Service names: the rows of the stability guide's table.
const (
	ServiceDefault     = "default"      // the guide's retry_with_backoff: MAX_RETRIES, INITIAL_DELAY, MAX_DELAY
	ServiceEmail       = "email"        // one SMTP transaction
	ServiceResume      = "resume"       // one resume generation (LLM)
	ServiceCoverLetter = "cover_letter" // one cover letter (LLM)
	ServiceEmbeddings  = "embeddings"   // one batch of embeddings (LLM endpoint, matching)
	ServiceJob         = "job"          // processing one posting
	ServiceAutomation  = "automation"   // one full automation run
	ServiceSource      = "source"       // template of each job board's service "source:<type>:<name>"
	ServiceMailbox     = "mailbox"      // one read of one mailbox folder (IMAP)
	ServiceNotify      = "notify"       // template of each notification channel's service "notify:<channel>"
)

// Breaker names shared by several services.
const (
	BreakerEmail  = "email"
	BreakerOpenAI = "openai"
	// BreakerMailbox is the IMAP server's: open, the mailbox is read later
	// and nothing is lost (the cursor stays where it was).
	BreakerMailbox = "mailbox"
	// BreakerNotify holds the settings of every notification channel's own
	// breaker ("notify:<channel>"): open, its notices are dropped (and
	// recorded) rather than waited for, and the other channels go on.
	BreakerNotify = "notify"
	// BreakerSource holds the settings of every job board's own breaker.
	BreakerSource = "source"
	// SourceBreakerPrefix prefixes each job board's own breaker: "source:<name>".
	SourceBreakerPrefix = ServiceSource + ":"
)

// Config is the resilience table: every service's policy and every shared
// circuit breaker's settings, by name. Defaults gives the stability guide's;
// internal/system overlays the configuration's variables on it. A new
// service (a mailbox reader, a webhook) is one row in Defaults.
type Config struct {
	Services map[string]Settings        // by service name
	Breakers map[string]BreakerSettings // by breaker name
	// TimeScale multiplies every delay, timeout and recovery time (tests and
	// the fault lab run the guide's seconds as milliseconds); 0 or less = 1.
	TimeScale float64
}

// Defaults is the stability guide's fault-tolerance matrix, the one place
// its numbers are written (config takes its variables' defaults from here):
//
//	service       retries  backoff        timeout  breaker
//	email         3        2 s → 30 s     30 s     email: 5 failures / 5 min
//	resume        3        2 s → 30 s     120 s    openai: 3 failures / 3 min (shared)
//	cover_letter  2        1 s → 30 s     60 s     openai
//	job           —        —              600 s    —
//	automation    —        —              3600 s   —
//	default       3        1 s → 60 s     —        —
//	source        3        1 s → 60 s     —        its own: 5 failures / 1 min
//	mailbox       2        2 s → 30 s     60 s     mailbox: 3 failures / 5 min
//	notify        2        1 s → 10 s     10 s     its own per channel: 5 failures / 5 min
//
// Delays grow by a base of 2 (2, 4, 8 s for email) with no jitter. Job
// boards have no per-attempt timeout: the source client bounds a request's
// first byte (SOURCE_TIMEOUT) and each silence while its body is read
// (SOURCE_IDLE_TIMEOUT), so a big board on a slow link still finishes.
func Defaults() Config {
	return Config{
		Services: map[string]Settings{
			ServiceDefault:     {MaxRetries: 3, InitialDelay: time.Second, MaxDelay: 60 * time.Second, Base: 2},
			ServiceEmail:       {MaxRetries: 3, InitialDelay: 2 * time.Second, MaxDelay: 30 * time.Second, Base: 2, Timeout: 30 * time.Second, Breaker: BreakerEmail, Operation: "send_email"},
			ServiceResume:      {MaxRetries: 3, InitialDelay: 2 * time.Second, MaxDelay: 30 * time.Second, Base: 2, Timeout: 120 * time.Second, Breaker: BreakerOpenAI, Operation: "generate_resume"},
			ServiceCoverLetter: {MaxRetries: 2, InitialDelay: time.Second, MaxDelay: 30 * time.Second, Base: 2, Timeout: 60 * time.Second, Breaker: BreakerOpenAI, Operation: "generate_cover_letter"},
			ServiceEmbeddings:  {MaxRetries: 2, InitialDelay: time.Second, MaxDelay: 30 * time.Second, Base: 2, Timeout: 60 * time.Second, Breaker: BreakerOpenAI, Operation: "embed_texts"},
			ServiceJob:         {Timeout: 600 * time.Second, Operation: "process_job"},
			ServiceAutomation:  {Timeout: 3600 * time.Second, Operation: "run_automation"},
			ServiceSource:      {MaxRetries: 3, InitialDelay: time.Second, MaxDelay: 60 * time.Second, Base: 2, Breaker: BreakerSource, PerInstance: true},
			ServiceMailbox:     {MaxRetries: 2, InitialDelay: 2 * time.Second, MaxDelay: 30 * time.Second, Base: 2, Timeout: 60 * time.Second, Breaker: BreakerMailbox, Operation: "read_mailbox"},
			ServiceNotify:      {MaxRetries: 2, InitialDelay: time.Second, MaxDelay: 10 * time.Second, Base: 2, Timeout: 10 * time.Second, Breaker: BreakerNotify, Operation: "send_notification", PerInstance: true},
		},
		Breakers: map[string]BreakerSettings{
			BreakerEmail:   {FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute},
			BreakerOpenAI:  {FailureThreshold: 3, RecoveryTimeout: 3 * time.Minute},
			BreakerSource:  {FailureThreshold: 5, RecoveryTimeout: time.Minute},
			BreakerMailbox: {FailureThreshold: 3, RecoveryTimeout: 5 * time.Minute},
			BreakerNotify:  {FailureThreshold: 5, RecoveryTimeout: 5 * time.Minute},
		},
		TimeScale: 1,
	}
}

// Clone returns a copy of c whose maps can be changed without touching c.
func (c Config) Clone() Config {
	c.Services = maps.Clone(c.Services)
	c.Breakers = maps.Clone(c.Breakers)
	return c
}

// Update changes the row called name in place (a copy of c's maps is
// needed first when c is shared: see Clone). A missing row is created from
// the zero Settings.
func (c Config) Update(name string, f func(*Settings)) {
	s := c.Services[name]
	f(&s)
	c.Services[name] = s
}

// scaled returns a copy of c with every delay, timeout and recovery time
// multiplied by its TimeScale, and each row's Name set to its key.
func (c Config) scaled() Config {
	f := c.TimeScale
	if f <= 0 {
		f = 1
	}
	out := Config{Services: make(map[string]Settings, len(c.Services)), Breakers: make(map[string]BreakerSettings, len(c.Breakers)), TimeScale: 1}
	for name, s := range c.Services {
		s.Name = name
		s.InitialDelay = scaleDur(s.InitialDelay, f)
		s.MaxDelay = scaleDur(s.MaxDelay, f)
		s.Timeout = scaleDur(s.Timeout, f)
		out.Services[name] = s
	}
	for name, b := range c.Breakers {
		b.RecoveryTimeout = scaleDur(b.RecoveryTimeout, f)
		out.Breakers[name] = b
	}
	return out
}

func scaleDur(d time.Duration, f float64) time.Duration {
	if f == 1 {
		return d
	}
	return time.Duration(float64(d) * f)
}
