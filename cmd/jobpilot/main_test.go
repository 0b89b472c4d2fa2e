package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writers: commands that
// run the engine log from its workers while they print.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runCLI drives the CLI in-process with the given environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut lockedBuffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "version")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out, "jobpilot ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("output %q lacks the version or %s", out, runtime.Version())
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	const (
		smtpPW = "hunter2-smtp"
		imapPW = "hunter2-imap"
		apiKey = "sk-live-abcdef123456"
		token  = "tok-98765-0123456789-abcdefghijklmn"
		dbPW   = "pg-pass-4242"
	)
	file := filepath.Join(t.TempDir(), "jobpilot.yaml")
	if err := os.WriteFile(file, []byte("retry:\n  max_retries: 5\nsources:\n  - {type: lever, name: globex, site: globex}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	valid := map[string]string{
		"SMTP_HOST": "mail.example.com", "SMTP_USERNAME": "me", "SMTP_PASSWORD": smtpPW,
		"IMAP_HOST": "imap.example.com", "IMAP_USERNAME": "me", "IMAP_PASSWORD": imapPW,
		"OPENAI_API_KEY": apiKey, "JOBPILOT_API_TOKEN": token,
		"DATABASE_URL":  "postgres://jp:" + dbPW + "@127.0.0.1:5432/test",
		"INITIAL_DELAY": "0.5",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range valid {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"valid, secrets redacted", valid, []string{"config", "check"}, 0,
			[]string{"configuration OK", "SMTP_PASSWORD", "[redacted]", "IMAP_PASSWORD", "IMAP_FOLDERS", "MAILBOX_INTERVAL", "OPENAI_API_KEY", "postgres://jp:[redacted]@127.0.0.1:5432/test", "INITIAL_DELAY", "500ms"}, nil},
		{"file via flag, env wins", with(map[string]string{"MAX_RETRIES": "6"}), []string{"--config", file, "config", "check"}, 0,
			[]string{"file: " + file, "lever:globex site=globex"}, nil},
		{"file via JOBPILOT_CONFIG", with(map[string]string{"JOBPILOT_CONFIG": file}), []string{"config", "check"}, 0,
			[]string{"file: " + file, "retry.max_retries"}, nil},
		{"unset secrets", nil, []string{"config", "check"}, 0, []string{"(unset)"}, nil},
		{"bad value", with(map[string]string{"MAX_RETRIES": "-1"}), []string{"config", "check"}, 2,
			nil, []string{"MAX_RETRIES must be >= 0"}},
		{"unparsable value", with(map[string]string{"EMAIL_TIMEOUT": "soon"}), []string{"config", "check"}, 2,
			nil, []string{"EMAIL_TIMEOUT is not a valid duration"}},
		{"missing file", nil, []string{"--config", filepath.Join(t.TempDir(), "nope.yaml"), "config", "check"}, 2,
			nil, []string{"cannot be read"}},
		{"unknown command", nil, []string{"bogus"}, 2, nil, []string{"unexpected argument bogus"}},
		{"no command", nil, nil, 2, nil, []string{"expected one of"}},
		{"help", nil, []string{"--help"}, 0, []string{"Usage: jobpilot", "config check", "version"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, secret := range []string{smtpPW, apiKey, token, dbPW, imapPW} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("secret %q leaked:\nstdout: %s\nstderr: %s", secret, out, errOut)
				}
			}
		})
	}
}

// A broken file must not echo its neighbouring lines: they may hold a secret.
func TestBadFileDoesNotLeakSecrets(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "c.yaml")
	body := "smtp:\n  username: me\n  password: s3cret-in-file\n  port: many\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "--config", file, "config", "check")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "port") {
		t.Errorf("stderr does not name the bad key: %s", errOut)
	}
	if strings.Contains(out+errOut, "s3cret-in-file") {
		t.Errorf("secret leaked: %s", errOut)
	}
}

// TestConfigCheckReportsEffectiveValues checks that the printed value is the
// one that won the precedence, not merely that a line exists.
func TestConfigCheckReportsEffectiveValues(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("retry:\n  max_retries: 5\n  max_delay: 90\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, map[string]string{"MAX_RETRIES": "6"}, "--config", file, "config", "check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			lines[f[0]] = f[1:]
		}
	}
	if got := lines["MAX_RETRIES"]; len(got) == 0 || got[0] != "6" {
		t.Errorf("MAX_RETRIES line = %v, want 6 (env over file)", got)
	}
	if got := lines["MAX_DELAY"]; len(got) == 0 || got[0] != "1m30s" {
		t.Errorf("MAX_DELAY line = %v, want 1m30s (file over default)", got)
	}
	if got := lines["INITIAL_DELAY"]; len(got) == 0 || got[0] != "1s" {
		t.Errorf("INITIAL_DELAY line = %v, want 1s (default)", got)
	}
}
