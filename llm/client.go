package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/resilience"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// JSON output modes (see WithJSONMode).
const (
	// JSONObject asks for response_format {"type":"json_object"}: any JSON
	// object. OpenAI, Ollama, vLLM and LM Studio support it; the default.
	JSONObject = "json_object"
	// JSONSchema asks for response_format {"type":"json_schema"} with the
	// tailoring schema (OpenAI's structured outputs, recent vLLM).
	JSONSchema = "json_schema"
)

// Client is one OpenAI-compatible chat-completions endpoint (OpenAI, Ollama,
// vLLM, LM Studio …), built on the official openai-go SDK with the SDK's own
// retries turned off: each Complete call is exactly one HTTP request, and the
// caller's resilience policy (retry, the shared "openai" breaker, the
// per-attempt timeout) decides what happens next. Errors come back
// classified: 401 and 403 (a key the endpoint refuses, or one without
// access to the model) are jobpilot.Misconfigured, so the "openai" breaker
// is paused until a person fixes the key; the other HTTP statuses by
// resilience.ClassifyHTTPStatus (429, 5xx but 501, 408 and 409 are
// jobpilot.Transient, a 429 or 503 with Retry-After
// jobpilot.TransientAfter so the retry waits that long; 400, 404 and 422
// are jobpilot.Permanent); connection failures and timeouts
// jobpilot.Transient. Cancellation of ctx aborts the HTTP
// request and returns ctx's error unclassified, so our own shutdown is never
// counted against the breaker.
//
// Each call logs the model, the token usage and the latency, never the
// prompt or the reply, which hold the candidate's personal data.
type Client struct {
	sdk      openai.Client
	model    string
	jsonMode string
	log      *slog.Logger
	now      func() time.Time
}

// ClientOption configures a Client.
type ClientOption func(*clientOptions)

type clientOptions struct {
	httpClient *http.Client
	logger     *slog.Logger
	jsonMode   string
}

// WithHTTPClient sets the HTTP client (default http.DefaultClient's
// transport with no overall timeout: the per-attempt timeout comes from the
// context).
func WithHTTPClient(c *http.Client) ClientOption {
	return func(o *clientOptions) { o.httpClient = c }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) ClientOption {
	return func(o *clientOptions) { o.logger = l }
}

// WithJSONMode picks how JSON output is requested: JSONObject (default) or
// JSONSchema. Servers that reject json_schema work with json_object.
func WithJSONMode(mode string) ClientOption {
	return func(o *clientOptions) { o.jsonMode = mode }
}

// Config is the OpenAI-compatible endpoint a Client talks to.
type Config struct {
	BaseURL string // OPENAI_BASE_URL; "" = DefaultBaseURL
	APIKey  string // OPENAI_API_KEY (secret); "" for keyless local servers
	Model   string // OPENAI_MODEL; "" = DefaultModel
}

// Defaults of Config, also the defaults of OPENAI_BASE_URL and OPENAI_MODEL.
const (
	DefaultBaseURL = "https://api.openai.com/v1"
	DefaultModel   = "gpt-4o-mini"
)

// NewClient returns a client for cfg's endpoint and model. An empty API key
// is allowed (local Ollama or vLLM need none); an empty base URL or model
// takes DefaultBaseURL or DefaultModel.
func NewClient(cfg Config, opts ...ClientOption) *Client {
	o := clientOptions{jsonMode: JSONObject}
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{}
	}
	hc := *o.httpClient // a copy: the caller's client keeps its transport
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = limitTransport{base: base}
	o.httpClient = &hc
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	key := cfg.APIKey
	if key == "" {
		// The SDK insists on a key; keyless local servers ignore it.
		key = "unused"
	}
	sdk := openai.NewClient(
		option.WithBaseURL(baseURL),
		option.WithAPIKey(key),
		option.WithMaxRetries(0),
		option.WithHTTPClient(o.httpClient),
	)
	return &Client{sdk: sdk, model: model, jsonMode: o.jsonMode, log: o.logger, now: time.Now}
}

// Model is the model the client asks for.
func (c *Client) Model() string { return c.model }

// Message is one chat message.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Request is one chat completion.
type Request struct {
	// Purpose names the call in logs: "resume", "resume_repair", "cover_letter".
	Purpose  string
	Messages []Message
	// JSON asks for a JSON object reply; Schema, when set and the client is in
	// JSONSchema mode, is sent as the reply's JSON schema.
	JSON       bool
	SchemaName string
	Schema     map[string]any
	// Temperature, when > 0, is sent; otherwise the server's default applies.
	Temperature float64
}

// Response is the reply to one chat completion.
type Response struct {
	Content          string
	Model            string
	PromptTokens     int64
	CompletionTokens int64
	Latency          time.Duration
}

// Complete sends one chat completion request and returns the first choice.
// It makes exactly one HTTP request (no retry of its own) bound to ctx.
func (c *Client) Complete(ctx context.Context, req Request) (*Response, error) {
	params := openai.ChatCompletionNewParams{Model: shared.ChatModel(c.model)}
	for _, m := range req.Messages {
		switch m.Role {
		case "system":
			params.Messages = append(params.Messages, openai.SystemMessage(m.Content))
		case "assistant":
			params.Messages = append(params.Messages, openai.AssistantMessage(m.Content))
		default:
			params.Messages = append(params.Messages, openai.UserMessage(m.Content))
		}
	}
	if req.Temperature > 0 {
		params.Temperature = openai.Float(req.Temperature)
	}
	if req.JSON {
		if c.jsonMode == JSONSchema && req.Schema != nil {
			params.ResponseFormat.OfJSONSchema = &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   req.SchemaName,
					Schema: req.Schema,
				},
			}
		} else {
			params.ResponseFormat.OfJSONObject = &shared.ResponseFormatJSONObjectParam{}
		}
	}

	start := c.now()
	completion, err := c.sdk.Chat.Completions.New(ctx, params)
	latency := c.now().Sub(start)
	if err != nil {
		cerr := c.classify(ctx, err)
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm call failed",
			slog.String("purpose", req.Purpose), slog.String("model", c.model),
			slog.Duration("latency", latency), slog.String("error", cerr.Error()))
		return nil, cerr
	}
	if len(completion.Choices) == 0 {
		return nil, jobpilot.Transient(fmt.Errorf("llm: %s: the server returned no choices", req.Purpose))
	}
	resp := &Response{
		Content:          completion.Choices[0].Message.Content,
		Model:            completion.Model,
		PromptTokens:     completion.Usage.PromptTokens,
		CompletionTokens: completion.Usage.CompletionTokens,
		Latency:          latency,
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "llm call",
		slog.String("purpose", req.Purpose), slog.String("model", c.model),
		slog.Int64("prompt_tokens", resp.PromptTokens), slog.Int64("completion_tokens", resp.CompletionTokens),
		slog.Duration("latency", latency))
	return resp, nil
}

// classify maps an SDK error to jobpilot's retry classes.
func (c *Client) classify(ctx context.Context, err error) error {
	// Our own cancellation or deadline first: the SDK's error then is only a
	// symptom. Keep ctx's error in the chain so the resilience layer sees a
	// timeout (retryable) or a shutdown (not retried, not a breaker failure).
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("llm: request aborted: %w", errors.Join(cerr, stripContext(err)))
	}
	if errors.Is(err, ErrReplyTooLarge) {
		return jobpilot.Permanent(fmt.Errorf("llm: %s: %w: %w (over %d bytes)", c.model, jobpilot.ErrUnusableDraft, ErrReplyTooLarge, maxBodyBytes))
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		e := fmt.Errorf("llm: %s: HTTP %d: %s", c.model, apiErr.StatusCode, apiMessage(apiErr))
		switch apiErr.StatusCode {
		case http.StatusUnauthorized:
			// Our key, not the request nor the endpoint's health: every
			// later call meets the same refusal, so the breaker is paused
			// rather than each application failed (docs/design-notes.md,
			// "A configuration error pauses its dependency").
			return jobpilot.Misconfigured(fmt.Errorf("%w (%s: check OPENAI_API_KEY)", e, KeyRefused))
		case http.StatusForbidden:
			return jobpilot.Misconfigured(fmt.Errorf("%w (%s access: check OPENAI_API_KEY and that its project may use model %s)", e, KeyRefused, c.model))
		}
		// 400 bad request, 404 unknown model, 422 are permanent; 429 (with
		// its Retry-After), 408, 409 and 5xx transient.
		var header http.Header
		if apiErr.Response != nil {
			header = apiErr.Response.Header
		}
		return resilience.ClassifyHTTPStatus(apiErr.StatusCode, header, e, c.now())
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return jobpilot.Transient(fmt.Errorf("llm: %s: connection: %w", c.model, err))
	}
	// A body the SDK could not decode, or anything else from the transport:
	// most likely a proxy or an overloaded server; a later attempt can work.
	return jobpilot.Transient(fmt.Errorf("llm: %s: %w", c.model, err))
}

// KeyRefused is how a 401 or 403 of the endpoint is described: the
// words `jobpilot run` reports and the breaker's pause reason carries.
const KeyRefused = "the API key was refused"

// stripContext keeps the SDK's message but drops its wrapped context error,
// so that the joined error has one clear cause.
func stripContext(err error) error { return errors.New(err.Error()) }

func apiMessage(e *openai.Error) string {
	if e.Message != "" {
		return e.Message
	}
	return http.StatusText(e.StatusCode)
}

// Ping checks that the endpoint answers and takes the key, with one GET
// /models bound to ctx. A server without that route (404) answers, so it
// counts as reachable; a refused key, a 5xx and no answer at all do not.
// The error is classified like Complete's: a refused key (401, 403) is
// jobpilot.ErrMisconfigured, the endpoint answering but not to us.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.sdk.Models.List(ctx)
	var apiErr *openai.Error
	if err == nil || errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusMethodNotAllowed) {
		return nil
	}
	return c.classify(ctx, err)
}
