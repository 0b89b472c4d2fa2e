package source_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

// Issue 14, finding 5: a board over 32 MiB was refused whole, with a
// permanent error, and nothing could raise the limit; at real description
// sizes that is any board over about 2,300 jobs. 2,500 jobs of 14 KB now
// import (streamed: see BenchmarkBigBoard for the memory it takes), and the
// limit is the client's to set. (Each job's 14 KB are mostly a field the
// source does not read, so the test costs the transfer, not HTML to text.)
func TestBoardOverTheOldLimit(t *testing.T) {
	if raceEnabled {
		t.Skip("35 MB through the race detector takes half a minute; the plain run covers it")
	}
	const jobs, size = 2500, 14 << 10
	pad := strings.Repeat("x", size)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := bufio.NewWriter(w)
		defer bw.Flush()
		bw.WriteString(`{"jobs":[`)
		for i := range jobs {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `{"id":%d,"title":"Engineer %d","company_name":"Acme","location":{"name":"Berlin"},"content":"&lt;p&gt;Go&lt;/p&gt;","metadata":[{"name":"notes","value":%q}]}`, i+1, i+1, pad)
		}
		bw.WriteString(`]}`)
	}))
	defer srv.Close()
	s := mustNew(t, source.Spec{Type: "greenhouse", Name: "big", BaseURL: srv.URL, Keys: map[string]string{"token": "big"}}, nil)
	r := source.FetchAll(context.Background(), []jobpilot.Source{s}, nil, nil)[0]
	if r.Err != nil || r.Fetched != jobs {
		t.Fatalf("fetched %d of %d: %v", r.Fetched, jobs, r.Err)
	}
	// The limit stays, the client's to set: at 1 MiB this board is refused.
	small := source.NewClient(source.ClientOptions{MaxBody: 1 << 20})
	_, err := mustNew(t, source.Spec{Type: "greenhouse", Name: "big", BaseURL: srv.URL, Keys: map[string]string{"token": "big"}}, small).Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("err %v, want the configured limit", err)
	}
}
