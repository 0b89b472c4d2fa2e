package freshpg

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
)

func TestCreateAndDrop(t *testing.T) {
	server := os.Getenv("JOBPILOT_TEST_DATABASE_URL")
	if server == "" {
		t.Skip("JOBPILOT_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	a, dropA, err := Create(ctx, server, "jp-Fresh test")
	if err != nil {
		t.Fatal(err)
	}
	b, dropB, err := Create(ctx, server, "jp-Fresh test")
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !strings.Contains(a, "/jp_fresh_test_") {
		t.Fatalf("urls %s %s: want two distinct, sanitised names", a, b)
	}
	db, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	// A connection left open (a killed process's) does not block the drop.
	if err := dropA(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := dropB(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Create(ctx, "mysql://x", "p"); err == nil {
		t.Fatal("a non-PostgreSQL URL must be refused")
	}
}
