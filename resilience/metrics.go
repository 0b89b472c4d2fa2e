package resilience

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the jobpilot_resilience_* collectors. Counters are labelled by
// service; breaker gauges and transitions by breaker name.
type Metrics struct {
	attempts    *prometheus.CounterVec
	retries     *prometheus.CounterVec
	giveUps     *prometheus.CounterVec
	timeouts    *prometheus.CounterVec
	rejections  *prometheus.CounterVec
	state       *prometheus.GaugeVec
	transitions *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered, still usable). Registering twice on one registry reuses the
// collectors already there, so several Sets can share a registry.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "jobpilot", Subsystem: "resilience", Name: name, Help: help,
		}, labels)
	}
	m := &Metrics{
		attempts:   counter("attempts_total", "Calls made to a dependency (each attempt, retries included).", "service"),
		retries:    counter("retries_total", "Failed attempts that were scheduled for a retry.", "service"),
		giveUps:    counter("give_ups_total", "Calls that failed after their last retry.", "service"),
		timeouts:   counter("timeouts_total", "Attempts canceled by their per-attempt timeout.", "service"),
		rejections: counter("rejections_total", "Calls rejected at once by an open circuit breaker.", "service"),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "jobpilot", Subsystem: "resilience", Name: "breaker_state",
			Help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
		}, []string{"breaker"}),
		transitions: counter("breaker_transitions_total", "Circuit breaker state changes.", "breaker", "from", "to"),
	}
	if reg != nil {
		m.attempts = register(reg, m.attempts)
		m.retries = register(reg, m.retries)
		m.giveUps = register(reg, m.giveUps)
		m.timeouts = register(reg, m.timeouts)
		m.rejections = register(reg, m.rejections)
		m.state = register(reg, m.state)
		m.transitions = register(reg, m.transitions)
	}
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a clashing, differently shaped collector is a programming error
	}
	return c
}

// serviceMetrics are one service's counters, curried once so the hot path
// does no label lookups. The zero value (no Metrics) does nothing.
type serviceMetrics struct {
	attempts, retries, giveUps, timeouts, rejections prometheus.Counter
}

func (m *Metrics) forService(name string) serviceMetrics {
	if m == nil {
		return serviceMetrics{}
	}
	return serviceMetrics{
		attempts:   m.attempts.WithLabelValues(name),
		retries:    m.retries.WithLabelValues(name),
		giveUps:    m.giveUps.WithLabelValues(name),
		timeouts:   m.timeouts.WithLabelValues(name),
		rejections: m.rejections.WithLabelValues(name),
	}
}

func inc(c prometheus.Counter) {
	if c != nil {
		c.Inc()
	}
}
