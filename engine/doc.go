// Package engine runs jobpilot's durable work on River (github.com/riverqueue/river)
// over the store's *sql.DB: riversqlite on SQLite, riverdatabasesql on PostgreSQL.
// Both give a river.Client[*sql.Tx], so a task enqueued with InsertTasks commits or
// rolls back with the caller's own transaction.
//
// What the engine promises:
//
//   - Every task lives in the database before it runs; a crash (kill -9) loses nothing.
//     At Start the engine makes this node's jobs left "running" by a previous process
//     (same NodeID) available again at once, so a single node resumes within seconds.
//     Other nodes' orphans are rescued by River's rescuer after Scheduler.RescueAfter.
//   - A rescued or retried job reaches its handler again with a higher attempt number
//     (see JobFromContext). Handlers must be idempotent; in particular the send handler
//     must not re-send an application it finds still "sending" (the outcome of the
//     previous attempt is unknown): it marks it needs_review instead.
//   - Error classes (see the mapping on Handlers): transient errors are retried with
//     our backoff, permanent ones cancel the job, an open circuit snoozes it without
//     burning an attempt, and a panic is recovered and retried like a transient error.
//     One failing job never stops the others or the periodic schedule.
//   - Periodic jobs (fetch, automation, follow-ups, cleanup) are enqueued by River's
//     elected leader only, so each tick runs once cluster-wide. Missed ticks are not
//     caught up; fetch and automation also run at start-up.
//   - Stop is graceful: no new work is fetched, running jobs get Timeouts.Shutdown to
//     finish, then they are cancelled and snoozed, so they run again right after the
//     next start (on this or another node) without burning an attempt.
//   - Supervise checks the client and the database every HealthCheckInterval and
//     replaces a broken River client with a new one, RestartDelay apart, forever.
package engine
