package source_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/source"
)

// HTML descriptions become readable text: structure kept, scripts dropped,
// entities (even double-escaped ones, as Greenhouse sends) decoded.
func ExampleHTMLToText() {
	fmt.Println(source.HTMLToText(`&lt;p&gt;We build robots &amp;amp; software.&lt;/p&gt;` +
		`&lt;h3&gt;Requirements&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;Go&lt;/li&gt;&lt;li&gt;Postgres&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;x()&lt;/script&gt;`))
	// Output:
	// We build robots & software.
	//
	// Requirements
	//
	// - Go
	// - Postgres
}

// FetchAll imports every source; a board that is gone (404) is reported at
// once and does not stop the others.
func ExampleFetchAll() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/boards/acme/jobs":
			fmt.Fprint(w, `{"jobs":[{"id":1,"title":"Backend Engineer","company_name":"Acme","location":{"name":"Remote"},"content":"&lt;p&gt;Go&lt;/p&gt;"}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	client := source.NewClient(source.ClientOptions{}) // in production: Policies from the resilience set
	var sources []jobpilot.Source
	for _, cfg := range []source.Spec{
		{Type: "greenhouse", Name: "acme", Keys: map[string]string{"token": "acme"}, BaseURL: srv.URL},
		{Type: "greenhouse", Name: "gone", Keys: map[string]string{"token": "gone"}, BaseURL: srv.URL},
	} {
		s, err := source.New(cfg, client)
		if err != nil {
			panic(err)
		}
		sources = append(sources, s)
	}
	for _, r := range source.FetchAll(context.Background(), sources, newMemStore(), nil) {
		fmt.Printf("%s: fetched %d, new %d, failed: %v\n", r.Source, r.Fetched, r.Result.New, r.Err != nil)
	}
	// Output:
	// greenhouse:acme: fetched 1, new 1, failed: false
	// greenhouse:gone: fetched 0, new 0, failed: true
}
