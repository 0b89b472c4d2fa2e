package mail_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

func decodeBase64(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := base64.StdEncoding.DecodeString(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, string(data)))
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	return out
}
