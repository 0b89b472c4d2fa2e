package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// `jobpilot lab llm --down SPEC` answers 503 inside the window (counted from
// its start) and serves again after it; the counts include the outage.
func TestLabLLMDown(t *testing.T) {
	t.Parallel()
	m, stop := startLab(t, regexp.MustCompile(`OPENAI_BASE_URL=(\S+)`), "lab", "llm", "--addr", "127.0.0.1:0", "--down", "from 0s to 1s")
	ready := time.Now() // the server started before its line was printed
	call := func() int {
		resp, err := http.Post(m[1]+"/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first := call()
	if first != 503 {
		if time.Since(ready) < 900*time.Millisecond {
			t.Fatalf("inside the window: %d, want 503", first)
		}
		t.Skip("the machine was too slow to call inside the 1 s window")
	}
	time.Sleep(time.Until(ready.Add(time.Second)))
	if got := call(); got != 200 {
		t.Fatalf("after the window: %d, want 200", got)
	}
	code, out := stop()
	if code != 0 || !strings.Contains(out, "accepted=1 rejected=1") || !strings.Contains(out, "down_503=1") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// A malformed outage spec is bad input: exit 2, naming the clause.
func TestLabLLMDownBadSpec(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, nil, "lab", "llm", "--addr", "127.0.0.1:0", "--down", "from 40s to 10s")
	if code != 2 || !strings.Contains(out+errOut, "ends (10s) before it starts (40s)") {
		t.Fatalf("exit %d, output: %s %s", code, out, errOut)
	}
}

// `jobpilot chaos --llm-faults` with a malformed spec is refused as bad input
// (exit 2) before any database or server is made.
func TestChaosBadLLMFaultsFlag(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, nil, "chaos", "--postings", "1", "--llm-faults", "down whenever")
	if code != 2 || !strings.Contains(out+errOut, `"down whenever"`) {
		t.Fatalf("exit %d, output: %s %s", code, out, errOut)
	}
}
