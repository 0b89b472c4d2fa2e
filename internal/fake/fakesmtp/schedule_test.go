package fakesmtp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		rules string // Rules() joined by " | "
		down  []Window
		err   string // substring of the error; "" = valid
	}{
		{spec: "", rules: ""},
		{spec: "accept", rules: "accept always"},
		{spec: "fail 30% with 421", rules: "30% 421"},
		{spec: "  FAIL   12.5%  WITH   550 ", rules: "12.5% 550"},
		{spec: "550 always", rules: "550 always"},
		{spec: "hang in data", rules: "hang always"},
		{spec: "drop in data", rules: "drop always"},
		{spec: "first 2 attempts of each message 421", rules: "first 2 421"},
		{spec: "first 1 attempt of each message hang", rules: "first 1 hang"},
		{spec: "down from t=10s to t=40s", down: []Window{{10 * time.Second, 40 * time.Second}}},
		{spec: "down from t=0.5 to t=1m", down: []Window{{500 * time.Millisecond, time.Minute}}},
		{spec: "first 2 attempts of each message 421; fail 10% with drop; down from t=1s to t=2s; seed 9",
			rules: "first 2 421 | 10% drop", down: []Window{{time.Second, 2 * time.Second}}},
		{spec: `550 "5.7.1 go away" always`, rules: "550 always"},
		{spec: "fail 130% with 421", err: "between 0 and 100"},
		{spec: "fail 30 with 421", err: "fail P% with ACTION"},
		{spec: "fail 30% 421", err: "fail P% with ACTION"},
		{spec: "250 always", err: "400–599"},
		{spec: "explode always", err: "400–599"},
		{spec: "down from t=40s to t=10s", err: "before it starts"},
		{spec: "down from t=x to t=10s", err: "bad time"},
		{spec: "first 0 attempts of each message 421", err: "N ≥ 1"},
		{spec: "first two attempts of each message 421", err: "first N attempts"},
		{spec: "sometimes 421", err: "unknown clause"},
		{spec: "seed -1", err: "seed"},
		{spec: `550 unquoted text always`, err: "double quotes"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := ParseSchedule(tc.spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSchedule: %v", err)
			}
			if got := strings.Join(s.Rules(), " | "); got != tc.rules {
				t.Errorf("rules = %q, want %q", got, tc.rules)
			}
			if fmt.Sprint(s.Down()) != fmt.Sprint(tc.down) {
				t.Errorf("down = %v, want %v", s.Down(), tc.down)
			}
		})
	}
}

func TestScheduleDecide(t *testing.T) {
	s := MustParseSchedule("first 2 attempts of each message 421; 550 always")
	for attempt, want := range map[int]string{1: "421", 2: "421", 3: "550", 4: "550"} {
		if got := s.Decide(attempt).String(); got != want {
			t.Errorf("attempt %d: %s, want %s", attempt, got, want)
		}
	}
	if got := MustParseSchedule("first 1 attempt of each message drop").Decide(2); got.Kind != Accept {
		t.Errorf("no rule left: %v, want accept", got)
	}
	if a := MustParseSchedule(`554 "5.7.1 spam" always`).Decide(1); a.Code != 554 || a.Text != "5.7.1 spam" {
		t.Errorf("action %+v", a)
	}
}

func TestSchedulePercentIsSeededAndRoughlyRight(t *testing.T) {
	draw := func(seed uint64) (string, int) {
		s := MustParseSchedule("fail 30% with 421").WithSeed(seed)
		var b strings.Builder
		fails := 0
		for range 2000 {
			if s.Decide(1).Kind == Reply {
				fails++
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String(), fails
	}
	a, fails := draw(42)
	b, _ := draw(42)
	c, _ := draw(43)
	if a != b {
		t.Error("same seed, different draws")
	}
	if a == c {
		t.Error("different seeds, same draws")
	}
	if fails < 500 || fails > 700 {
		t.Errorf("%d of 2000 failed, want about 600", fails)
	}
	// A seed in the spec wins over WithSeed.
	x := MustParseSchedule("fail 50% with 421; seed 5").WithSeed(1)
	y := MustParseSchedule("fail 50% with 421; seed 5").WithSeed(2)
	for i := range 100 {
		if x.Decide(1) != y.Decide(1) {
			t.Fatalf("draw %d differs although the spec names the seed", i)
		}
	}
}

func TestScheduleIsDown(t *testing.T) {
	s := MustParseSchedule("down from t=10s to t=40s; down from t=1m to t=2m")
	for at, want := range map[time.Duration]bool{
		0: false, 9 * time.Second: false, 10 * time.Second: true, 39 * time.Second: true,
		40 * time.Second: false, 90 * time.Second: true, 2 * time.Minute: false,
	} {
		if got := s.IsDown(at); got != want {
			t.Errorf("IsDown(%v) = %v, want %v", at, got, want)
		}
	}
}
