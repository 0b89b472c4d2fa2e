package system

import (
	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/httpapi"
)

// HTTPOptions fills httpapi's dependencies from the system: the store, the
// pipeline, the engine as scheduler, the breakers, the job queue reader,
// /health, the metrics registry and the logger. The caller adds the token
// and, when it serves one, River UI (NewRiverUI).
func (s *System) HTTPOptions() httpapi.Options {
	return httpapi.Options{
		Store:     s.Store,
		Pipeline:  s.Apply,
		Scheduler: s.Engine,
		Breakers:  s.Resilience.Breakers,
		Jobs:      engine.NewQueue(s.Store),
		Health:    s.Health,
		Registry:  s.Registry,
		Logger:    s.Logger,
	}
}

// NewRiverUI builds River UI over the system's database for
// httpapi.Options.RiverUI, mounted at httpapi.RiverUIPrefix. The caller
// starts it before serving and stops it before Stop (see engine.RiverUI).
func (s *System) NewRiverUI() (*engine.RiverUI, error) {
	return engine.NewRiverUI(s.Store, httpapi.RiverUIPrefix, s.Logger)
}
