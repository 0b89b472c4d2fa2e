package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrationLockKey is the PostgreSQL advisory lock key that serialises
// migrations across processes ("jobpilot" as a number). Advisory locks are
// per database, not per schema, so processes migrating different schemas of
// one database wait for each other too; migrations are short.
const migrationLockKey int64 = 0x6a6f6270696c6f74

// Migrate brings the schema up to date: our tables (embedded SQL files per
// dialect, applied in order, recorded in schema_migrations, each in its own
// transaction) and then River's (rivermigrate, riversqlite or
// riverdatabasesql driver over the same pool).
//
// Several processes may start at once on a fresh database: Migrate holds a
// lock for the whole run (PostgreSQL: pg_advisory_lock on a dedicated
// connection; SQLite: an exclusive flock on "<file>.migrate.lock"), so the
// first one migrates and the others find nothing left to do. A crash midway
// leaves the applied files recorded and the failed one rolled back; the next
// Migrate continues from there. Migrate is idempotent.
func (db *DB) Migrate(ctx context.Context) error {
	unlock, err := db.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	if err := db.migrateOwn(ctx); err != nil {
		return err
	}
	return db.migrateRiver(ctx)
}

// lockMigrations takes the cross-process migration lock and returns its
// release.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	if db.postgres {
		// A session-level advisory lock belongs to one connection: hold a
		// dedicated one for the duration, migrations use the rest of the pool.
		conn, err := db.db.Conn(ctx)
		if err != nil {
			return nil, dbErr("migration lock connection", err)
		}
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			_ = conn.Close()
			return nil, dbErr("take migration lock", err)
		}
		return func() {
			// Unlock with a fresh context: the caller's may be cancelled, and
			// a lock left behind would block every later Migrate until this
			// connection closed (closing it releases the lock anyway).
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
			_ = conn.Close()
		}, nil
	}
	if db.path == "" { // in-memory: no other process can see it
		return func() {}, nil
	}
	return lockFile(ctx, db.path+".migrate.lock")
}

type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/sqlite"
	if db.postgres {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: name must start with a positive number and '_'", name)
		}
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (db *DB) migrateOwn(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	createdType := "TEXT"
	if db.postgres {
		createdType = "TIMESTAMPTZ"
	}
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at `+createdType+` NOT NULL
)`); err != nil {
		return dbErr("create schema_migrations", err)
	}
	applied := map[int]bool{}
	rows, err := db.db.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return dbErr("read schema_migrations", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return dbErr("read schema_migrations", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dbErr("read schema_migrations", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := db.exec(ctx, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, db.timeArg(db.clock()))
			return err
		})
		if err != nil {
			return dbErr("migration "+m.name, err)
		}
	}
	return nil
}

func (db *DB) migrateRiver(ctx context.Context) error {
	var err error
	if db.postgres {
		var m *rivermigrate.Migrator[*sql.Tx]
		m, err = rivermigrate.New(riverdatabasesql.New(db.db), nil)
		if err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		m, err = rivermigrate.New(riversqlite.New(db.db), nil)
		if err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return dbErr("river migrations", err)
	}
	return nil
}
