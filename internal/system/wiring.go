package system

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/apply"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/mail"
	"github.com/jobpilot/jobpilot/mail/mailbox"
	"github.com/jobpilot/jobpilot/notify"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/source"
	"github.com/jobpilot/jobpilot/templatewriter"
)

// NewWriter picks the writer: the template writer when cfg.UsesTemplateWriter
// (JOBPILOT_WRITER=template, or no OPENAI_API_KEY with the default
// OPENAI_BASE_URL), otherwise the LLM writer on cfg.OpenAI, its resume calls
// under the resilience service "resume" and its letters under
// "cover_letter" (both on the shared "openai" breaker), its guard removals
// counted on reg.
func NewWriter(cfg *config.Config, set *resilience.Set, log *slog.Logger, reg prometheus.Registerer) jobpilot.Writer {
	if cfg.UsesTemplateWriter() {
		return templatewriter.New()
	}
	client := llm.NewClient(LLMConfig(cfg), llm.WithLogger(log))
	return llm.NewLLMWriter(client, set.Service(resilience.ServiceResume), set.Service(resilience.ServiceCoverLetter), reg)
}

// LLMConfig is the LLM endpoint of cfg (OPENAI_*).
func LLMConfig(cfg *config.Config) llm.Config {
	return llm.Config{BaseURL: cfg.OpenAI.BaseURL, APIKey: cfg.OpenAI.APIKey, Model: cfg.OpenAI.Model}
}

// MailConfig is the SMTP server of cfg (SMTP_*).
func MailConfig(cfg *config.Config) mail.Config {
	s := cfg.SMTP
	return mail.Config{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From, TLS: s.TLS}
}

// MailboxConfig is the candidate's mailbox of cfg (IMAP_*).
func MailboxConfig(cfg *config.Config, log *slog.Logger) mailbox.Config {
	m := cfg.Mailbox
	return mailbox.Config{Host: m.IMAPHost, Port: m.IMAPPort, Username: m.IMAPUsername, Password: m.IMAPPassword, TLS: m.IMAPTLS, Logger: log}
}

// newInbox is the mailbox loop of cfg: the IMAP reader under the "mailbox"
// service, its place kept in the store; nil when IMAP_HOST is unset.
func newInbox(cfg *config.Config, set *resilience.Set, db jobpilot.InboxStore, log *slog.Logger) (*apply.Inbox, error) {
	if !cfg.Mailbox.Reads() {
		return nil, nil
	}
	r, err := mailbox.New(MailboxConfig(cfg, log))
	if err != nil {
		return nil, err
	}
	return &apply.Inbox{
		Reader:         r,
		Policy:         set.Service(resilience.ServiceMailbox),
		Store:          db,
		Folders:        cfg.Mailbox.Folders,
		UncertainGrace: cfg.Mailbox.UncertainGrace,
	}, nil
}

// notifiers are the notification channels of cfg (NOTIFY_*), from the
// registry (notify.Builtin); the email channel uses the pipeline's mailer.
func notifiers(cfg *config.Config, mailer jobpilot.Mailer) []jobpilot.Notifier {
	n := cfg.Notify
	return notify.Channels(notify.Config{Email: n.NotifyEmail, WebhookURL: n.WebhookURL, NtfyURL: n.NtfyURL,
		From: cfg.SMTP.From, Mailer: mailer}, notify.Builtin())
}

// newMailer is the transport the configuration asks for: SMTP when
// SMTP_HOST is set, otherwise the .eml outbox under <DataDir>/outbox.
func newMailer(cfg *config.Config, log *slog.Logger) (jobpilot.Mailer, error) {
	if cfg.SMTP.Host == "" {
		return mail.NewOutbox(mail.OutboxDir(cfg.DataDir), mail.WithLogger(log)), nil
	}
	return mail.New(MailConfig(cfg), mail.WithLogger(log))
}

// deliveryOf names what a mailer does with a message: the outbox only saves
// it (jobpilot.DeliveryOutbox), anything else hands it to a mail server.
func deliveryOf(m jobpilot.Mailer) string {
	if _, ok := m.(*mail.Outbox); ok {
		return jobpilot.DeliveryOutbox
	}
	return jobpilot.DeliverySMTP
}

// buildSources builds the configured job boards (types from
// source.Builtin) on one client (SourceClientOptions) whose requests run
// under each board's own resilience service ("source:<type>:<name>": retry
// and breaker).
func buildSources(cfg *config.Config, set *resilience.Set, log *slog.Logger) ([]jobpilot.Source, error) {
	specs, problems := sourceSpecs(cfg)
	if len(problems) > 0 {
		return nil, &jobpilot.Error{Code: jobpilot.EINVALID, Message: "invalid configuration", Err: errors.Join(problems...)}
	}
	opts := SourceClientOptions(cfg)
	opts.Policies = func(name string) jobpilot.Executor { return set.Source(name) }
	opts.Logger = log
	client := source.NewClient(opts)
	reg := source.Builtin()
	out := make([]jobpilot.Source, 0, len(specs))
	for _, spec := range specs {
		src, err := reg.New(spec, client)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", spec.Name, err)
		}
		out = append(out, src)
	}
	return out, nil
}

// SourceClientOptions are the settings every source reads its board with,
// whatever its type: SOURCE_TIMEOUT bounds a request's connection and first
// byte, SOURCE_IDLE_TIMEOUT each silence while its body is read (both, and
// SOURCE_HOST_DELAY, scaled by JOBPILOT_TIME_SCALE), SOURCE_MAX_BYTES its
// body, SOURCE_HOST_CONCURRENCY the requests at once to one host, and
// SOURCE_REDIRECT_HOSTS the hosts a request may be redirected to besides
// its own. The caller adds Policies and Logger.
func SourceClientOptions(cfg *config.Config) source.ClientOptions {
	f := cfg.Fetch
	return source.ClientOptions{
		MaxBody:         f.MaxBytes,
		ConnectTimeout:  scaled(cfg, cfg.Timeouts.Source),
		IdleTimeout:     scaled(cfg, cfg.Timeouts.SourceIdle),
		HostConcurrency: f.HostConcurrency,
		HostDelay:       scaled(cfg, f.HostDelay),
		RedirectHosts:   f.RedirectHosts,
	}
}

// CheckSources is the configuration rule of the sources (a config.Rule, see
// config.Load): every entry is decoded and checked by the source registry,
// and names are unique. Each problem is a *config.Error naming the entry's
// key, e.g. "sources[1].token is required for a greenhouse source".
func CheckSources(cfg *config.Config) []error {
	_, problems := sourceSpecs(cfg)
	return problems
}

func sourceSpecs(cfg *config.Config) ([]source.Spec, []error) {
	reg := source.Builtin()
	var (
		specs    []source.Spec
		problems []error
		seen     = map[string]int{}
	)
	for i, entry := range cfg.Sources {
		key := func(k string) string { return fmt.Sprintf("sources[%d].%s", i, k) }
		spec, ps := reg.Decode(entry)
		for _, p := range ps {
			problems = append(problems, &config.Error{Var: key(p.Field), Message: p.Message})
		}
		if first, dup := seen[spec.Name]; dup && spec.Name != "" {
			problems = append(problems, &config.Error{Var: key("name"), Message: fmt.Sprintf("must be unique: %q is also sources[%d]", spec.Name, first)})
		} else {
			seen[spec.Name] = i
		}
		specs = append(specs, spec)
	}
	return specs, problems
}

// newEmbedder builds the embeddings client of OPENAI_EMBEDDINGS_MODEL on the
// LLM endpoint, under a service of its own ("embeddings": the cover letter's
// retries and timeout) on the shared "openai" breaker.
func newEmbedder(cfg *config.Config, set *resilience.Set, log *slog.Logger) *llm.Embedder {
	return llm.NewEmbedder(LLMConfig(cfg), cfg.OpenAI.EmbeddingsModel, set.Service(resilience.ServiceEmbeddings), llm.WithLogger(log))
}
