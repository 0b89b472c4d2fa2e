package llm

import (
	"errors"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/config"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/jobpilot/jobpilot/templatewriter"
)

// NewWriter returns the writer the configuration asks for. The template
// writer is chosen when cfg.UsesTemplateWriter() (JOBPILOT_WRITER=template,
// or no OPENAI_API_KEY with the default OPENAI_BASE_URL); otherwise the LLM
// writer on cfg.OpenAI, its resume calls under set.Resume and its letters
// under set.CoverLetter (both on the shared "openai" breaker), its guard
// removals counted on WithRegisterer's registerer when given.
func NewWriter(cfg *config.Config, set *resilience.Set, opts ...ClientOption) (jobpilot.Writer, error) {
	if cfg == nil {
		return nil, errors.New("llm: NewWriter: nil config")
	}
	var o clientOptions
	for _, f := range opts {
		f(&o)
	}
	if cfg.UsesTemplateWriter() {
		return templatewriter.New(), nil
	}
	if set == nil {
		return nil, errors.New("llm: NewWriter: the LLM writer needs the resilience set")
	}
	return NewLLMWriter(NewClient(cfg.OpenAI, opts...), set.Resume, set.CoverLetter, o.registerer), nil
}
