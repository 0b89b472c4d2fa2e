package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// `jobpilot lab llm --mode liar` answers with fluent lies: a letter whose
// sentences name employers, schools and degrees the profile lacks.
func TestLabLLMLiar(t *testing.T) {
	t.Parallel()
	m, stop := startLab(t, regexp.MustCompile(`OPENAI_BASE_URL=(\S+)`), "lab", "llm", "--addr", "127.0.0.1:0", "--mode", "liar")
	prompt := `Write the letter as {\"paragraphs\": ...}\n<profile>\n[0] {\"name\":\"Ana\"}\n[1] {\"work\":0,\"employer\":\"Tidewater\",\"highlights\":[\"Built an API\"]}\n</profile>\n<posting>\nCompany: Initech\nTitle: Go Engineer\n</posting>`
	resp, err := http.Post(m[1]+"/chat/completions", "application/json", strings.NewReader(
		`{"model":"m","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"`+prompt+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Choices) == 0 {
		t.Fatalf("reply: %v", err)
	}
	content := out.Choices[0].Message.Content
	if !strings.Contains(content, `"paragraphs"`) || !strings.Contains(content, "Globex") || !strings.Contains(content, "fifteen years") {
		t.Errorf("not a lying letter: %.300s", content)
	}
	if code, text := stop(); code != 0 || !strings.Contains(text, "mode liar") {
		t.Fatalf("exit %d, output:\n%s", code, text)
	}
}
