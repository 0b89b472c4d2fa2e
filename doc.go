// Package jobpilot holds the domain of the jobpilot service: the candidate's
// Profile, the job Posting, the Application that joins them, its Status and
// Event history, automation Runs, the error kinds every layer shares, the
// read models operators see (Health, SchedulerStatus, PeriodicJob, JobCount,
// BreakerSnapshot), and the interfaces (Store, Source, Writer, Renderer,
// Mailer, Scheduler, JobQueue, Breakers, TaskInserter) that the dependency
// packages implement.
//
// This package imports nothing of ours. Dependency packages (store, engine,
// source, llm, document, mail, httpapi) implement or use these types;
// internal/system wires them together and cmd/jobpilot runs the result. See
// docs/design-notes.md for the decisions behind the layout.
package jobpilot
