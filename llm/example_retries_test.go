package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/fake/fakellm"
	"github.com/jobpilot/jobpilot/llm"
	"github.com/jobpilot/jobpilot/resilience"
)

// scale runs the guide's seconds as hundredths (a 60 s timeout is 600 ms,
// roomy on a loaded machine, a 2 s wait 20 ms); the delays printed are
// scaled back to the guide's units.
const scale = 0.01

func guideTime(d time.Duration) time.Duration {
	return time.Duration(float64(d) / scale).Round(time.Millisecond)
}

// retryRig is the LLM writer on the guide's resilience table (scaled) and a
// lab LLM server that fails as scripted; it prints each retry.
func retryRig(replies ...fakellm.Reply) (*llm.Writer, *resilience.Set, func()) {
	fake := fakellm.New(fakellm.Options{})
	fake.Script(replies...)
	srv := httptest.NewServer(fake)
	table := resilience.Defaults()
	table.TimeScale = scale
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	set := resilience.NewSet(table, resilience.Options{Logger: quiet, OnEvent: func(e resilience.Event) {
		if e.Kind == resilience.KindRetry {
			fmt.Printf("%s: attempt %d of %d failed (%s), retry in %s\n", e.Service, e.Attempt, e.MaxAttempts, e.Err, guideTime(e.Delay))
		}
	}})
	client := llm.NewClient(llm.Config{BaseURL: srv.URL + "/v1", Model: "lab-model"}, llm.WithLogger(quiet))
	w := llm.NewLLMWriter(client, set.Service(resilience.ServiceResume), set.Service(resilience.ServiceCoverLetter), nil)
	return w, set, srv.Close
}

func fixture() (*jobpilot.Profile, *jobpilot.Posting) {
	var p jobpilot.Profile
	var post jobpilot.Posting
	for file, v := range map[string]any{"testdata/profile.json": &p, "testdata/posting.json": &post} {
		b, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			panic(err)
		}
	}
	return &p, &post
}

// The stability guide's resume generation: 3 retries, waiting 2 s then 4 s
// (8 s before a third), each attempt cut off after 120 s, on the "openai"
// breaker it shares with cover letters. The lab model fails twice, then
// answers.
func Example_resumeRetries() {
	w, set, stop := retryRig(fakellm.Reply{Status: 500}, fakellm.Reply{Status: 503})
	defer stop()
	p, post := fixture()
	tr, err := w.TailorResume(context.Background(), p, post)
	s := set.Service(resilience.ServiceResume).Settings()
	fmt.Println("resume written:", err == nil && len(tr.Resume.Work) > 0)
	fmt.Println("per attempt:", guideTime(s.Timeout), "breaker:", s.Breaker)
	// Output:
	// resume: attempt 1 of 4 failed (llm: lab-model: HTTP 500: scripted error 500), retry in 2s
	// resume: attempt 2 of 4 failed (llm: lab-model: HTTP 503: scripted error 503), retry in 4s
	// resume written: true
	// per attempt: 2m0s breaker: openai
}

// The stability guide's cover letter: 2 retries, waiting 1 s then 2 s, each
// attempt cut off after 60 s, on the shared "openai" breaker. The lab model
// fails twice, then answers; a third failure would have been the last.
func Example_coverLetterRetries() {
	w, set, stop := retryRig(fakellm.Reply{Status: 502}, fakellm.Reply{Status: 500})
	defer stop()
	p, post := fixture()
	letter, err := w.WriteCoverLetter(context.Background(), p, post, nil)
	s := set.Service(resilience.ServiceCoverLetter).Settings()
	fmt.Println("letter written:", err == nil && letter.Text != "")
	fmt.Println("retries:", s.MaxRetries, "per attempt:", guideTime(s.Timeout), "breaker:", s.Breaker)
	// Output:
	// cover_letter: attempt 1 of 3 failed (llm: lab-model: HTTP 502: scripted error 502), retry in 1s
	// cover_letter: attempt 2 of 3 failed (llm: lab-model: HTTP 500: scripted error 500), retry in 2s
	// letter written: true
	// retries: 2 per attempt: 1m0s breaker: openai
}
