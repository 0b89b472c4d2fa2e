package store_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/internal/dbtest"
	"github.com/jobpilot/jobpilot/store"
)

// A PostgreSQL that cannot be reached, or refuses us, gives an error that
// says why without the user, the database, the host or the port (pgx's own
// text names all four, and store errors reach logs, /health and the API);
// the driver's error is still in the chain.
func TestConnectionErrorsNameNoServerDetails(t *testing.T) {
	dbtest.Postgres(t) // skips without a server
	server, err := url.Parse(os.Getenv(dbtest.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	refused := *server
	refused.User = url.User("jp_secret_user")
	refused.Host = "127.0.0.1:1"
	refused.Path = "/jp_secret_db"
	missing := *server
	missing.Path = "/jp_secret_db_does_not_exist"
	for name, c := range map[string]struct {
		url    string
		reason string
		is     error
	}{
		"refused": {refused.String(), "connection refused", syscall.ECONNREFUSED},
		"missing": {missing.String(), "the database does not exist", nil},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := store.Open(ctx, c.url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			for _, secret := range []string{"jp_secret", "127.0.0.1", ":1", "5432", "postgres", server.Hostname()} {
				if strings.Contains(msg, secret) {
					t.Errorf("the error names %q: %s", secret, msg)
				}
			}
			if !strings.Contains(msg, c.reason) || jobpilot.ErrorCode(err) != jobpilot.EUNAVAILABLE {
				t.Errorf("error %q (code %s), want the reason %q and EUNAVAILABLE", msg, jobpilot.ErrorCode(err), c.reason)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("the driver's error is lost from the chain: %v", err)
			}
			if !errors.Is(err, jobpilot.ErrTransient) {
				t.Error("an unreachable database is no longer transient")
			}
		})
	}
}
