package config

import "testing"

func TestExamplesSwitchAcceptsOnOff(t *testing.T) {
	for v, want := range map[string]bool{"off": false, "OFF": false, "no": false, "0": false, "false": false,
		"on": true, "yes": true, "1": true, "true": true} {
		cfg, err := Load(func(k string) string {
			if k == "JOBPILOT_EXAMPLES" {
				return v
			}
			return ""
		}, "")
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if cfg.Examples != want {
			t.Errorf("JOBPILOT_EXAMPLES=%s: Examples = %v, want %v", v, cfg.Examples, want)
		}
	}
	_, err := Load(func(k string) string {
		if k == "JOBPILOT_EXAMPLES" {
			return "maybe"
		}
		return ""
	}, "")
	if err == nil {
		t.Fatal("JOBPILOT_EXAMPLES=maybe must be refused")
	}
}
