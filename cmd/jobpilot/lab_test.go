package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/mail"
)

// startLab runs `jobpilot lab ...` until the returned stop is called, and
// waits for the line matching ready; stop returns the exit code and stdout.
func startLab(t *testing.T, ready *regexp.Regexp, args ...string) ([]string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), out, errOut) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if m := ready.FindStringSubmatch(out.String()); m != nil {
			return m, func() (int, string) { cancel(); return <-done, out.String() }
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("lab exited %d before it was ready: %s %s", code, out, errOut)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("lab not ready: %s %s", out, errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// `jobpilot lab smtp` applies its schedule, records deliveries on the side
// API's GET /messages, and reports its counts when stopped.
func TestLabSMTP(t *testing.T) {
	t.Parallel()
	m, stop := startLab(t, regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+) \(side API (http://\S+)\)`),
		"lab", "smtp", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--schedule", "first 1 attempts of each message 421")
	port := 0
	for _, c := range m[1] {
		port = port*10 + int(c-'0')
	}
	mailer, err := mail.New(mail.Config{Host: "127.0.0.1", Port: port, TLS: mail.TLSNone, From: "me@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	msg := &jobpilot.Message{MessageID: "<application-1@example.com>", To: "jobs@example.org", Subject: "Hi", Body: "Hello"}
	if err := mailer.Send(context.Background(), msg); err == nil {
		t.Fatal("first attempt accepted, want the scheduled 421")
	}
	if err := mailer.Send(context.Background(), msg); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	resp, err := http.Get(m[2] + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		MessageID string `json:"message_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got) != 1 || got[0].MessageID != msg.MessageID {
		t.Fatalf("GET /messages: %+v, %v", got, err)
	}
	code, out := stop()
	if code != 0 || !strings.Contains(out, "accepted=1 rejected=1") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// `jobpilot lab llm --fail 1` answers every chat call with an injected 429
// or 500 and counts them.
func TestLabLLM(t *testing.T) {
	t.Parallel()
	m, stop := startLab(t, regexp.MustCompile(`OPENAI_BASE_URL=(\S+)`), "lab", "llm", "--addr", "127.0.0.1:0", "--fail", "1")
	for range 4 {
		resp, err := http.Post(m[1]+"/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 && resp.StatusCode != 500 {
			t.Errorf("status %d, want an injected 429 or 500", resp.StatusCode)
		}
	}
	code, out := stop()
	if code != 0 || !regexp.MustCompile(`injected_429=\d+ injected_500=\d+`).MatchString(out) || !strings.Contains(out, "accepted=0") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// The lab is a test instrument: hidden from the main help.
func TestLabHiddenFromHelp(t *testing.T) {
	t.Parallel()
	_, out, errOut := runCLI(t, nil, "--help")
	help := out + errOut
	if !strings.Contains(help, "serve") || regexp.MustCompile(`(?m)^\s+lab\b`).MatchString(help) {
		t.Errorf("help should list serve and not lab:\n%s", help)
	}
}
