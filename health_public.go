package jobpilot

import "strings"

// PublicHealth is /health for a client without the token: the overall
// status and each component's state, nothing that tells who runs the
// service or for whom (no host, version, environment, node, source names or
// error texts). Its fields keep the full report's names, so a client that
// reads status, database.ok or scheduler.running works with either.
type PublicHealth struct {
	Status    string `json:"status"`
	Scheduler struct {
		Running bool `json:"running"`
	} `json:"scheduler"`
	Database struct {
		OK bool `json:"ok"`
	} `json:"database"`
	// CircuitBreakers holds each breaker's state by name; per-instance
	// breakers ("<service>:<instance>", one per job board) are reported
	// once under their service with the worst state of them all, so their
	// names stay private.
	CircuitBreakers map[string]PublicBreaker `json:"circuit_breakers"`
}

// PublicBreaker is a circuit breaker's state, without its counts.
type PublicBreaker struct {
	State string `json:"state"`
}

// breakerSeverity orders breaker states from best to worst.
var breakerSeverity = map[string]int{BreakerClosed: 0, BreakerHalfOpen: 1, BreakerOpen: 2}

// Public is h as a client without the token may see it.
func (h Health) Public() PublicHealth {
	p := PublicHealth{Status: h.Status, CircuitBreakers: make(map[string]PublicBreaker, len(h.CircuitBreakers))}
	p.Scheduler.Running = h.Scheduler.Running
	p.Database.OK = h.Database.OK
	for name, b := range h.CircuitBreakers {
		service, _, _ := strings.Cut(name, ":")
		if prev, ok := p.CircuitBreakers[service]; ok && breakerSeverity[prev.State] >= breakerSeverity[b.State] {
			continue
		}
		p.CircuitBreakers[service] = PublicBreaker{State: b.State}
	}
	return p
}
