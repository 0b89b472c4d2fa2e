package chaos

import (
	"testing"
	"time"

	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
)

// The harness can inject outages, drops and hangs besides the 421 rate;
// the extra faults come first, so they are not shadowed by the rate.
func TestSMTPScheduleWithOutageAndFaults(t *testing.T) {
	t.Parallel()
	sched, err := smtpSchedule(Options{SMTPFail: 0.3, SMTPFaults: "down from t=10s to t=40s; drop always"})
	if err != nil {
		t.Fatal(err)
	}
	if !sched.IsDown(20*time.Second) || sched.IsDown(5*time.Second) || sched.IsDown(41*time.Second) {
		t.Errorf("outage window not in the schedule %q: %v", sched, sched.Down())
	}
	if a := sched.Decide(1); a.Kind != fakesmtp.Drop {
		t.Errorf("first message: %v, want the extra fault (drop) before the 421 rate", a)
	}

	plain, err := smtpSchedule(Options{SMTPFail: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a := plain.Decide(1); a.Kind != fakesmtp.Reply || a.Code != 421 || len(plain.Down()) != 0 {
		t.Errorf("rate only: %v, down %v; want 421 and no outage", a, plain.Down())
	}
	if _, err := smtpSchedule(Options{SMTPFaults: "sometimes explode"}); err == nil {
		t.Error("a bad fault spec was accepted")
	}
}
