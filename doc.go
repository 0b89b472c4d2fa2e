// Package jobpilot holds the domain of the jobpilot service: the candidate's
// Profile, the job Posting, the Application that joins them, its Status and
// Event history, automation Runs, the error kinds every layer shares, and the
// interfaces (Store, Source, Writer, Renderer, Mailer) that the dependency
// packages implement.
//
// This package imports nothing of ours. Dependency packages (store, engine,
// source, llm, document, mail, httpapi) implement or use these types; cmd/jobpilot
// wires them together. docs/design-notes.md records the design decisions.
package jobpilot

// Version is the running version, set at build time with
// -ldflags "-X github.com/jobpilot/jobpilot.Version=…".
var Version = "0.1.0-dev"
