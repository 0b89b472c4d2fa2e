package fakesmtp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/jobpilot/jobpilot/internal/fake/fakesmtp"
)

func rawMessage(id string) string {
	return "From: a@example.org\r\nTo: b@example.com\r\nSubject: hello\r\nMessage-ID: " + id + "\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
		"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"resume.pdf\"\r\n\r\n%PDF\r\n" +
		"--XX--\r\n"
}

// send delivers one message over a plain connection with go-smtp's client.
func send(addr, id string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("a@example.org", []string{"b@example.com"}, strings.NewReader(rawMessage(id))); err != nil {
		return err
	}
	return c.Quit()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestSideHTTPAPI(t *testing.T) {
	srv, err := fakesmtp.Start("127.0.0.1:0", "127.0.0.1:0",
		fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("first 1 attempt of each message 451")))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	base := "http://" + srv.HTTPAddr()
	if err := send(srv.Addr(), "<m1@x>"); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first attempt: %v, want 451", err)
	}
	for range 2 { // the second copy is a duplicate delivery
		if err := send(srv.Addr(), "<m1@x>"); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	var msgs []fakesmtp.Message
	getJSON(t, base+"/messages", &msgs)
	if len(msgs) != 2 || msgs[0].MessageID != "<m1@x>" || msgs[0].Attempt != 2 || msgs[0].Raw != nil ||
		strings.Join(msgs[0].Attachments, ",") != "resume.pdf" || msgs[0].Subject != "hello" {
		t.Fatalf("messages = %+v", msgs)
	}
	getJSON(t, base+"/messages?raw=1", &msgs)
	if !strings.Contains(string(msgs[0].Raw), "Message-ID: <m1@x>") {
		t.Errorf("raw = %q", msgs[0].Raw)
	}
	var attempts map[string]int
	getJSON(t, base+"/attempts", &attempts)
	if attempts["<m1@x>"] != 3 {
		t.Errorf("attempts = %v", attempts)
	}
	var stats struct {
		fakesmtp.Stats
		Duplicates int `json:"duplicates"`
	}
	getJSON(t, base+"/stats", &stats)
	if stats.Accepted != 2 || stats.Rejected != 1 || stats.Duplicates != 1 {
		t.Errorf("stats = %+v", stats)
	}

	resp, err := http.Post(base+"/schedule", "text/plain", strings.NewReader("550 always"))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /schedule: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if err := send(srv.Addr(), "<m2@x>"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("after POST /schedule: %v, want 550", err)
	}
	resp, _ = http.Post(base+"/schedule", "text/plain", strings.NewReader("sometimes"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad spec: %s, want 400", resp.Status)
	}
	resp.Body.Close()
}

func TestDownWindowUsesServerTime(t *testing.T) {
	var offset atomic.Int64
	base := time.Now()
	clock := func() time.Time { return base.Add(time.Duration(offset.Load())) }
	srv := fakesmtp.StartTest(t, fakesmtp.WithClock(clock),
		fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("down from t=10s to t=40s")))
	if err := send(srv.Addr(), "<a@x>"); err != nil {
		t.Fatalf("before the window: %v", err)
	}
	offset.Store(int64(15 * time.Second))
	if err := send(srv.Addr(), "<b@x>"); err == nil {
		t.Fatal("delivered while down")
	}
	offset.Store(int64(40 * time.Second))
	if err := send(srv.Addr(), "<c@x>"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if st := srv.Stats(); st.Refused != 1 || st.Accepted != 2 || st.Connections != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestCloseEndsAHang(t *testing.T) {
	srv, err := fakesmtp.Start("127.0.0.1:0", "", fakesmtp.WithSchedule(fakesmtp.MustParseSchedule("hang in data")))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- send(srv.Addr(), "<h@x>") }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := srv.WaitStats(ctx, func(s fakesmtp.Stats) bool { return s.Hung == 1 }); err != nil {
		t.Fatal("the message never hung")
	}
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with a hung session", d)
	}
	if err := <-done; err == nil {
		t.Error("the hung client was told its message was accepted")
	}
	if st := srv.Stats(); st.HangsEnded != 1 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
}
