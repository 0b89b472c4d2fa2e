package resilience

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/common"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	"github.com/failsafe-go/failsafe-go/timeout"

	"github.com/jobpilot/jobpilot"
)

// Service is a ready executor for one dependency, composed
// retry(breaker(timeout(call))). It is safe for concurrent use; the breaker
// may be shared with other services.
type Service struct {
	settings Settings
	breaker  *Breaker
	obs      *observer
	metrics  serviceMetrics
	executor failsafe.Executor[any]
}

// Service builds the executor for s. When s.Breaker is set, the breaker of
// that name is created with b or, if it exists, shared as it is.
func (r *Registry) Service(s Settings, b BreakerSettings) *Service {
	if s.MaxRetries < 0 {
		s.MaxRetries = 0
	}
	if s.Base <= 0 {
		s.Base = 2
	}
	s.Jitter = min(max(s.Jitter, 0), 1)
	svc := &Service{settings: s, obs: r.obs, metrics: r.obs.metrics.forService(s.Name)}

	retry := retrypolicy.NewBuilder[any]().
		WithMaxRetries(s.MaxRetries).
		HandleIf(func(_ any, err error) bool { return Retryable(err) }).
		// Redundant with HandleIf, kept explicit: these must never be retried.
		AbortOnErrors(jobpilot.ErrPermanent, context.Canceled).
		AbortOnErrorTypes(&OpenError{}).
		// A failure that opened the breaker (this attempt's or another
		// caller's) ends the retries: the next attempt would be rejected,
		// and announcing it ("Retrying in …") would be untrue.
		AbortIf(func(_ any, err error) bool { return svc.breakerBlocks() }).
		OnAbort(svc.onAbort).
		WithDelayFunc(svc.delay).
		OnRetryScheduled(svc.onRetryScheduled).
		OnRetriesExceeded(svc.onRetriesExceeded).
		Build()
	policies := []failsafe.Policy[any]{retry}
	if s.Breaker != "" {
		svc.breaker = r.Breaker(s.Breaker, b)
		policies = append(policies, &breakerPolicy{b: svc.breaker, svc: svc})
	}
	if s.Timeout > 0 {
		t := timeout.NewBuilder[any](s.Timeout).OnTimeoutExceeded(svc.onTimeout).Build()
		policies = append(policies, &timeoutPolicy{t: t, svc: svc})
	}
	svc.executor = failsafe.With(policies...)
	return svc
}

// Name is the service's name, e.g. "email".
func (s *Service) Name() string { return s.settings.Name }

// Settings returns the service's effective settings.
func (s *Service) Settings() Settings { return s.settings }

// Breaker returns the service's circuit breaker, nil when it has none.
func (s *Service) Breaker() *Breaker { return s.breaker }

// Do runs fn under the service's policies and returns nil or:
//
//   - fn's own error when it is not Retryable (e.g. jobpilot.Permanent), after one attempt;
//   - *OpenError when the breaker rejected the attempt (never retried);
//   - *ExhaustedError wrapping the last error when every attempt failed;
//   - the caller's ctx error when ctx ended first (shutdown): the retry wait
//     stops at once and the canceled attempt is not counted by the breaker.
//
// fn must pass the ctx it gets to its I/O: it is canceled when the attempt's
// timeout passes, which is the only way the work itself stops.
func (s *Service) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	_, err := s.run(ctx, func(ctx context.Context) (any, error) { return nil, fn(ctx) })
	return err
}

// Get is Do for a function with a result. On error it returns T's zero value.
func Get[T any](ctx context.Context, s *Service, fn func(ctx context.Context) (T, error)) (T, error) {
	v, err := s.run(ctx, func(ctx context.Context) (any, error) { return fn(ctx) })
	if err != nil {
		var zero T
		return zero, err
	}
	t, _ := v.(T) // v is nil when T is an interface and fn returned nil
	return t, nil
}

func (s *Service) run(ctx context.Context, fn func(ctx context.Context) (any, error)) (any, error) {
	v, err := s.executor.WithContext(ctx).GetWithExecution(func(exec failsafe.Execution[any]) (any, error) {
		inc(s.metrics.attempts)
		return fn(exec.Context())
	})
	if err == nil {
		return v, nil
	}
	// failsafe returns ExceededError unwrapped; the type assertion spares
	// errors.As's allocation on every failure.
	exceeded, ok := err.(retrypolicy.ExceededError)
	if !ok {
		ok = errors.As(err, &exceeded)
	}
	if ok {
		return nil, &ExhaustedError{Service: s.settings.Name, Operation: s.settings.operation(), Attempts: s.settings.MaxRetries + 1, Err: exceeded.LastError}
	}
	if s.breaker != nil && ctx.Err() == nil && (Retryable(err) || errors.Is(err, jobpilot.ErrMisconfigured) && s.breakerBlocks()) {
		// A retryable error that ended the loop before its retries were
		// spent was aborted because the breaker opened (AbortIf), and a
		// configuration error paused it: the caller waits for the breaker
		// as for any open one, and the work is kept. (The breaker may have
		// half-opened since: openError then asks for a short wait.)
		return nil, s.breaker.openError()
	}
	return nil, err
}

// breakerBlocks reports whether the service's breaker would reject the
// next attempt: open, or paused by a configuration error.
func (s *Service) breakerBlocks() bool {
	if s.breaker == nil {
		return false
	}
	_, paused := s.breaker.Paused()
	return paused || s.breaker.cb.IsOpen()
}

// onAbort logs a failure whose retry was dropped because the breaker
// opened: the give-up when it was the last attempt anyway, otherwise the
// attempt without a "Retrying in" it would not keep.
func (s *Service) onAbort(e failsafe.ExecutionEvent[any]) {
	if !s.breakerBlocks() || e.LastError() == nil {
		return
	}
	if e.Attempts() > s.settings.MaxRetries {
		s.onRetriesExceeded(e)
		return
	}
	attempt, total := e.Attempts(), s.settings.MaxRetries+1
	msg := fmt.Sprintf("%s failed (attempt %d/%d): %v. Not retried: circuit breaker %q is open",
		s.settings.operation(), attempt, total, e.LastError(), s.breaker.name)
	s.obs.log.Warn(msg, "service", s.settings.Name, "attempt", attempt, "max_attempts", total, "breaker", s.breaker.name)
}

// delay is the retry delay: the dependency's own request (Retry-After) when
// the last error carries one, else min(InitialDelay × Base^(n−1), MaxDelay)
// with jitter; both capped at MaxDelay.
func (s *Service) delay(exec failsafe.ExecutionAttempt[any]) time.Duration {
	st := s.settings
	if after, ok := jobpilot.RetryAfter(exec.LastError()); ok {
		return capDelay(after, st.MaxDelay)
	}
	n := exec.Attempts() // the attempt that just failed = the retry about to be scheduled
	d := time.Duration(float64(st.InitialDelay) * math.Pow(st.Base, float64(n-1)))
	if d < 0 || math.IsInf(float64(d), 0) { // overflow of a long exponential run
		d = st.MaxDelay
	}
	d = capDelay(d, st.MaxDelay)
	if st.Jitter > 0 && d > 0 {
		d = time.Duration(float64(d) * (1 + st.Jitter*(2*rand.Float64()-1)))
		d = capDelay(d, st.MaxDelay)
	}
	return d
}

func capDelay(d, maxDelay time.Duration) time.Duration {
	if maxDelay > 0 && d > maxDelay {
		return maxDelay
	}
	return max(d, 0)
}

func (s *Service) onRetryScheduled(e failsafe.ExecutionScheduledEvent[any]) {
	inc(s.metrics.retries)
	attempt, total := e.Attempts(), s.settings.MaxRetries+1
	// The guide's shape, each attempt numbered out of all the attempts
	// the call may make, as the timeout line numbers it.
	msg := fmt.Sprintf("%s failed (attempt %d/%d): %v. Retrying in %.2fs...",
		s.settings.operation(), attempt, total, e.LastError(), e.Delay.Seconds())
	s.obs.emit(slog.LevelWarn, Event{Service: s.settings.Name, Kind: KindRetry, Attempt: attempt, MaxAttempts: total,
		Delay: e.Delay, Err: e.LastError(), Message: msg},
		"service", s.settings.Name, "attempt", attempt, "max_attempts", total, "delay", e.Delay)
}

// onRetriesExceeded logs the give-up. A service without retries (job,
// automation) has nothing to give up: its single failure is returned, as an
// *ExhaustedError, without a give-up log, event or count.
func (s *Service) onRetriesExceeded(e failsafe.ExecutionEvent[any]) {
	if s.settings.MaxRetries == 0 {
		return
	}
	inc(s.metrics.giveUps)
	attempt, total := e.Attempts(), s.settings.MaxRetries+1
	msg := fmt.Sprintf("%s failed after %d retries: %v", s.settings.operation(), s.settings.MaxRetries, e.LastError())
	s.obs.emit(slog.LevelError, Event{Service: s.settings.Name, Kind: KindGiveUp, Attempt: attempt, MaxAttempts: total,
		Err: e.LastError(), Message: msg},
		"service", s.settings.Name, "attempts", attempt)
}

func (s *Service) onTimeout(e failsafe.ExecutionDoneEvent[any]) {
	inc(s.metrics.timeouts)
	attempt, total := e.Attempts(), s.settings.MaxRetries+1
	err := &TimeoutError{Service: s.settings.Name, Limit: s.settings.Timeout}
	msg := fmt.Sprintf("%s timed out after %s (attempt %d/%d)", s.settings.operation(), s.settings.Timeout, attempt, total)
	s.obs.emit(slog.LevelWarn, Event{Service: s.settings.Name, Kind: KindTimeout, Attempt: attempt, MaxAttempts: total,
		Err: err, Message: msg},
		"service", s.settings.Name, "attempt", attempt, "limit", s.settings.Timeout)
}

// timeoutPolicy is failsafe's timeout, innermost, with its ErrExceeded
// turned into our *TimeoutError so the breaker and the retry loop see a
// classified, transient error.
type timeoutPolicy struct {
	t   timeout.Timeout[any]
	svc *Service
}

type applier interface {
	Apply(inner func(failsafe.Execution[any]) *common.PolicyResult[any]) func(failsafe.Execution[any]) *common.PolicyResult[any]
}

func (p *timeoutPolicy) ToExecutor(_ any) any { return p }

func (p *timeoutPolicy) Apply(inner func(failsafe.Execution[any]) *common.PolicyResult[any]) func(failsafe.Execution[any]) *common.PolicyResult[any] {
	return func(exec failsafe.Execution[any]) *common.PolicyResult[any] {
		// failsafe runs the call on this goroutine and replaces its result
		// with ErrExceeded when the limit passed first; keep the call's own
		// to look at afterwards.
		var own *common.PolicyResult[any]
		timed := p.t.ToExecutor(nil).(applier).Apply(func(exec failsafe.Execution[any]) *common.PolicyResult[any] {
			own = inner(exec)
			return own
		})
		r := timed(exec)
		if r == nil || !errors.Is(r.Error, timeout.ErrExceeded) {
			return r
		}
		c := *r
		if own != nil && (errors.Is(own.Error, jobpilot.ErrOutcomeUnknown) || errors.Is(own.Error, jobpilot.ErrMisconfigured)) {
			// The call knew better than "timed out, try again": its
			// outcome is unknown, or no retry can help. Retrying it
			// would announce an attempt that cannot be made. (Any other
			// error the cut call returned is the cut's consequence.)
			c.Error = own.Error
			return &c
		}
		c.Error = &TimeoutError{Service: p.svc.settings.Name, Limit: p.svc.settings.Timeout}
		return &c
	}
}

// Set is the resilience table as ready services, by name, sharing one
// Registry of breakers. It is safe for concurrent use.
type Set struct {
	Breakers *Registry

	cfg      Config // scaled, names filled
	mu       sync.Mutex
	services map[string]*Service
}

// NewSet builds every service of cfg's table (scaled by cfg.TimeScale) on a
// new Registry: email on the breaker "email", resume and cover_letter
// sharing "openai", the others as their rows say. Template rows
// (Settings.PerInstance, such as "source") are built per instance, on first
// use, by Service.
func NewSet(cfg Config, opts Options) *Set {
	s := &Set{Breakers: NewRegistry(opts), cfg: cfg.scaled(), services: map[string]*Service{}}
	for name, row := range s.cfg.Services {
		if !row.PerInstance {
			s.services[name] = s.Breakers.Service(row, s.cfg.Breakers[row.Breaker])
		}
	}
	return s
}

// Service returns the service called name: a row of the table, or an
// instance "<template>:<instance>" of a template row (e.g. the job board
// "source:greenhouse:acme", built on first use with the "source" row's
// policy and a breaker of its own of the same name, so one failing board
// never blocks the others). A name that is neither is a programming error
// and panics; Do reports it as an error instead.
func (s *Set) Service(name string) *Service {
	svc, err := s.lookup(name)
	if err != nil {
		panic(err)
	}
	return svc
}

// Do runs fn under the policy of the service called name (see Service and
// Service.Do). An unknown name is a permanent EINTERNAL error; fn is not run.
func (s *Set) Do(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	svc, err := s.lookup(name)
	if err != nil {
		return jobpilot.Permanent(err)
	}
	return svc.Do(ctx, fn)
}

// Source returns the service of the job board called name (e.g.
// "greenhouse:acme"): Service("source:" + name).
func (s *Set) Source(name string) *Service { return s.Service(SourceBreakerPrefix + name) }

func (s *Set) lookup(name string) (*Service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc, ok := s.services[name]; ok {
		return svc, nil
	}
	template, _, found := strings.Cut(name, ":")
	row, ok := s.cfg.Services[template]
	if !found || !ok || !row.PerInstance {
		return nil, jobpilot.Errorf(jobpilot.EINTERNAL, "resilience: no service %q in the table", name)
	}
	breaker := s.cfg.Breakers[row.Breaker]
	row.Name, row.Breaker, row.PerInstance = name, name, false
	svc := s.Breakers.Service(row, breaker)
	s.services[name] = svc
	return svc, nil
}
