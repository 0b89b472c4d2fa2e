package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot/config"
)

// config check must not print the password of a source URL (a JSON feed
// behind basic auth) any more than SMTP_PASSWORD.
func TestPrintRedactsSourceURLPasswords(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "sources:\n" +
		"  - {type: json, name: partner, url: 'https://feeder:s3cret-feed@feeds.example.com/jobs.json'}\n" +
		"  - {type: greenhouse, name: acme, token: acme, base_url: 'https://proxy:s3cret-proxy@gh.example.com'}\n" +
		"  - {type: json, name: local, url: ./postings.json}\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(nil, file)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := cfg.Print(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"s3cret-feed", "s3cret-proxy"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q printed:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"url=https://feeder:" + config.Redacted + "@feeds.example.com/jobs.json",
		"base_url=https://proxy:" + config.Redacted + "@gh.example.com",
		"url=./postings.json",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
