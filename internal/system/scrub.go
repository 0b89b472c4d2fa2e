package system

import (
	"log/slog"

	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/internal/redact"
)

// Scrubber removes every configured secret (config.Secrets: the SMTP
// password, OPENAI_API_KEY, JOBPILOT_API_TOKEN, the database password, the
// sources' URL credentials) and the credentials of any URL from a text.
// Open applies it in the places text leaves the process or is kept: the
// logger (ScrubLogger), the store's events, runs and application errors
// (store.DB.SetScrubber) and the job errors River keeps
// (engine.Options.ScrubError). An upstream error that quotes a key (an LLM
// endpoint echoing the Authorization header) is thus cleaned wherever it
// goes, without each caller remembering to.
func Scrubber(cfg *config.Config) *redact.Scrubber {
	return redact.NewScrubber(cfg.Secrets()...)
}

// ScrubLogger returns log (slog.Default() when nil) with every record
// passed through scrub first. A logger that already scrubs is returned as
// it is.
func ScrubLogger(log *slog.Logger, scrub *redact.Scrubber) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	if _, done := log.Handler().(*redact.Handler); done {
		return log
	}
	return slog.New(redact.NewHandler(log.Handler(), scrub))
}
