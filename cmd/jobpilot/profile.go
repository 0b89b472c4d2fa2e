package main

import (
	"bytes"
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
	File    string `arg:"" help:"JSON file ('-' for standard input): {\"resume\": <JSON Resume>, \"preferences\": {...}} or a bare JSON Resume document."`
	Replace int64  `help:"Replace the profile with this id instead of creating a new one."`
}

// Run validates the document and stores it. Errors name the offending field
// as a JSON path (resume.work[2].startDate) and exit 2. Unknown fields are
// refused rather than silently dropped, so a typo in a preference is seen.
func (c *ProfileImportCmd) Run(app *App) error {
	var data []byte
	var err error
	if c.File == "-" {
		data, err = io.ReadAll(app.Stdin)
	} else {
		data, err = os.ReadFile(c.File)
	}
	if err != nil {
		return jobpilot.Errorf(jobpilot.EINVALID, "reading %s: %v", c.File, err)
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
