package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jobpilot/jobpilot"
)

// ProfileCmd groups the profile commands.
type ProfileCmd struct {
	Import ProfileImportCmd `cmd:"" help:"Import a candidate profile: a JSON Resume document plus preferences."`
}

// ProfileImportCmd is `jobpilot profile import FILE`.
type ProfileImportCmd struct {
	File     string `arg:"" help:"JSON file ('-' for standard input): {\"resume\": <JSON Resume>, \"preferences\": {...}} or a bare JSON Resume document."`
	Replace  int64  `help:"Replace the profile with this id instead of creating a new one."`
	MaxBytes int64  `name:"max-bytes" default:"${profile_max_bytes}" help:"Refuse a document larger than this many bytes (default ${default})."`
}

// DefaultProfileMaxBytes bounds a profile document: a JSON Resume is a few
// kilobytes, so 5 MB is generous and a runaway input (/dev/zero, a wrong
// file) fails at once instead of filling memory.
const DefaultProfileMaxBytes = 5 << 20

// Run validates the document and stores it. Errors name the offending field
// as a JSON path (resume.work[2].startDate) and exit 2. Unknown fields are
// refused rather than silently dropped, so a typo in a preference is seen.
func (c *ProfileImportCmd) Run(app *App) error {
	data, err := c.read(app)
	if err != nil {
		return err
	}
	p, err := decodeProfile(data)
	if err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	db, err := openStore(app)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.Replace > 0 {
		p.ID = c.Replace
		if err := db.ReplaceProfile(app.Ctx, p); err != nil {
			return err
		}
		fmt.Fprintf(app.Stdout, "profile %d replaced (%s, version %d)\n", p.ID, p.Name(), p.Version)
		return nil
	}
	if err := db.CreateProfile(app.Ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "profile %d imported (%s)\n", p.ID, p.Name())
	return nil
}

// read reads the document, at most MaxBytes of it, and gives up when the
// command is cancelled (SIGINT, SIGTERM) even while a read is blocked on a
// pipe that sends nothing: the reading goroutine is left to the process's
// exit, which follows.
func (c *ProfileImportCmd) read(app *App) ([]byte, error) {
	max := c.MaxBytes
	if max <= 0 {
		max = DefaultProfileMaxBytes
	}
	in := app.Stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return nil, jobpilot.Errorf(jobpilot.EINVALID, "reading %s: %v", c.File, err)
		}
		defer f.Close()
		in = f
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(ctxReader{app.Ctx, in}, max+1))
		done <- result{data, err}
	}()
	select {
	case <-app.Ctx.Done():
		return nil, fmt.Errorf("reading %s: %w", c.File, context.Cause(app.Ctx))
	case r := <-done:
		switch {
		case r.err != nil && app.Ctx.Err() != nil:
			return nil, fmt.Errorf("reading %s: %w", c.File, context.Cause(app.Ctx))
		case r.err != nil:
			return nil, jobpilot.Errorf(jobpilot.EINVALID, "reading %s: %v", c.File, r.err)
		case int64(len(r.data)) > max:
			return nil, jobpilot.Errorf(jobpilot.EINVALID, "%s is larger than %d bytes: a profile is a JSON Resume document of a few kilobytes (--max-bytes raises the limit)", c.File, max)
		}
		return r.data, nil
	}
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// decodeProfile accepts {"resume":…, "preferences":…} or a bare JSON Resume
// (recognised by its "basics" key), strictly.
func decodeProfile(data []byte) (*jobpilot.Profile, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(err)
	}
	p := &jobpilot.Profile{}
	var target any = p
	if _, bare := probe["basics"]; bare {
		target = &p.Resume
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return nil, jsonError(err)
	}
	return p, nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return jobpilot.FieldError(typeErr.Field, "must be %s, not %s", typeErr.Type, typeErr.Value)
	case errors.As(err, &syntaxErr):
		return jobpilot.Errorf(jobpilot.EINVALID, "invalid JSON at byte %d: %v", syntaxErr.Offset, err)
	default:
		return jobpilot.Errorf(jobpilot.EINVALID, "invalid profile: %v", err)
	}
}
