// Package engine runs jobpilot's durable work on River (github.com/riverqueue/river)
// over the store's *sql.DB: riversqlite on SQLite, riverdatabasesql on PostgreSQL.
// Both give a river.Client[*sql.Tx], so a task enqueued with InsertTasks commits or
// rolls back with the caller's own transaction. Everything that touches River's
// tables lives here: the workers, the periodic schedule, the rescue of orphans,
// the queue reader (Queue) and the queue's web console (RiverUI).
//
// Job kinds are a registry, as River's workers are: each kind is an Args type
// (its arguments, stored as JSON) registered once with AddKind, with its Handler
// and its KindOptions (attempts, priority, queue, timeout, uniqueness, periodic
// schedule). The engine knows no kind of its own; internal/system registers
// apply's.
//
// What the engine promises:
//
//   - Every task lives in the database before it runs; a crash (kill -9) loses nothing.
//     At Start the engine makes this node's jobs left "running" by a previous process
//     (same Config.NodeID) available again at once, so a single node resumes within
//     seconds. Other nodes' orphans are rescued by River's rescuer after
//     Config.RescueAfter.
//   - Delivery is at least once. A rescued or retried job reaches its handler again
//     with a higher attempt number (JobFromContext); a job snoozed at shutdown or on
//     an open circuit keeps its number. Handlers must therefore be idempotent, from
//     database state: the send handler must not re-send an application it finds
//     still "sending" (the previous attempt's outcome is unknown) but mark it
//     needs_review. A handler can make its effect and the job's completion one
//     transaction with CompleteTx, which makes it exactly once.
//   - The same NodeID must not be used by two live processes: at Start the engine
//     also drops a leadership lease still held under its id, so a restarted leader
//     runs the periodic schedule at once instead of after the lease (≈15 s).
//   - Error classes (see the mapping on Handler): transient errors are retried with
//     our backoff, permanent ones cancel the job, an open circuit snoozes it without
//     burning an attempt, and a panic is recovered and retried like a transient error.
//     One failing job never stops the others or the periodic schedule.
//   - Periodic kinds are enqueued by River's elected leader only, so each tick runs
//     once cluster-wide. Missed ticks are not caught up; a kind with RunOnStart also
//     runs when the engine starts.
//   - Stop is graceful: no new work is fetched, running jobs get Config.ShutdownGrace
//     to finish, then they are cancelled and snoozed, so they run again right after
//     the next start (on this or another node) without burning an attempt.
//   - Supervise checks the client and the database every Config.HealthCheckInterval
//     and replaces a broken River client with a new one, Config.RestartDelay apart,
//     forever.
package engine
