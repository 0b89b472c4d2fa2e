package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobpilot/jobpilot/httpapi"
	"github.com/jobpilot/jobpilot/store"
)

// The API refuses requests without the bearer token, answers errors as
// {"error":{…}} with the domain's code, and separates malformed bodies (400)
// from well-formed but invalid ones (422).
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "jobpilot-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "jobpilot.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Store: db, Token: exampleToken}))
	defer srv.Close()

	call := func(method, path, token, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(b)))
	}
	call("GET", "/api/v1/profiles", "", "")
	call("POST", "/api/v1/profiles", exampleToken, `{"resume":`)
	call("POST", "/api/v1/profiles", exampleToken, `{"resume":{"basics":{"name":""}}}`)
	call("GET", "/api/v1/profiles", exampleToken, "")
	// Output:
	// 401 {"error":{"code":"unauthorized","message":"missing or wrong bearer token"}}
	// 400 {"error":{"code":"invalid","message":"malformed JSON: unexpected end of body"}}
	// 422 {"error":{"code":"invalid","message":"is required","field":"resume.basics.name"}}
	// 200 {"items":[]}
}

// exampleToken is the examples' API token: at least
// jobpilot.MinAPITokenLength characters, as configuration requires.
const exampleToken = "example-token-0123456789abcdefghij"
