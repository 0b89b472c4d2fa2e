package main

import "fmt"

// ConfigCmd groups the configuration commands.
type ConfigCmd struct {
	Check ConfigCheckCmd `cmd:"" help:"Load and validate the configuration, then print the effective values with secrets redacted. Exits 2 on a bad value."`
}

// ConfigCheckCmd is `jobpilot config check`.
type ConfigCheckCmd struct{}

// Run loads the configuration the way every other command will (defaults,
// file, environment) and prints it. Secrets print as [redacted] (or (unset)),
// so the output is safe to paste into an issue. It touches no database or
// network.
func (c *ConfigCheckCmd) Run(app *App) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	file := app.ConfigFile
	if file == "" {
		file = app.Getenv("JOBPILOT_CONFIG")
	}
	if file == "" {
		file = "none"
	}
	fmt.Fprintf(app.Stdout, "configuration OK (file: %s)\n\n", file)
	return cfg.Print(app.Stdout)
}
