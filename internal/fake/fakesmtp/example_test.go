package fakesmtp_test

import (
	"fmt"

	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
)

// The stability guide's email scenario: the first two attempts of every
// message get a 421, the third is accepted.
func ExampleParseSchedule() {
	s, err := fakesmtp.ParseSchedule("first 2 attempts of each message 421; down from t=10s to t=40s")
	if err != nil {
		fmt.Println(err)
		return
	}
	for attempt := 1; attempt <= 3; attempt++ {
		fmt.Printf("attempt %d: %s\n", attempt, s.Decide(attempt))
	}
	fmt.Println("down at t=20s:", s.IsDown(20e9))
	// Output:
	// attempt 1: 421
	// attempt 2: 421
	// attempt 3: accept
	// down at t=20s: true
}

// In-process use: start on a free port, send, read what arrived.
func ExampleStart() {
	srv, err := fakesmtp.Start("127.0.0.1:0", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	if err := send(srv.Addr(), "<application-1@example.org>"); err != nil {
		fmt.Println(err)
	}
	for _, m := range srv.Messages() {
		fmt.Println(m.MessageID, m.Attachments, srv.Attempts(m.MessageID))
	}
	// Output: <application-1@example.org> [resume.pdf] 1
}
