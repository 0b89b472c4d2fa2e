package main

import (
	"fmt"

	"github.com/jobpilot/jobpilot/store"
)

// MigrateCmd is `jobpilot migrate`.
type MigrateCmd struct{}

// Run applies our migrations and River's. It is safe to run while other
// processes start or migrate: migrations take a database-wide lock. serve
// and run migrate on their own; this command is for deployments that
// prefer an explicit step.
func (c *MigrateCmd) Run(app *App) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	db, err := store.Open(app.Ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(app.Ctx); err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "migrations applied (%s)\n", dbKind(cfg.IsPostgres()))
	return nil
}
