package source_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/jobpilot/jobpilot/source"
)

// Discover tries a few names of each company on every board type and
// writes the boards found as configuration. Here one loopback server plays
// Lever, which has a board for "Acme Robotics GmbH" under its second name.
func ExampleRegistry_Discover() {
	lever := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v0/postings/acmerobotics" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("skip") != "0" {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprint(w, `[{"id":"a1","text":"Robotics Engineer","categories":{"location":"Munich"},"descriptionPlain":"Build robots."}]`)
	}))
	defer lever.Close()

	fmt.Println(source.Slugs("Acme Robotics GmbH", 3))
	d := source.Builtin().Discover(context.Background(), source.NewClient(source.ClientOptions{}),
		[]string{"Acme Robotics GmbH"}, source.DiscoverOptions{Types: []string{"lever"}, BaseURLs: map[string]string{"lever": lever.URL}})
	fmt.Print(strings.ReplaceAll(d.YAML(), lever.URL, "http://127.0.0.1:PORT")) // the test server's port varies
	// Output:
	// [acme-robotics acmerobotics acme]
	// # Found by jobpilot sources discover: 1 board(s).
	// sources:
	//   # Acme Robotics GmbH: 1 open job(s)
	//   - type: lever
	//     name: acmerobotics
	//     site: acmerobotics
	//     base_url: "http://127.0.0.1:PORT"
}
