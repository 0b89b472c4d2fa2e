package system

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/jobpilot/jobpilot/engine"
	"github.com/jobpilot/jobpilot/httpapi"
)

// HTTPOptions fills httpapi's dependencies from the system: the store, the
// pipeline, the engine as scheduler, the breakers, the job queue reader,
// /health, the metrics registry, the logger and the HTTP limits of the
// configuration. The caller adds the token and, when it serves one, River UI
// (NewRiverUI).
func (s *System) HTTPOptions() httpapi.Options {
	return httpapi.Options{
		Store:                 s.Store,
		Pipeline:              s.Apply,
		Scheduler:             s.Engine,
		Breakers:              s.Resilience.Breakers,
		Jobs:                  engine.NewQueue(s.Store),
		Health:                s.Health,
		Registry:              s.Registry,
		Logger:                s.Logger,
		AuthFailuresPerMinute: s.Config.HTTP.AuthFailuresPerMinute,
		LoginReadTimeout:      s.Config.HTTP.LoginReadTimeout,
		SessionTTL:            s.Config.HTTP.SessionTTL,
	}
}

// NewRiverUI builds River UI over the system's database for
// httpapi.Options.RiverUI, mounted at httpapi.RiverUIPrefix. The caller
// starts it before serving and stops it before Stop (see engine.RiverUI).
func (s *System) NewRiverUI() (*engine.RiverUI, error) {
	return engine.NewRiverUI(s.Store, httpapi.RiverUIPrefix, s.Logger)
}

// HTTPServer wraps h in a server whose every phase is bounded
// (HTTP_READ_HEADER_TIMEOUT, HTTP_READ_TIMEOUT, and fixed write and idle
// limits): a client that trickles its headers or body, or never reads the
// answer, is cut off instead of holding a connection for ever. Request
// bodies are limited in size by httpapi itself.
func (s *System) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.Config.HTTP.ReadHeaderTimeout,
		ReadTimeout:       s.Config.HTTP.ReadTimeout,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Listen listens on HTTP_ADDR and accepts at most HTTP_MAX_CONNECTIONS
// connections at once: the others wait in the kernel's queue until one
// closes, so no number of clients can exhaust the process's file
// descriptors, and the time limits of HTTPServer free the slots that slow
// clients hold. One client address holds at most
// HTTP_MAX_CONNECTIONS_PER_ADDRESS of them; its further connections are
// closed at once, so it cannot take the slots of others (a health check).
func (s *System) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.Config.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listening on HTTP_ADDR %s: %w", s.Config.HTTPAddr, err)
	}
	return netutil.LimitListener(limitPerAddress(ln, s.Config.HTTP.MaxConnectionsPerAddr), s.Config.HTTP.MaxConnections), nil
}
