package resilience

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/common"

	"github.com/jobpilot/jobpilot"
)

// Options are the observers shared by a Registry's breakers and services.
type Options struct {
	Logger  *slog.Logger     // nil = slog.Default()
	Metrics *Metrics         // nil = no metrics
	OnEvent func(Event)      // optional: every retry, give-up, timeout and breaker transition (e.g. to store as a service event)
	Clock   func() time.Time // nil = time.Now; stamps Event.At
	// Redact, when set, cleans a paused breaker's reason before it is
	// kept: the reason is an upstream error's text, shown by /health, the
	// API and the dashboard, and an endpoint may quote our credentials in
	// it (an LLM echoing the Authorization header in its 401).
	Redact func(string) string
}

// Event kinds, the same strings as jobpilot.EventRetry and its siblings.
const (
	KindRetry   = jobpilot.EventRetry
	KindGiveUp  = jobpilot.EventGiveUp
	KindTimeout = jobpilot.EventTimeout
	KindBreaker = jobpilot.EventBreaker
)

// Breaker states as reported in events and snapshots.
const (
	StateClosed   = "closed"
	StateOpen     = "open"
	StateHalfOpen = "half_open"
)

// Event is one retry, give-up, timeout or breaker transition. OnEvent is
// called synchronously from the goroutine that saw it (a timeout's from a
// timer goroutine), so it must be quick and safe for concurrent use.
type Event struct {
	Service     string
	Kind        string // "retry", "give_up", "timeout", "breaker"
	Attempt     int    // the attempt that failed, 1-based
	MaxAttempts int    // MaxRetries+1
	Delay       time.Duration
	Err         error
	Breaker     string
	From, To    string // breaker states: "closed", "open", "half_open"
	Message     string // the log line
	At          time.Time
}

type observer struct {
	log     *slog.Logger
	metrics *Metrics
	onEvent func(Event)
	clock   func() time.Time
	redact  func(string) string
}

func newObserver(o Options) *observer {
	ob := &observer{log: o.Logger, metrics: o.Metrics, onEvent: o.OnEvent, clock: o.Clock, redact: o.Redact}
	if ob.log == nil {
		ob.log = slog.Default()
	}
	if ob.clock == nil {
		ob.clock = time.Now
	}
	return ob
}

func (o *observer) emit(level slog.Level, e Event, attrs ...any) {
	o.log.Log(context.Background(), level, e.Message, attrs...)
	if o.onEvent != nil {
		e.At = o.clock()
		o.onEvent(e)
	}
}

// Registry holds the named, shared circuit breakers ("email", "openai",
// "source:<name>"). It is safe for concurrent use.
type Registry struct {
	obs *observer

	mu       sync.Mutex
	breakers map[string]*Breaker
}

// NewRegistry returns an empty registry whose breakers log, count and report
// events through opts.
func NewRegistry(opts Options) *Registry {
	return &Registry{obs: newObserver(opts), breakers: map[string]*Breaker{}}
}

// Breaker returns the breaker called name, creating it with s on first use.
// Later calls get the same breaker; their settings are ignored (the first
// caller's win), so every service sharing "openai" shares one state. A
// FailureThreshold below 1 is taken as 1; a RecoveryTimeout of 0 or less
// lets the probe through on the next call.
func (r *Registry) Breaker(name string, s BreakerSettings) *Breaker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.breakers[name]; ok {
		return b
	}
	b := newBreaker(name, s, r.obs)
	r.breakers[name] = b
	return b
}

// Snapshot returns every breaker's state, sorted by name (for /health).
func (r *Registry) Snapshot() []BreakerSnapshot {
	r.mu.Lock()
	bs := make([]*Breaker, 0, len(r.breakers))
	for _, b := range r.breakers {
		bs = append(bs, b)
	}
	r.mu.Unlock()
	sort.Slice(bs, func(i, j int) bool { return bs[i].name < bs[j].name })
	out := make([]BreakerSnapshot, len(bs))
	for i, b := range bs {
		out[i] = b.Snapshot()
	}
	return out
}

// Reset closes the named breaker and forgets its failures (an operator's
// "the dependency is back"). It returns an ENOTFOUND *jobpilot.Error for an
// unknown name. Resetting a closed breaker logs nothing.
func (r *Registry) Reset(name string) error {
	r.mu.Lock()
	b, ok := r.breakers[name]
	r.mu.Unlock()
	if !ok {
		return jobpilot.Errorf(jobpilot.ENOTFOUND, "circuit breaker %q not found", name)
	}
	b.Reset()
	return nil
}

// BreakerSnapshot is one breaker's state for /health: the root package's
// read model, so the HTTP layer reads breakers without importing this package.
type BreakerSnapshot = jobpilot.BreakerSnapshot

// Breaker is a named circuit breaker on failsafe-go's count-based breaker:
// CLOSED → OPEN after FailureThreshold consecutive counted failures; OPEN
// rejects at once with *OpenError; after RecoveryTimeout the next call moves
// it to HALF_OPEN and is the only one let through (failsafe's half-open
// capacity is the success threshold, 1); its success closes the breaker, its
// failure opens it again. The OPEN → HALF_OPEN move happens on that next
// call, so a snapshot shows "open" with RetryIn 0 until someone calls.
type Breaker struct {
	name     string
	settings BreakerSettings
	cb       circuitbreaker.CircuitBreaker[any]
	obs      *observer
	state    prometheusGauge
	domain   *jobpilot.Error // shared by every OpenError of this breaker
	// abandoning marks a re-open caused by a canceled half-open probe, so
	// the transition is logged as what it is, not as a failure.
	abandoning atomic.Bool
	// pausing marks the opening caused by Pause, logged with its reason.
	pausing atomic.Bool
	// paused holds the reason while a configuration error holds the
	// breaker open (see Pause); nil otherwise.
	paused atomic.Pointer[string]
}

type prometheusGauge interface{ Set(float64) }

func newBreaker(name string, s BreakerSettings, obs *observer) *Breaker {
	if s.FailureThreshold < 1 {
		s.FailureThreshold = 1
	}
	if s.RecoveryTimeout < 0 {
		s.RecoveryTimeout = 0
	}
	b := &Breaker{name: name, settings: s, obs: obs, domain: unavailable(name)}
	if obs.metrics != nil {
		b.state = obs.metrics.state.WithLabelValues(name)
		b.state.Set(0)
	}
	b.cb = circuitbreaker.NewBuilder[any]().
		WithFailureThreshold(uint(s.FailureThreshold)).
		// One success closes, and — because failsafe sizes the half-open
		// state by this capacity — exactly one probe is admitted at a time.
		WithSuccessThreshold(1).
		WithDelay(s.RecoveryTimeout).
		OnStateChanged(b.onStateChanged).
		Build()
	return b
}

// Name is the breaker's name, e.g. "openai".
func (b *Breaker) Name() string { return b.name }

// State is "closed", "open" or "half_open".
func (b *Breaker) State() string { return stateName(b.cb.State()) }

// Snapshot is the breaker's current state for /health.
func (b *Breaker) Snapshot() BreakerSnapshot {
	st := b.cb.State()
	s := BreakerSnapshot{
		Name:             b.name,
		State:            stateName(st),
		Failures:         int(b.cb.Metrics().Failures()),
		FailureThreshold: b.settings.FailureThreshold,
		RecoveryTimeout:  b.settings.RecoveryTimeout,
	}
	if reason := b.paused.Load(); reason != nil {
		s.State, s.Reason = StateOpen, *reason
		return s
	}
	if st == circuitbreaker.OpenState {
		s.RetryIn = b.cb.RemainingDelay()
	}
	return s
}

// Paused returns the reason the breaker is held open by a configuration
// error, and whether it is.
func (b *Breaker) Paused() (reason string, ok bool) {
	if r := b.paused.Load(); r != nil {
		return *r, true
	}
	return "", false
}

// Pause opens the breaker and holds it open, with reason, until Reset: no
// probe is let through on its own, because the dependency refused our own
// configuration (jobpilot.ErrMisconfigured: rejected credentials, no usable
// authentication) and only a person can fix that. Every call is rejected
// at once with an *OpenError carrying the reason, so the work waits
// unchanged (its job snoozed) instead of failing. A restart builds a new,
// closed breaker. Pausing a paused breaker keeps the first reason. The
// reason is kept as Options.Redact cleans it.
func (b *Breaker) Pause(reason string) {
	if b.obs.redact != nil {
		reason = b.obs.redact(reason)
	}
	if !b.paused.CompareAndSwap(nil, &reason) {
		return
	}
	if b.state != nil {
		b.state.Set(stateValue(circuitbreaker.OpenState))
	}
	msg := "Circuit breaker paused by a configuration error: " + reason + ". It stays open until it is reset or the service restarts"
	if b.cb.IsOpen() {
		b.obs.emit(slog.LevelError, Event{Service: b.name, Kind: KindBreaker, Breaker: b.name, From: StateOpen, To: StateOpen, Message: msg},
			"breaker", b.name, "from", StateOpen, "to", StateOpen)
		return
	}
	b.pausing.Store(true)
	b.cb.Open()
	b.pausing.Store(false)
}

// Reset closes the breaker, ends a pause and forgets its recorded failures.
func (b *Breaker) Reset() {
	if b.paused.Swap(nil) != nil && b.cb.IsClosed() {
		// failsafe's breaker closed meanwhile (a probe admitted before the
		// pause succeeded): no transition is left to log the end of it.
		if b.state != nil {
			b.state.Set(0)
		}
		b.obs.emit(slog.LevelInfo, Event{Service: b.name, Kind: KindBreaker, Breaker: b.name, From: StateOpen, To: StateClosed,
			Message: "Circuit breaker reset to CLOSED state"}, "breaker", b.name, "from", StateOpen, "to", StateClosed)
		return
	}
	if r, ok := b.cb.(interface{ Reset() }); ok {
		r.Reset()
		return
	}
	b.cb.Close()
}

func (b *Breaker) openError() *OpenError {
	if reason, ok := b.Paused(); ok {
		// Come back after a recovery time: the pause may have been reset.
		return &OpenError{Breaker: b.name, RetryIn: max(b.settings.RecoveryTimeout, time.Millisecond), Reason: reason, domain: b.domain}
	}
	retryIn := b.cb.RemainingDelay()
	if retryIn <= 0 {
		// Half-open with the probe in flight: its outcome is due soon.
		retryIn = min(b.settings.RecoveryTimeout, time.Second)
	}
	return &OpenError{Breaker: b.name, RetryIn: retryIn, domain: b.domain}
}

func stateName(s circuitbreaker.State) string {
	switch s {
	case circuitbreaker.OpenState:
		return StateOpen
	case circuitbreaker.HalfOpenState:
		return StateHalfOpen
	default:
		return StateClosed
	}
}

func stateValue(s circuitbreaker.State) float64 {
	switch s {
	case circuitbreaker.OpenState:
		return 2
	case circuitbreaker.HalfOpenState:
		return 1
	default:
		return 0
	}
}

// onStateChanged runs after every real transition (failsafe calls it only
// when the state changes, with its lock released).
func (b *Breaker) onStateChanged(e circuitbreaker.StateChangedEvent) {
	from, to := stateName(e.OldState), stateName(e.NewState)
	if b.state != nil {
		// Read the current state rather than e.NewState: listeners of two
		// quick transitions may run out of order.
		b.state.Set(stateValue(b.cb.State()))
	}
	if m := b.obs.metrics; m != nil {
		m.transitions.WithLabelValues(b.name, from, to).Inc()
	}
	ev := Event{Service: b.name, Kind: KindBreaker, Breaker: b.name, From: from, To: to}
	level := slog.LevelInfo
	switch reason := b.paused.Load(); {
	case e.NewState == circuitbreaker.OpenState && b.pausing.Load() && reason != nil:
		ev.Message = "Circuit breaker paused by a configuration error: " + *reason + ". It stays open until it is reset or the service restarts"
		level = slog.LevelError
	case e.NewState == circuitbreaker.OpenState && e.OldState == circuitbreaker.HalfOpenState && b.abandoning.Load():
		ev.Message = "Circuit breaker re-opened: HALF_OPEN probe was canceled"
		level = slog.LevelWarn
	case e.NewState == circuitbreaker.OpenState && e.OldState == circuitbreaker.HalfOpenState:
		ev.Message = "Circuit breaker re-opened after HALF_OPEN probe failed"
		level = slog.LevelError
	case e.NewState == circuitbreaker.OpenState:
		// The threshold, not e.Metrics(): failsafe hands the event over
		// after releasing its lock, and reading its counts then races with
		// the next caller's record. A count breaker opens at exactly its
		// threshold of consecutive failures.
		ev.Message = fmt.Sprintf("Circuit breaker opened after %d failures", b.settings.FailureThreshold)
		level = slog.LevelError
	case e.NewState == circuitbreaker.HalfOpenState:
		ev.Message = "Circuit breaker entering HALF_OPEN state"
	default:
		ev.Message = "Circuit breaker reset to CLOSED state"
	}
	b.obs.emit(level, ev, "breaker", b.name, "from", from, "to", to)
}

// breakerPolicy is the breaker's place in a failsafe composition. It uses
// failsafe's breaker through its public permit API rather than the stock
// policy executor because the stock executor records every result: a call
// canceled by our own shutdown would count as a success (closing a half-open
// breaker) or a failure. Here such a call records nothing; an abandoned
// half-open probe re-opens the breaker so a later probe can run.
type breakerPolicy struct {
	b   *Breaker
	svc *Service
}

func (p *breakerPolicy) ToExecutor(_ any) any { return p }

func (p *breakerPolicy) Apply(inner func(failsafe.Execution[any]) *common.PolicyResult[any]) func(failsafe.Execution[any]) *common.PolicyResult[any] {
	return func(exec failsafe.Execution[any]) *common.PolicyResult[any] {
		if _, paused := p.b.Paused(); paused || !p.b.cb.TryAcquirePermit() {
			inc(p.svc.metrics.rejections)
			return &common.PolicyResult[any]{Error: p.b.openError(), Done: true}
		}
		r := inner(exec)
		p.b.record(exec.Context(), r.Error)
		return r
	}
}

// record feeds one attempt's outcome to the breaker. ctx is the caller's.
func (b *Breaker) record(ctx context.Context, err error) {
	switch {
	case err == nil:
		b.cb.RecordSuccess()
	case errors.Is(err, jobpilot.ErrMisconfigured):
		// Our configuration, not the dependency's health: hold the breaker
		// open until a person resets it, rather than probing with the
		// same rejected credentials every recovery time.
		b.Pause(err.Error())
	case ctx.Err() != nil:
		// The caller gave up (shutdown): no verdict on the dependency. A
		// half-open permit is only released by a verdict, so re-open and let
		// a later call probe again.
		if b.cb.IsHalfOpen() {
			b.abandoning.Store(true)
			b.cb.Open()
			b.abandoning.Store(false)
		}
	case countsAsBreakerFailure(err):
		b.cb.RecordFailure()
	default:
		b.cb.RecordSuccess()
	}
}
